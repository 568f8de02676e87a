//! What the person (or the accounts they change) does to messages: cancel, delete, try now;
//! an account removed cancels its messages, an account added again takes them back.

use super::db::Outbox;
use super::error::OutboxError;
use super::read::Summary;
use crate::clock::now_ms;
use crate::outbox::history::Happening;

impl Outbox {
    /// Cancels a message that is not finished.
    pub fn cancel(&self, id: i64) -> Result<(), OutboxError> {
        self.update(
            id,
            "UPDATE messages SET state = 'cancelled', lease_until = NULL
             WHERE id = ?1 AND state IN ('queued', 'retry', 'failed')",
            &[],
            &Happening::Cancelled,
        )
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
                &Happening::AccountRemoved,
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
                &Happening::AccountBack,
            )?;
            self.resume(old)?;
            adopted += 1;
        }
        Ok(adopted)
    }

    /// Makes a waiting (or failed) message due now. A failed message is tried again for the
    /// recipients the server refused too (the person may have had that fixed); never for
    /// those that have it.
    pub fn retry_now(&self, id: i64) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE recipients SET state = 'waiting'
                 WHERE message = ?1 AND state = 'refused'
                   AND (SELECT state FROM messages WHERE id = ?1) = 'failed'",
                [id],
            )
            .map_err(|e| self.db(e))?;
        self.update(
            id,
            "UPDATE messages SET state = 'retry', next_attempt = ?2
             WHERE id = ?1 AND state IN ('queued', 'retry', 'failed')",
            &[&now_ms()],
            &Happening::RetryRequested,
        )
    }

    /// The person asked to send message `id` now: its account may send again (a pause was
    /// waiting for them) and the message is due. Returns the message as it was.
    pub fn retry_now_by_request(&self, id: i64) -> Result<Summary, OutboxError> {
        let (m, _) = self.get(id)?;
        // A sent message whose copy was not filed: the copy is filed again.
        if m.state == super::State::Sent && self.retry_copy(id)? {
            return Ok(m);
        }
        self.resume(&m.account)?;
        self.retry_now(id)?;
        Ok(m)
    }
}
