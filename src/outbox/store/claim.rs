//! Taking due messages for sending. A message being sent holds a lease; a lease that ran out
//! (the sender died) makes the message due again, so nothing is ever stuck or lost.

use std::time::Duration;

use rusqlite::{TransactionBehavior, params};

use super::db::{Outbox, record};
use super::error::to_json;
use super::error::{OutboxError, db_err};
use super::recipients;
use crate::clock::{Millis, now_ms};
use crate::outbox::history::{Cause, Happening};
use crate::outbox::policy::FIRST_RETRY;

/// A message set to leave later that is first taken more than this after its time was not
/// sent then because Outpost was not running: its history says so.
const LATE_MS: Millis = 60_000;

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

impl Outbox {
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
                    "SELECT envelope_from, bytes, attempts, created, next_attempt
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
                let c = fetch
                    .query_row([id], |row| {
                        let (attempts, created, due): (i64, Millis, Millis) =
                            (row.get(2)?, row.get(3)?, row.get(4)?);
                        // Set to leave later, and Outpost was not running then.
                        if attempts == 0 && due > created && now - due > LATE_MS {
                            late.push((*id, due));
                        }
                        Ok(Claimed {
                            id: *id,
                            account: account.clone(),
                            envelope_from: row.get(0)?,
                            recipients: vec![],
                            bytes: row.get(1)?,
                            attempts,
                            created_ms: created,
                        })
                    })
                    .map_err(&db)?;
                batch.push(c);
            }
            // Their recipients still to deliver, in one query for the batch.
            let ids: Vec<i64> = batch.iter().map(|c| c.id).collect();
            let mut undelivered = recipients::undelivered(&tx, &ids).map_err(&db)?;
            for c in &mut batch {
                c.recipients = undelivered.remove(&c.id).unwrap_or_default();
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
                record(&tx, id, now, &Happening::Late { due }).map_err(&db)?;
            }
        }
        tx.commit().map_err(&db)?;
        Ok(claimed)
    }

    /// Messages `ids` were held by a lane that a bug (`bug`, what the panic said) stopped:
    /// they wait a minute, counted as an attempt (a message that always meets the bug is
    /// given up in the end), and their history says why.
    pub fn release_after_bug(&self, ids: &[i64], bug: &str) -> Result<(), OutboxError> {
        let at = now_ms() + FIRST_RETRY.as_millis() as i64;
        let what = Happening::Retry {
            next_attempt: at,
            cause: Cause::Bug {
                panic: bug.to_string(),
            },
        };
        let json = to_json(&what).map_err(|e| self.db(e))?;
        for id in ids {
            self.update(
                *id,
                "UPDATE messages SET state = 'retry', lease_until = NULL, next_attempt = ?2,
                    attempts = attempts + 1, last_event = ?3
                 WHERE id = ?1 AND state = 'sending'",
                &[&at, &json],
                &what,
            )?;
        }
        Ok(())
    }

    /// Messages `ids`, claimed and not begun, wait again as they did (the sender was asked to
    /// stop): no attempt counted, nothing for their history.
    pub fn release(&self, ids: &[i64]) -> Result<(), OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE messages SET lease_until = NULL,
                    state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retry' END
                 WHERE id = ?1 AND state = 'sending'",
            )
            .map_err(|e| self.db(e))?;
        for id in ids {
            stmt.execute([id]).map_err(|e| self.db(e))?;
        }
        Ok(())
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
                &Happening::SenderStopped,
            )?;
        }
        Ok(ids.len())
    }
}
