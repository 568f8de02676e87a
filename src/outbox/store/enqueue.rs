//! Putting a composed message into the queue: on disk, with its recipients and its first
//! history entry, before the caller hears "queued".

use rusqlite::{TransactionBehavior, params};

use super::db::{Outbox, record};
use super::drafts;
use super::error::{OutboxError, db_err};
use super::recipients;
use crate::clock::{Millis, now_ms};
use crate::message::Composed;
use crate::outbox::history::Happening;

impl Outbox {
    /// Stores a composed message, to be sent at once; when this returns, it is on disk.
    pub fn enqueue(
        &mut self,
        account: &str,
        message: &Composed,
        display_to: &str,
        subject: &str,
    ) -> Result<i64, OutboxError> {
        self.enqueue_at(account, message, display_to, subject, None, None)
    }

    /// Stores a composed message that the worker takes no earlier than `not_before` (send
    /// later, or the grace in which sending can be undone), or at once with `None`; when this
    /// returns, it is on disk. The saved draft it was written in (`draft`, its key) goes in
    /// the same transaction: never both queued and back as a draft after a crash.
    pub fn enqueue_at(
        &mut self,
        account: &str,
        message: &Composed,
        display_to: &str,
        subject: &str,
        not_before: Option<Millis>,
        draft: Option<&str>,
    ) -> Result<i64, OutboxError> {
        let now = now_ms();
        let due = not_before.unwrap_or(now).max(now);
        let db = db_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&db)?;
        tx.execute(
            "INSERT INTO messages (account, message_id, envelope_from, display_to, subject,
                state, next_attempt, created)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7)",
            params![
                account,
                message.message_id,
                message.envelope_from,
                display_to,
                subject,
                due,
                now
            ],
        )
        .map_err(&db)?;
        let id = tx.last_insert_rowid();
        let queued = Happening::Queued {
            not_before: (due > now).then_some(due),
        };
        // The message streamed into its row: attachments are read from their files as they
        // are written, never held whole.
        let size = i64::try_from(message.len()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO bodies (message, bytes) VALUES (?1, zeroblob(?2))",
            params![id, size],
        )
        .map_err(&db)?;
        {
            let mut blob = tx
                .blob_open(rusqlite::MAIN_DB, "bodies", "bytes", id, false)
                .map_err(&db)?;
            message
                .write_to(&mut blob)
                .map_err(|e| OutboxError::Attachment(e.to_string()))?;
        }
        recipients::insert(&tx, id, &message.bytes, &message.recipients)
            .and_then(|()| record(&tx, id, now, &queued))
            .and_then(|()| draft.map_or(Ok(()), |key| drafts::gone(&tx, key)))
            .and_then(|()| tx.commit())
            .map_err(&db)?;
        Ok(id)
    }
}
