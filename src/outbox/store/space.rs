//! The outbox's size: the bodies of finished messages dropped after their time (the message,
//! its recipients and history stay), the space given back to the file system, and how much
//! the outbox holds.

use rusqlite::params;
use serde::Serialize;

use super::db::Outbox;
use super::error::OutboxError;
use super::state::State;
use crate::clock::Millis;

/// Bodies dropped in one transaction: a kill loses no more than one batch's work, and a
/// sender waiting for the write lock waits for one batch at most.
const BATCH: i64 = 64;

/// Pages given back per step of the incremental vacuum (4 MiB of 4 KiB pages).
const RECLAIM_PAGES: i64 = 1024;

/// Free pages the incremental vacuum gives back; more go by one `VACUUM` (16 MiB).
const INCREMENTAL_PAGES: i64 = 4096;

/// What pruning did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Messages whose bodies were dropped.
    pub messages: u64,
    /// The bytes of those bodies.
    pub bytes: u64,
}

/// What the outbox holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Space {
    /// Messages in each state.
    pub messages: Vec<(State, i64)>,
    /// Messages whose text is still kept.
    pub bodies: u64,
    /// The bytes of those texts.
    pub body_bytes: u64,
    /// The database file's size (without its write-ahead log).
    pub file_bytes: u64,
    /// Of the file, the pages that are free (given back by the next reclaim).
    pub free_bytes: u64,
}

impl Outbox {
    /// Drops the bodies of the messages that were sent or cancelled before `before` (their
    /// last history entry): the message, its recipients and history stay. Messages that wait
    /// or failed keep theirs, whatever their age. Works in batches, each its own transaction.
    pub fn prune_bodies(&mut self, before: Millis) -> Result<Pruned, OutboxError> {
        let mut pruned = Pruned::default();
        loop {
            let batch = self.batch(|o| o.prune_batch(before))?;
            pruned.messages += batch.messages;
            pruned.bytes += batch.bytes;
            if batch.messages < BATCH as u64 {
                return Ok(pruned);
            }
        }
    }

    fn prune_batch(&self, before: Millis) -> Result<Pruned, OutboxError> {
        let ids: Vec<(i64, i64)> = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT b.message, length(b.bytes) FROM bodies b
                     JOIN messages m ON m.id = b.message
                     WHERE m.state IN ('sent', 'cancelled')
                       AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.message = m.id
                           AND c.state IN ('waiting', 'filing'))
                       AND (SELECT MAX(at) FROM history h WHERE h.message = m.id) < ?1
                     LIMIT ?2",
                )
                .map_err(|e| self.db(e))?;
            stmt.query_map(params![before, BATCH], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.db(e))?
                .collect::<Result<_, _>>()
                .map_err(|e| self.db(e))?
        };
        let mut delete = self
            .conn
            .prepare_cached("DELETE FROM bodies WHERE message = ?1")
            .map_err(|e| self.db(e))?;
        for (id, _) in &ids {
            crate::fault::point("prune");
            delete.execute([id]).map_err(|e| self.db(e))?;
        }
        Ok(Pruned {
            messages: ids.len() as u64,
            bytes: ids.iter().map(|(_, n)| *n as u64).sum(),
        })
    }

    /// Gives the free pages back to the file system (those a prune left, also one that was
    /// killed); then the log is folded into the file, which shrinks. A few pages go by the
    /// incremental vacuum, a step at a time; many by one `VACUUM`, which copies only what is
    /// live (the incremental vacuum searches the free list for every page it moves: a
    /// gigabyte freed took it 54 s, against half a second; see BENCHMARKS.md). Nothing to do
    /// when no page is free.
    pub fn reclaim(&self) -> Result<(), OutboxError> {
        let free = || -> Result<i64, OutboxError> {
            self.conn
                .query_row("PRAGMA freelist_count", [], |r| r.get(0))
                .map_err(|e| self.db(e))
        };
        let mut left = free()?;
        if left == 0 {
            return Ok(());
        }
        // A reader elsewhere can keep VACUUM from running: then step by step after all.
        let vacuumed = left > INCREMENTAL_PAGES && self.conn.execute_batch("VACUUM").is_ok();
        while !vacuumed && left > 0 {
            self.conn
                .execute_batch(&format!("PRAGMA incremental_vacuum({RECLAIM_PAGES})"))
                .map_err(|e| self.db(e))?;
            let now = free()?;
            // A database not in incremental mode gives nothing back this way.
            if now >= left {
                break;
            }
            left = now;
        }
        // Best effort: a reader elsewhere keeps the log for now; a later checkpoint folds it.
        let _busy: rusqlite::Result<(i64, i64, i64)> =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                });
        Ok(())
    }

    /// SQLite's own check of the file: "ok", or what is wrong.
    pub fn integrity_check(&self) -> Result<String, OutboxError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.db(e))
    }

    /// How many messages the outbox holds, and how much space.
    pub fn space(&self) -> Result<Space, OutboxError> {
        let pragma = |name: &str| -> Result<u64, OutboxError> {
            self.conn
                .query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.db(e))
        };
        let page = pragma("page_size")?;
        let (bodies, body_bytes): (i64, i64) = self
            .conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(length(bytes)), 0) FROM bodies",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.db(e))?;
        Ok(Space {
            messages: self.counts()?,
            bodies: bodies as u64,
            body_bytes: body_bytes as u64,
            file_bytes: pragma("page_count")? * page,
            free_bytes: pragma("freelist_count")? * page,
        })
    }
}
