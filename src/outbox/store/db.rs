//! The outbox's database: SQLite in WAL mode with `synchronous = FULL`, so a message is on
//! disk before anyone hears "queued", and every state change survives a crash or power cut.
//! Opening creates or migrates it; every change writes its history entry with it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use super::error::{OutboxError, db_err, read_state, to_json};
use super::schema::{SCHEMA_VERSION, migrate};
use crate::clock::{Millis, now_ms};
use crate::outbox::history::Happening;

/// `PRAGMA auto_vacuum`'s value for incremental: free pages are given back on request
/// ([`Outbox::reclaim`]), never in the middle of a send.
const AUTO_VACUUM_INCREMENTAL: i64 = 2;

/// The queue.
pub struct Outbox {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl Outbox {
    /// Opens (creating or migrating) the queue at `path`.
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        let db = |source: rusqlite::Error| db_err(path)(source);
        let io = |e: std::io::Error| db(rusqlite::Error::ToSqlConversionFailure(Box::new(e)));
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir).map_err(io)?;
        }
        // Readable by this user only; SQLite gives its -wal and -shm files the same mode.
        let mut create = std::fs::OpenOptions::new();
        create.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
        create.open(path).map_err(io)?;
        let mut conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db)?;
        // Before anything is written; an outbox made before is rebuilt once (below).
        let vacuum: i64 = conn
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .map_err(db)?;
        if vacuum != AUTO_VACUUM_INCREMENTAL {
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(db)?;
        }
        // Switching to WAL needs the database to itself: only do it when it is not WAL yet.
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(db)?;
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)?;
        if version > SCHEMA_VERSION {
            return Err(OutboxError::TooNew {
                path: path.to_path_buf(),
                found: version,
            });
        }
        if version < SCHEMA_VERSION {
            migrate(&mut conn).map_err(db)?;
        }
        if vacuum != AUTO_VACUUM_INCREMENTAL && version > 0 {
            // Another process reading it now keeps it as it is until the next opening.
            if let Err(e) = conn.execute_batch("VACUUM") {
                tracing::warn!("the outbox cannot give space back yet: {e}");
            }
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub(super) fn db(&self, source: rusqlite::Error) -> OutboxError {
        db_err(&self.path)(source)
    }

    /// Adds `what` to the history of message `id`, as happening now.
    pub(super) fn record(&self, id: i64, what: &Happening) -> Result<(), OutboxError> {
        record(&self.conn, id, now_ms(), what).map_err(|e| self.db(e))
    }

    /// Runs `sql` with `id` as `?1` and `values` after it; it must change message `id`, else
    /// the message is gone or in another state. Then `what` goes into its history.
    pub(super) fn update(
        &self,
        id: i64,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
        what: &Happening,
    ) -> Result<(), OutboxError> {
        let json = to_json(what).map_err(|e| self.db(e))?;
        self.update_as(id, sql, values, what.kind(), &json)
    }

    /// [`Self::update`] with the entry already as JSON (`kind`, `json`).
    pub(super) fn update_as(
        &self,
        id: i64,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
        kind: &str,
        json: &str,
    ) -> Result<(), OutboxError> {
        let params = rusqlite::params_from_iter(
            std::iter::once(&id as &dyn rusqlite::ToSql).chain(values.iter().copied()),
        );
        let changed = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(params))
            .map_err(|e| self.db(e))?;
        if changed == 0 {
            return Err(self.not_changed(id));
        }
        insert(&self.conn, id, now_ms(), kind, json).map_err(|e| self.db(e))
    }

    /// Why a change to message `id` changed nothing: it is gone, or in another state.
    pub(super) fn not_changed(&self, id: i64) -> OutboxError {
        let state: Option<String> = match self
            .conn
            .query_row("SELECT state FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        {
            Ok(state) => state,
            Err(e) => return self.db(e),
        };
        match state.map(|s| read_state(Some(id), s)) {
            Some(Ok(state)) => OutboxError::WrongState { id, state },
            Some(Err(e)) => self.db(e),
            None => OutboxError::NotFound(id),
        }
    }

    /// From now on this connection's commits reach the operating system at once (they
    /// survive the process being killed) but reach the disk only at [`Self::sync`] or the next
    /// checkpoint: for outcomes, each written as soon as its reply arrives, so that a kill
    /// sends again only what was in flight, and flushed together for what a power cut needs.
    pub fn defer_sync(&self) -> Result<(), OutboxError> {
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.db(e))
    }

    /// Flushes every commit so far to the disk (the write-ahead log, where commits live until
    /// a checkpoint copies them into the database, which SQLite flushes itself).
    pub fn sync(&self) -> Result<(), OutboxError> {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let flushed = std::fs::OpenOptions::new()
            .write(true)
            .open(&wal)
            .and_then(|f| f.sync_data());
        match flushed {
            Ok(()) => Ok(()),
            // Checkpointed and removed: everything is in the database file, flushed already.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.db(rusqlite::Error::ToSqlConversionFailure(Box::new(e)))),
        }
    }

    /// Runs `changes` in one transaction: one write to disk for all of them.
    pub fn batch<T>(
        &mut self,
        changes: impl FnOnce(&Outbox) -> Result<T, OutboxError>,
    ) -> Result<T, OutboxError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.db(e))?;
        match changes(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(|e| self.db(e))?;
                Ok(v)
            }
            Err(e) => {
                // The first error is the one to report; a failed ROLLBACK leaves SQLite to
                // roll back when the connection is next used.
                self.conn.execute_batch("ROLLBACK").ok();
                Err(e)
            }
        }
    }

    /// Rolls back a transaction left open by a task that panicked in the middle of a change.
    pub fn abandon_transaction(&self) {
        if !self.conn.is_autocommit() {
            // A failed ROLLBACK leaves SQLite to roll back when the connection is next used.
            let _rolled_back = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// A number that changes whenever another connection (another process, or the worker)
    /// commits a change: a cheap way to know that a list must be read again.
    pub fn data_version(&self) -> Result<i64, OutboxError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.db(e))
    }
}

/// Adds `what`, which happened `at`, to the history of message `id`.
pub(super) fn record(
    conn: &Connection,
    id: i64,
    at: Millis,
    what: &Happening,
) -> rusqlite::Result<()> {
    insert(conn, id, at, what.kind(), &to_json(what)?)
}

/// Adds an entry of `kind`, as JSON, to the history of message `id`.
fn insert(conn: &Connection, id: i64, at: Millis, kind: &str, json: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO history (message, at, kind, data) VALUES (?1, ?2, ?3, ?4)")?
        .execute(rusqlite::params![id, at, kind, json])
        .map(|_| ())
}

/// The sender's one connection to the queue, shared by its tasks and held for one change at a
/// time (never across an await). A task that panicked while holding it left it poisoned,
/// perhaps in the middle of a transaction: that is rolled back, and the others go on.
pub fn locked(outbox: &std::sync::Mutex<Outbox>) -> std::sync::MutexGuard<'_, Outbox> {
    match outbox.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            outbox.clear_poison();
            let guard = poisoned.into_inner();
            guard.abandon_transaction();
            guard
        }
    }
}
