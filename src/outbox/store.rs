//! The durable queue: SQLite in WAL mode with `synchronous = FULL`, so a message is on disk
//! before anyone hears "queued", and every state change survives a crash or power cut.
//! A message being sent holds a lease; a lease that ran out (the sender died) makes the
//! message due again, so nothing is ever stuck or lost.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::clock::{Millis, now_ms};
use crate::message::Composed;

/// The newest schema this build knows.
pub const SCHEMA_VERSION: i64 = 2;

/// A message set to leave later that is first taken more than this after its time was not
/// sent then because Outpost was not running: its history says so.
const LATE_MS: Millis = 60_000;

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for its first attempt.
    Queued,
    /// Being sent right now (under a lease).
    Sending,
    /// Waiting to try again.
    Retry,
    /// Accepted by the server.
    Sent,
    /// Refused for good, or given up.
    Failed,
    /// Cancelled by the person.
    Cancelled,
}

impl State {
    /// Every state, in the order a message goes through them.
    pub const ALL: [State; 6] = [
        State::Queued,
        State::Sending,
        State::Retry,
        State::Sent,
        State::Failed,
        State::Cancelled,
    ];

    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sending => "sending",
            State::Retry => "retry",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => State::Queued,
            "sending" => State::Sending,
            "retry" => State::Retry,
            "sent" => State::Sent,
            "cancelled" => State::Cancelled,
            _ => State::Failed,
        }
    }

    /// The state as the outbox shows it to people ("will retry", "sent").
    pub fn in_words(self) -> String {
        match self {
            State::Queued => tr!("state-waiting"),
            State::Sending => tr!("state-sending"),
            State::Retry => tr!("state-retry"),
            State::Sent => tr!("state-sent"),
            State::Failed => tr!("state-failed"),
            State::Cancelled => tr!("state-cancelled"),
        }
    }

    /// Whether the message is finished (sent, failed or cancelled).
    pub fn is_final(self) -> bool {
        matches!(self, State::Sent | State::Failed | State::Cancelled)
    }
}

/// Why a message waits for another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The attempt failed and counts.
    Counted,
    /// The connection broke after the message was sent: counts, and it may have arrived.
    MaybeSent,
    /// This computer was offline: does not count; due again when the network is back.
    Offline,
    /// The account waits for the person: does not count.
    Paused,
}

/// A queued message as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Queue id.
    pub id: i64,
    /// The sending account's id.
    pub account: String,
    /// Recipients, for display.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Where it is.
    pub state: State,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt, when waiting.
    pub next_attempt_ms: Option<Millis>,
    /// The server's last reply or the last error.
    pub last_reply: Option<String>,
    /// The server's queue id from its 250 reply.
    pub server_queue_id: Option<String>,
    /// A connection broke after the message was sent: it may have arrived already.
    pub maybe_sent: bool,
    /// Message-ID header.
    pub message_id: String,
}

impl Summary {
    /// When it is to leave, if it was set to leave later (send later, or the time to undo)
    /// and has not been tried yet.
    pub fn scheduled(&self, now: Millis) -> Option<Millis> {
        self.next_attempt_ms
            .filter(|t| self.state == State::Queued && self.attempts == 0 && *t > now)
    }
}

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// Queue id.
    pub id: i64,
    /// The sending account's id.
    pub account: String,
    /// MAIL FROM.
    pub envelope_from: String,
    /// RCPT TO still to deliver.
    pub recipients: Vec<String>,
    /// The message.
    pub bytes: Vec<u8>,
    /// Attempts before this one.
    pub attempts: i64,
    /// When it was queued.
    pub created_ms: Millis,
}

/// One line of a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When.
    pub at_ms: Millis,
    /// What happened.
    pub text: String,
}

/// Why the queue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// SQLite failed (disk full, damaged file, permissions).
    #[error("{}", tr!(
        "outbox-error-db",
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Db {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// Written by a newer Outpost.
    #[error("{}", tr!(
        "outbox-error-too-new",
        path = .path.display().to_string(),
        found = *.found
    ))]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// The file is not a database any more (damaged on disk); it was left untouched.
    #[error("{}", tr!(
        "outbox-error-damaged",
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// No message with this id.
    #[error("{}", tr!("outbox-error-not-found", id = *.0))]
    NotFound(i64),
    /// The message exists, but its state does not allow what was asked.
    #[error("{}", tr!("outbox-error-state", id = *.id, state = .state.as_str()))]
    WrongState {
        /// Its queue id.
        id: i64,
        /// Where it is.
        state: State,
    },
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> OutboxError + '_ {
    move |source| {
        let damaged = matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
        );
        let path = path.to_path_buf();
        if damaged {
            OutboxError::Damaged { path, source }
        } else {
            OutboxError::Db { path, source }
        }
    }
}

/// The queue.
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA_V1: &str = "
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    message_id TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    recipients TEXT NOT NULL,
    display_to TEXT NOT NULL,
    subject TEXT NOT NULL,
    bytes BLOB NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    lease_until INTEGER,
    last_reply TEXT,
    server_queue_id TEXT,
    maybe_sent INTEGER NOT NULL DEFAULT 0,
    offline INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
-- Only unfinished messages, in the order they are due: claiming reads a few index entries.
CREATE INDEX messages_due ON messages(next_attempt, id)
    WHERE state IN ('queued', 'retry', 'sending');
CREATE TABLE events (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX events_message ON events(message);
CREATE TABLE paused (
    account TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    since INTEGER NOT NULL
);
";

/// Version 2: the message bytes in a table of their own, so that a change of state rewrites
/// a row of a few hundred bytes instead of a page holding the whole message.
const SCHEMA_V2: &str = "
CREATE TABLE bodies (
    message INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    bytes BLOB NOT NULL
);
INSERT INTO bodies (message, bytes) SELECT id, bytes FROM messages;
ALTER TABLE messages DROP COLUMN bytes;
";

/// Each schema version's changes, in order: version N is `MIGRATIONS[N - 1]`.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [SCHEMA_V1, SCHEMA_V2];

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
            // Two processes may open an old outbox at once: migrate under the write lock, and
            // only what the other one has not done meanwhile.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(db)?;
            for (n, migration) in (1..).zip(MIGRATIONS).skip(version.max(0) as usize) {
                tx.execute_batch(migration).map_err(db)?;
                tx.pragma_update(None, "user_version", n).map_err(db)?;
            }
            tx.commit().map_err(db)?;
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn db(&self, source: rusqlite::Error) -> OutboxError {
        db_err(&self.path)(source)
    }

    fn event(&self, id: i64, text: &str) -> Result<(), OutboxError> {
        self.conn
            .prepare_cached("INSERT INTO events (message, at, text) VALUES (?1, ?2, ?3)")
            .and_then(|mut stmt| stmt.execute(params![id, now_ms(), text]))
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Stores a composed message, to be sent at once; when this returns, it is on disk.
    pub fn enqueue(
        &mut self,
        account: &str,
        message: &Composed,
        display_to: &str,
        subject: &str,
    ) -> Result<i64, OutboxError> {
        self.enqueue_at(account, message, display_to, subject, None)
    }

    /// Stores a composed message that the worker takes no earlier than `not_before` (send
    /// later, or the grace in which sending can be undone), or at once with `None`; when this
    /// returns, it is on disk.
    pub fn enqueue_at(
        &mut self,
        account: &str,
        message: &Composed,
        display_to: &str,
        subject: &str,
        not_before: Option<Millis>,
    ) -> Result<i64, OutboxError> {
        let now = now_ms();
        let due = not_before.unwrap_or(now).max(now);
        let what = if due > now {
            tr!("note-queued-for", when = crate::clock::local(due))
        } else {
            tr!("note-queued")
        };
        let recipients = serde_json::to_string(&message.recipients).expect("strings serialize");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err(&self.path))?;
        tx.execute(
            "INSERT INTO messages (account, message_id, envelope_from, recipients, display_to,
                subject, state, next_attempt, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8)",
            params![
                account,
                message.message_id,
                message.envelope_from,
                recipients,
                display_to,
                subject,
                due,
                now
            ],
        )
        .map_err(db_err(&self.path))?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO bodies (message, bytes) VALUES (?1, ?2)",
            params![id, message.bytes],
        )
        .and_then(|_| {
            tx.execute(
                "INSERT INTO events (message, at, text) VALUES (?1, ?2, ?3)",
                params![id, now, what],
            )
        })
        .and_then(|_| tx.commit())
        .map_err(db_err(&self.path))?;
        Ok(id)
    }

    /// Claims the next due message (queued, waiting to retry, or with a lapsed lease) for
    /// `lease`, of `only` this account when given, skipping the accounts in `skip` and the
    /// paused ones.
    pub fn claim_due(
        &mut self,
        lease: Duration,
        only: Option<&str>,
        skip: &[String],
    ) -> Result<Option<Claimed>, OutboxError> {
        Ok(self.claim_batch(lease, only, skip, 1)?.pop())
    }

    /// Like [`Self::claim_due`], up to `max` messages of one account in one transaction.
    pub fn claim_batch(
        &mut self,
        lease: Duration,
        only: Option<&str>,
        skip: &[String],
        max: usize,
    ) -> Result<Vec<Claimed>, OutboxError> {
        let now = now_ms();
        let path = self.path.clone();
        let db = db_err(&path);
        // IMMEDIATE: take the write lock first, so that two lanes wait their turn instead of
        // failing when a read turns into a write.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        // Messages taken well after their time (see `LATE_MS`), with that time.
        let mut late = Vec::new();
        let claimed = {
            // Walk the due-index in order; only the chosen row's columns are read.
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, account FROM messages
                     WHERE state IN ('queued', 'retry', 'sending') AND next_attempt <= ?1
                       AND (state != 'sending' OR lease_until < ?1)
                       AND (?2 IS NULL OR account = ?2)
                       AND account NOT IN (SELECT account FROM paused)
                     ORDER BY next_attempt, id
                     LIMIT 256",
                )
                .map_err(&db)?;
            let candidates: Vec<(i64, String)> = stmt
                .query_map(params![now, only], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(&db)?
                .collect::<Result<_, _>>()
                .map_err(&db)?;
            let Some(account) = candidates
                .iter()
                .map(|(_, a)| a.clone())
                .find(|a| !skip.contains(a))
            else {
                return Ok(vec![]);
            };
            let mut fetch = tx
                .prepare_cached(
                    "SELECT envelope_from, recipients, bytes, attempts, created, next_attempt
                     FROM messages JOIN bodies ON bodies.message = messages.id
                     WHERE id = ?1",
                )
                .map_err(&db)?;
            let mut batch = Vec::new();
            for (id, _) in candidates
                .iter()
                .filter(|(_, a)| *a == account)
                .take(max.max(1))
            {
                batch.push(
                    fetch
                        .query_row([id], |row| {
                            let recipients: String = row.get(1)?;
                            let (attempts, created, due): (i64, Millis, Millis) =
                                (row.get(3)?, row.get(4)?, row.get(5)?);
                            // Set to leave later, and Outpost was not running then.
                            if attempts == 0 && due > created && now - due > LATE_MS {
                                late.push((*id, due));
                            }
                            Ok(Claimed {
                                id: *id,
                                account: account.clone(),
                                envelope_from: row.get(0)?,
                                recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                                bytes: row.get(2)?,
                                attempts: row.get(3)?,
                                created_ms: row.get(4)?,
                            })
                        })
                        .map_err(&db)?,
                );
            }
            batch
        };
        {
            let mut lease_it = tx
                .prepare_cached(
                    "UPDATE messages SET state = 'sending', lease_until = ?2 WHERE id = ?1",
                )
                .map_err(&db)?;
            for c in &claimed {
                lease_it
                    .execute(params![c.id, now + lease.as_millis() as i64])
                    .map_err(&db)?;
            }
            for (id, due) in late {
                let text = tr!("note-late", when = crate::clock::local(due));
                tx.execute(
                    "INSERT INTO events (message, at, text) VALUES (?1, ?2, ?3)",
                    params![id, now, text],
                )
                .map_err(&db)?;
            }
        }
        tx.commit().map_err(&db)?;
        Ok(claimed)
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

    fn update(
        &self,
        id: i64,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
        event: &str,
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
        self.event(id, event)
    }

    /// Why a change to message `id` changed nothing: it is gone, or in another state.
    fn not_changed(&self, id: i64) -> OutboxError {
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
        match state {
            Some(state) => OutboxError::WrongState {
                id,
                state: State::parse(&state),
            },
            None => OutboxError::NotFound(id),
        }
    }

    /// The server accepted the message.
    pub fn mark_sent(
        &self,
        id: i64,
        reply: &str,
        server_queue_id: Option<&str>,
    ) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE messages SET state = 'sent', lease_until = NULL, attempts = attempts + 1,
                last_reply = ?2, server_queue_id = ?3 WHERE id = ?1",
            &[&reply, &server_queue_id],
            &tr!("note-sent", reply = reply),
        )
    }

    /// Try again at `at`, as `kind` says.
    pub fn mark_retry(
        &self,
        id: i64,
        at: Millis,
        reply: &str,
        kind: RetryKind,
    ) -> Result<(), OutboxError> {
        let counts = kind == RetryKind::Counted || kind == RetryKind::MaybeSent;
        let maybe_sent = kind == RetryKind::MaybeSent;
        let offline = kind == RetryKind::Offline;
        self.update(
            id,
            "UPDATE messages SET state = 'retry', lease_until = NULL, next_attempt = ?2,
                attempts = attempts + ?3, last_reply = ?4, maybe_sent = maybe_sent OR ?5,
                offline = ?6
             WHERE id = ?1",
            &[&at, &i64::from(counts), &reply, &maybe_sent, &offline],
            &tr!("note-retry", reply = reply),
        )
    }

    /// Refused for good, or given up.
    pub fn mark_failed(&self, id: i64, reason: &str) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE messages SET state = 'failed', lease_until = NULL, attempts = attempts + 1,
                last_reply = ?2 WHERE id = ?1",
            &[&reason],
            &tr!("note-failed", reason = reason),
        )
    }

    /// Some recipients were refused for good: only `remaining` are tried again.
    pub fn set_recipients(
        &self,
        id: i64,
        remaining: &[String],
        note: &str,
    ) -> Result<(), OutboxError> {
        let json = serde_json::to_string(remaining).expect("strings serialize");
        self.update(
            id,
            "UPDATE messages SET recipients = ?2 WHERE id = ?1",
            &[&json],
            note,
        )
    }

    /// Writes a note into the message's history.
    pub fn note(&self, id: i64, text: &str) -> Result<(), OutboxError> {
        self.event(id, text)
    }

    /// Cancels a message that is not finished.
    pub fn cancel(&self, id: i64) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE messages SET state = 'cancelled', lease_until = NULL
             WHERE id = ?1 AND state IN ('queued', 'retry', 'failed')",
            &[],
            "cancelled",
        )
    }

    /// How many messages of `account` are not sent yet (queued, waiting to retry, or being
    /// sent).
    pub fn waiting_for(&self, account: &str) -> Result<usize, OutboxError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE account = ?1
                 AND state IN ('queued', 'retry', 'sending')",
                [account],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.db(e))
    }

    /// Cancels every unfinished message of `account` (being removed); returns how many.
    pub fn cancel_account(&self, account: &str) -> Result<usize, OutboxError> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id FROM messages WHERE account = ?1
                     AND state IN ('queued', 'retry', 'failed')",
                )
                .map_err(|e| self.db(e))?;
            let rows = stmt
                .query_map([account], |r| r.get(0))
                .map_err(|e| self.db(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.db(e))?
        };
        for id in &ids {
            self.update(
                *id,
                "UPDATE messages SET state = 'cancelled', lease_until = NULL WHERE id = ?1",
                &[],
                &tr!("note-account-removed"),
            )?;
        }
        Ok(ids.len())
    }

    /// Gives the waiting messages sent from `email` whose account is gone (not in `known`,
    /// the ids of the accounts there are) to the account with id `account`, added again
    /// for that address; returns how many. Its pause, if any, is lifted by [`Self::resume`].
    pub fn adopt(&self, email: &str, account: &str, known: &[&str]) -> Result<usize, OutboxError> {
        let orphans: Vec<(i64, String)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id, account FROM messages WHERE envelope_from = ?1 COLLATE NOCASE
                     AND state IN ('queued', 'retry') AND account != ?2",
                )
                .map_err(|e| self.db(e))?;
            let rows = stmt
                .query_map([email, account], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.db(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.db(e))?
        };
        let mut adopted = 0;
        for (id, old) in orphans
            .iter()
            .filter(|(_, old)| !known.contains(&old.as_str()))
        {
            self.update(
                *id,
                "UPDATE messages SET account = ?2, next_attempt = ?3 WHERE id = ?1",
                &[&account, &now_ms()],
                &tr!("note-account-back"),
            )?;
            self.resume(old)?;
            adopted += 1;
        }
        Ok(adopted)
    }

    /// Makes a waiting (or failed) message due now.
    pub fn retry_now(&self, id: i64) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE messages SET state = 'retry', next_attempt = ?2
             WHERE id = ?1 AND state IN ('queued', 'retry', 'failed')",
            &[&now_ms()],
            &tr!("note-retry-requested"),
        )
    }

    /// The person asked to send message `id` now: its account may send again (a pause was
    /// waiting for them) and the message is due. Returns the message as it was.
    pub fn retry_now_by_request(&self, id: i64) -> Result<Summary, OutboxError> {
        let (m, _) = self.get(id)?;
        self.resume(&m.account)?;
        self.retry_now(id)?;
        Ok(m)
    }

    fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
        let state = State::parse(&row.get::<_, String>(5)?);
        Ok(Summary {
            id: row.get(0)?,
            account: row.get(1)?,
            to: row.get(2)?,
            subject: row.get(3)?,
            message_id: row.get(4)?,
            state,
            attempts: row.get(6)?,
            next_attempt_ms: matches!(state, State::Queued | State::Retry)
                .then(|| row.get(7))
                .transpose()?,
            last_reply: row.get(8)?,
            server_queue_id: row.get(9)?,
            maybe_sent: row.get(10)?,
        })
    }

    const SUMMARY: &'static str = "SELECT id, account, display_to, subject, message_id, state,
        attempts, next_attempt, last_reply, server_queue_id, maybe_sent FROM messages";

    /// Every message, newest first.
    pub fn list(&self) -> Result<Vec<Summary>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{} ORDER BY id DESC", Self::SUMMARY))
            .map_err(|e| self.db(e))?;
        let rows = stmt.query_map([], Self::summary).map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Every message's id and state, newest first: what a list needs to filter and count
    /// without holding every message in memory.
    pub fn index(&self) -> Result<Vec<(i64, State)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, state FROM messages ORDER BY id DESC")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, State::parse(&r.get::<_, String>(1)?)))
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// The messages with these ids (those that still exist), in no particular order.
    pub fn summaries(&self, ids: &[i64]) -> Result<Vec<Summary>, OutboxError> {
        let mut found = Vec::with_capacity(ids.len());
        // SQLite limits the parameters of one statement: ask in chunks.
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self
                .conn
                .prepare(&format!("{} WHERE id IN ({marks})", Self::SUMMARY))
                .map_err(|e| self.db(e))?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk), Self::summary)
                .map_err(|e| self.db(e))?;
            for row in rows {
                found.push(row.map_err(|e| self.db(e))?);
            }
        }
        Ok(found)
    }

    /// How many unfinished messages each account has.
    pub fn waiting_by_account(&self) -> Result<Vec<(String, i64)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT account, COUNT(*) FROM messages
                 WHERE state IN ('queued', 'retry', 'sending') GROUP BY account",
            )
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// One message and its history.
    pub fn get(&self, id: i64) -> Result<(Summary, Vec<Event>), OutboxError> {
        let summary = self
            .conn
            .query_row(
                &format!("{} WHERE id = ?1", Self::SUMMARY),
                [id],
                Self::summary,
            )
            .optional()
            .map_err(|e| self.db(e))?
            .ok_or(OutboxError::NotFound(id))?;
        let mut stmt = self
            .conn
            .prepare("SELECT at, text FROM events WHERE message = ?1 ORDER BY rowid")
            .map_err(|e| self.db(e))?;
        let events = stmt
            .query_map([id], |r| {
                Ok(Event {
                    at_ms: r.get(0)?,
                    text: r.get(1)?,
                })
            })
            .map_err(|e| self.db(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.db(e))?;
        Ok((summary, events))
    }

    /// Deletes a message that is not being sent right now, with its history.
    pub fn delete(&self, id: i64) -> Result<(), OutboxError> {
        let changed = self
            .conn
            .execute(
                "DELETE FROM messages WHERE id = ?1 AND state != 'sending'",
                [id],
            )
            .map_err(|e| self.db(e))?;
        if changed == 0 {
            return Err(self.not_changed(id));
        }
        Ok(())
    }

    /// The message as queued (RFC 5322 bytes) and its envelope recipients.
    pub fn content(&self, id: i64) -> Result<(Vec<u8>, Vec<String>), OutboxError> {
        let (bytes, recipients): (Vec<u8>, String) = self
            .conn
            .query_row(
                "SELECT bytes, recipients FROM messages JOIN bodies ON bodies.message = messages.id
                 WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.db(e))?
            .ok_or(OutboxError::NotFound(id))?;
        Ok((bytes, serde_json::from_str(&recipients).unwrap_or_default()))
    }

    /// How many messages are in each state.
    pub fn counts(&self) -> Result<Vec<(State, i64)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM messages GROUP BY state")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((State::parse(&r.get::<_, String>(0)?), r.get(1)?))
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// A number that changes whenever another connection (another process, or the worker)
    /// commits a change: a cheap way to know that a list must be read again.
    pub fn data_version(&self) -> Result<i64, OutboxError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.db(e))
    }

    /// Frees messages left "sending" by a worker that died; call only while holding the
    /// worker lock, when no message can really be in flight. Returns how many were freed.
    pub fn release_leases(&self) -> Result<usize, OutboxError> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM messages WHERE state = 'sending'")
                .map_err(|e| self.db(e))?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.db(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.db(e))?
        };
        for id in &ids {
            self.update(
                *id,
                "UPDATE messages SET state = 'retry', lease_until = NULL, next_attempt = ?2
                 WHERE id = ?1",
                &[&now_ms()],
                &tr!("note-sender-stopped"),
            )?;
        }
        Ok(ids.len())
    }

    /// Accounts with messages waiting because this computer was offline.
    pub fn offline_accounts(&self) -> Result<Vec<String>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT account FROM messages WHERE state = 'retry' AND offline = 1")
            .map_err(|e| self.db(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// The network is back for `account`: its messages that waited for it are due now.
    pub fn online_again(&self, account: &str) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE messages SET next_attempt = ?2, offline = 0
                 WHERE state = 'retry' AND offline = 1 AND account = ?1",
                params![account, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Stops sending for `account` until [`Self::resume`]: the person must act first.
    pub fn pause(&self, account: &str, reason: &str) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO paused (account, reason, since) VALUES (?1, ?2, ?3)",
                params![account, reason, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Holds every waiting message of `account` until `at` at least (a limit reached).
    pub fn hold_account(&self, account: &str, at: Millis) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE messages SET next_attempt = MAX(next_attempt, ?2)
                 WHERE account = ?1 AND state IN ('queued', 'retry')",
                params![account, at],
            )
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Sends for `account` again.
    pub fn resume(&self, account: &str) -> Result<(), OutboxError> {
        self.conn
            .execute("DELETE FROM paused WHERE account = ?1", [account])
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Paused accounts and why.
    pub fn paused(&self) -> Result<Vec<(String, String)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, reason FROM paused ORDER BY since")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// When the next waiting message is due, if any; messages of paused accounts wait for
    /// the person, not for a time, and do not count.
    pub fn next_due(&self) -> Result<Option<Millis>, OutboxError> {
        self.conn
            .query_row(
                "SELECT MIN(CASE WHEN state = 'sending' THEN lease_until ELSE next_attempt END)
                 FROM messages WHERE state IN ('queued', 'retry', 'sending')
                   AND account NOT IN (SELECT account FROM paused)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composed(n: u8) -> Composed {
        Composed {
            message_id: format!("<m{n}@example.org>"),
            envelope_from: "ann@example.org".into(),
            recipients: vec!["bob@example.net".into(), "carol@example.net".into()],
            bytes: format!("Subject: {n}\r\n\r\nbody\r\n").into_bytes(),
        }
    }

    fn open(dir: &tempfile::TempDir) -> Outbox {
        Outbox::open(&dir.path().join("data/outbox.sqlite")).unwrap()
    }

    #[test]
    fn a_queued_message_survives_reopening_and_is_claimed_once() {
        let dir = tempfile::tempdir().unwrap();
        let id = open(&dir)
            .enqueue("acc", &composed(1), "bob@example.net", "Hi")
            .unwrap();
        let mut q = open(&dir);
        let lease = Duration::from_secs(60);
        let c = q.claim_due(lease, None, &[]).unwrap().unwrap();
        assert_eq!((c.id, c.recipients.len()), (id, 2));
        assert_eq!(c.bytes, composed(1).bytes);
        assert!(
            q.claim_due(lease, None, &[]).unwrap().is_none(),
            "leased: not claimed twice"
        );
        assert_eq!(q.list().unwrap()[0].state, State::Sending);
    }

    #[test]
    fn a_message_for_later_waits_and_says_when_it_was_sent_late() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = open(&dir);
        let lease = Duration::from_secs(60);
        let later = now_ms() + 3_600_000;
        let id = q
            .enqueue_at("acc", &composed(1), "bob", "Hi", Some(later))
            .unwrap();
        assert!(
            q.claim_due(lease, None, &[]).unwrap().is_none(),
            "not early"
        );
        assert_eq!(q.list().unwrap()[0].next_attempt_ms, Some(later));
        // As if it had been queued an hour ago for two minutes ago, and Outpost had not run
        // since.
        let now = now_ms();
        q.conn
            .execute(
                "UPDATE messages SET created = ?2, next_attempt = ?3 WHERE id = ?1",
                params![id, now - 3_600_000, now - 120_000],
            )
            .unwrap();
        assert!(q.claim_due(lease, None, &[]).unwrap().is_some());
        let history: Vec<String> = q.get(id).unwrap().1.into_iter().map(|e| e.text).collect();
        assert!(history[0].starts_with("queued, to be sent "), "{history:?}");
        assert!(
            history[1].contains("Outpost was not running then, so it is sent now"),
            "{history:?}"
        );
    }

    #[test]
    fn a_lapsed_lease_makes_the_message_due_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = open(&dir);
        q.enqueue("acc", &composed(1), "bob", "Hi").unwrap();
        q.claim_due(Duration::ZERO, None, &[]).unwrap().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        assert!(
            q.claim_due(Duration::from_secs(60), None, &[])
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn busy_accounts_are_skipped_so_no_lane_blocks_another() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = open(&dir);
        q.enqueue("a", &composed(1), "bob", "1").unwrap();
        let b = q.enqueue("b", &composed(2), "bob", "2").unwrap();
        let c = q
            .claim_due(Duration::from_secs(60), None, &["a".into()])
            .unwrap()
            .unwrap();
        assert_eq!(c.id, b);
    }

    #[test]
    fn states_and_history_are_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = open(&dir);
        let id = q.enqueue("acc", &composed(1), "bob", "Hi").unwrap();
        q.claim_due(Duration::from_secs(60), None, &[]).unwrap();
        q.mark_retry(id, now_ms() + 60_000, "451 4.3.0 later", RetryKind::Counted)
            .unwrap();
        assert!(
            q.claim_due(Duration::from_secs(60), None, &[])
                .unwrap()
                .is_none(),
            "not due yet"
        );
        q.retry_now(id).unwrap();
        q.claim_due(Duration::from_secs(60), None, &[])
            .unwrap()
            .unwrap();
        q.mark_sent(id, "250 2.0.0 Ok: queued as X1", Some("X1"))
            .unwrap();
        let (s, events) = q.get(id).unwrap();
        assert_eq!((s.state, s.attempts), (State::Sent, 2));
        assert_eq!(s.server_queue_id.as_deref(), Some("X1"));
        let texts: Vec<_> = events.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts[0], "queued");
        assert!(texts.iter().any(|t| t.contains("451 4.3.0")));
        assert!(q.cancel(id).is_err(), "a sent message cannot be cancelled");
        assert!(matches!(q.get(99), Err(OutboxError::NotFound(99))));
    }

    #[test]
    fn deleting_counting_and_noticing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut q = open(&dir);
        let reader = open(&dir);
        let before = reader.data_version().unwrap();
        let a = q.enqueue("acc", &composed(1), "bob", "1").unwrap();
        let b = q.enqueue("acc", &composed(2), "bob", "2").unwrap();
        assert_ne!(
            reader.data_version().unwrap(),
            before,
            "another connection wrote"
        );
        q.cancel(b).unwrap();
        let mut counts = reader.counts().unwrap();
        counts.sort_by_key(|(s, _)| s.as_str());
        assert_eq!(counts, vec![(State::Cancelled, 1), (State::Queued, 1)]);
        let (bytes, rcpts) = reader.content(a).unwrap();
        assert_eq!((bytes, rcpts.len()), (composed(1).bytes, 2));
        q.claim_due(Duration::from_secs(60), None, &[])
            .unwrap()
            .unwrap();
        assert!(q.delete(a).is_err(), "a message being sent stays");
        q.delete(b).unwrap();
        assert!(matches!(q.get(b), Err(OutboxError::NotFound(_))));
        assert_eq!(reader.index().unwrap(), vec![(a, State::Sending)]);
        assert!(reader.next_due().unwrap().is_some());
        q.pause("acc", "log in again").unwrap();
        assert_eq!(
            reader.next_due().unwrap(),
            None,
            "a paused account's messages are not due (the worker would spin)"
        );
        q.resume("acc").unwrap();
        assert_eq!(reader.summaries(&[a, 999]).unwrap()[0].id, a);
        assert_eq!(
            reader.waiting_by_account().unwrap(),
            vec![("acc".into(), 1)]
        );
        let c = q.enqueue("other", &composed(3), "bob", "3").unwrap();
        assert_eq!(q.cancel_account("other").unwrap(), 1);
        assert_eq!(q.get(c).unwrap().0.state, State::Cancelled);
    }

    #[test]
    fn an_outbox_of_the_first_schema_keeps_its_messages_and_deletes_them_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(SCHEMA_V1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        let m = composed(1);
        for subject in ["kept", "deleted"] {
            old.execute(
                "INSERT INTO messages (account, message_id, envelope_from, recipients,
                    display_to, subject, bytes, state, next_attempt, created)
                 VALUES ('acc', ?1, ?2, '[\"bob@example.net\"]', 'bob', ?3, ?4, 'queued', 0, 0)",
                params![m.message_id, m.envelope_from, subject, m.bytes],
            )
            .unwrap();
        }
        drop(old);
        let mut q = Outbox::open(&path).unwrap();
        let version: i64 = q
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let (bytes, rcpts) = q.content(1).unwrap();
        assert_eq!(
            (bytes, rcpts),
            (m.bytes.clone(), vec!["bob@example.net".into()])
        );
        q.delete(2).unwrap();
        let bodies: i64 = q
            .conn
            .query_row("SELECT count(*) FROM bodies", [], |r| r.get(0))
            .unwrap();
        assert_eq!(bodies, 1, "a deleted message's bytes go with it");
        let c = q.claim_due(Duration::from_secs(60), None, &[]).unwrap();
        assert_eq!(c.map(|c| c.bytes), Some(m.bytes));
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite");
        Outbox::open(&path).unwrap();
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 9)
            .unwrap();
        assert!(matches!(
            Outbox::open(&path),
            Err(OutboxError::TooNew { found: 9, .. })
        ));
    }
}
