//! The copies of sent messages to file in the Sent folder: a job of their own, queued in the
//! same transaction that records the message as sent (so a sender killed between the
//! server's acceptance and the filing files it later, never sends again), leased while being
//! filed, and retried on their own schedule. What becomes of a copy never changes the
//! message's own state.

use std::time::Duration;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::db::{Outbox, record};
use super::error::OutboxError;
use crate::clock::{Millis, now_ms};
use crate::outbox::history::{CopyCause, Happening};

/// Where a message's copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyState {
    /// To be filed (first, or again after a failure that may pass).
    Waiting,
    /// Being filed right now (under a lease).
    Filing,
    /// Filed in the Sent folder.
    Filed,
    /// Not filed, for good.
    Failed,
}

impl CopyState {
    /// Every state.
    pub const ALL: [CopyState; 4] = [
        CopyState::Waiting,
        CopyState::Filing,
        CopyState::Filed,
        CopyState::Failed,
    ];

    /// The name stored and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyState::Waiting => "waiting",
            CopyState::Filing => "filing",
            CopyState::Filed => "filed",
            CopyState::Failed => "failed",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// In words, for the outbox's details.
    pub fn in_words(self, folder: Option<&str>) -> String {
        match (self, folder) {
            (CopyState::Filed, Some(f)) => tr!("copy-state-filed", folder = f),
            (CopyState::Filed, None) => tr!("copy-state-filed", folder = "Sent"),
            (CopyState::Waiting | CopyState::Filing, _) => tr!("copy-state-waiting"),
            (CopyState::Failed, _) => tr!("copy-state-failed"),
        }
    }
}

/// A copy claimed for filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyJob {
    /// The message's queue id.
    pub id: i64,
    /// Its account's id.
    pub account: String,
    /// Attempts before this one.
    pub attempts: i64,
    /// The message exactly as sent.
    pub bytes: Vec<u8>,
    /// Its Bcc recipients (not in the bytes sent; kept in the copy).
    pub bcc: Vec<String>,
}

impl Outbox {
    /// A copy of message `id` is to be filed for `account` (once: queuing it again changes
    /// nothing). Called in the transaction that records the message as sent.
    pub fn queue_copy(&self, id: i64, account: &str) -> Result<(), OutboxError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO copies (message, account, state, next_attempt)
                 VALUES (?1, ?2, 'waiting', ?3)",
            )
            .and_then(|mut s| s.execute(params![id, account, now_ms()]))
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    /// Claims up to `max` copies of one account (the one whose copy is due first) due by
    /// `due_by` (now, or earlier to leave the newest for later), each for `lease`.
    pub fn claim_copies(
        &mut self,
        lease: Duration,
        max: usize,
        due_by: Millis,
    ) -> Result<Vec<CopyJob>, OutboxError> {
        let now = now_ms();
        let until = now + lease.as_millis() as i64;
        let path = self.path.clone();
        let db = super::error::db_err(&path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        let due = "(state = 'waiting' AND next_attempt <= ?4)
                   OR (state = 'filing' AND lease_until <= ?1)";
        let account: Option<String> = tx
            .query_row(
                &format!("SELECT account FROM copies WHERE {due} ORDER BY next_attempt LIMIT 1"),
                params![now, Option::<String>::None, Option::<i64>::None, due_by],
                |r| r.get(0),
            )
            .optional()
            .map_err(&db)?;
        let Some(account) = account else {
            return Ok(vec![]);
        };
        let jobs: Vec<CopyJob> = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT c.message, c.attempts, b.bytes,
                        (SELECT json_group_array(address) FROM
                            (SELECT address FROM recipients r
                             WHERE r.message = c.message AND r.field = 'bcc'
                             ORDER BY position))
                     FROM copies c JOIN bodies b ON b.message = c.message
                     WHERE c.account = ?2 AND ({due})
                     ORDER BY c.next_attempt LIMIT ?3"
                ))
                .map_err(&db)?;
            let rows = stmt
                .query_map(params![now, account, max as i64, due_by], |r| {
                    let bcc: String = r.get(3)?;
                    Ok(CopyJob {
                        id: r.get(0)?,
                        account: account.clone(),
                        attempts: r.get(1)?,
                        bytes: r.get(2)?,
                        bcc: serde_json::from_str(&bcc).unwrap_or_default(),
                    })
                })
                .map_err(&db)?;
            rows.collect::<Result<_, _>>().map_err(&db)?
        };
        for job in &jobs {
            tx.execute(
                "UPDATE copies SET state = 'filing', lease_until = ?2 WHERE message = ?1",
                params![job.id, until],
            )
            .map_err(&db)?;
        }
        tx.commit().map_err(&db)?;
        Ok(jobs)
    }

    /// The copy of message `id` is in `folder` (with the server's `uid` when it said).
    pub fn copy_filed(&self, id: i64, folder: &str, uid: Option<u32>) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE copies SET state = 'filed', lease_until = NULL, attempts = attempts + 1,
                folder = ?2 WHERE message = ?1",
            &[&folder],
            &Happening::Filed {
                folder: folder.to_string(),
                uid,
            },
        )
    }

    /// The account had no Sent folder; Outpost made `folder` while filing message `id`.
    pub fn folder_created(&self, id: i64, folder: &str) -> Result<(), OutboxError> {
        record(
            &self.conn,
            id,
            now_ms(),
            &Happening::FolderCreated {
                folder: folder.to_string(),
            },
        )
        .map_err(|e| self.db(e))
    }

    /// The copy of message `id` waits to be filed again at `at`.
    pub fn copy_retry(&self, id: i64, at: Millis, cause: &CopyCause) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE copies SET state = 'waiting', lease_until = NULL, attempts = attempts + 1,
                next_attempt = ?2 WHERE message = ?1",
            &[&at],
            &Happening::CopyRetry {
                next_attempt: at,
                cause: cause.clone(),
            },
        )
    }

    /// The copy of message `id` is not filed, for good.
    pub fn copy_failed(&self, id: i64, cause: &CopyCause) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE copies SET state = 'failed', lease_until = NULL, attempts = attempts + 1
             WHERE message = ?1",
            &[],
            &Happening::CopyNotFiled {
                cause: cause.clone(),
            },
        )
    }

    /// The copy of message `id` is filed now (the person made room, say, or the server is
    /// back). Returns whether there was a copy that had not been filed.
    pub fn retry_copy(&self, id: i64) -> Result<bool, OutboxError> {
        let changed = self
            .conn
            .execute(
                "UPDATE copies SET state = 'waiting', next_attempt = ?2, attempts = 0
                 WHERE message = ?1 AND state IN ('failed', 'waiting')
                   AND EXISTS (SELECT 1 FROM bodies WHERE message = ?1)",
                params![id, now_ms()],
            )
            .map_err(|e| self.db(e))?;
        if changed > 0 {
            self.record(id, &Happening::RetryRequested)?;
        }
        Ok(changed > 0)
    }

    /// Frees copies left "filing" by a worker that died (call holding the worker lock).
    pub fn release_copy_leases(&self) -> Result<usize, OutboxError> {
        self.conn
            .execute(
                "UPDATE copies SET state = 'waiting', lease_until = NULL WHERE state = 'filing'",
                [],
            )
            .map_err(|e| self.db(e))
    }

    /// When the next copy to file is due, if any.
    pub fn next_copy_due(&self) -> Result<Option<Millis>, OutboxError> {
        self.conn
            .query_row(
                "SELECT MIN(CASE WHEN state = 'filing' THEN lease_until ELSE next_attempt END)
                 FROM copies WHERE state IN ('waiting', 'filing')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))
    }

    /// Where the copy of message `id` is, and its folder once filed; `None` when it has none
    /// to file (its account files no copies, or it was not sent).
    pub fn copy_of(&self, id: i64) -> Result<Option<(CopyState, Option<String>)>, OutboxError> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT state, folder FROM copies WHERE message = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        Ok(row.and_then(|(state, folder)| Some((CopyState::parse(&state)?, folder))))
    }
}
