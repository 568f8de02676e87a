//! What the sender learnt, written down: a message sent, waiting to be tried again, held with
//! its account, waiting for the person, or failed; each recipient the server refused or
//! deferred. Each change writes its history entry, and the last outcome for the lists.

use rusqlite::params;

use super::db::Outbox;
use super::error::{OutboxError, to_json};
use super::recipients;
use super::state::RetryKind;
use crate::clock::{Millis, now_ms};
use crate::outbox::history::{Cause, Delivery, Happening};

impl Outbox {
    /// A change to message `id` by the sender: `sql` with `?1` the id, `?2` the outcome as
    /// JSON (for `last_event`), then `values`; `what` is the outcome.
    fn outcome(
        &self,
        id: i64,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
        what: &Happening,
    ) -> Result<(), OutboxError> {
        let json = to_json(what).map_err(|e| self.db(e))?;
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&json];
        all.extend_from_slice(values);
        self.update_as(id, sql, &all, what.kind(), &json)
    }

    /// The server accepted the message for every recipient still to deliver. Their rows are
    /// not written (one page less for each message's commit): a sent message's recipients
    /// still waiting are those it was sent to ([`recipients::of`]).
    pub fn mark_sent(
        &self,
        id: i64,
        reply: &str,
        server_queue_id: Option<&str>,
    ) -> Result<(), OutboxError> {
        self.outcome(
            id,
            "UPDATE messages SET state = 'sent', lease_until = NULL, attempts = attempts + 1,
                last_event = ?2, server_queue_id = ?3 WHERE id = ?1",
            &[&server_queue_id],
            &Happening::Sent {
                reply: reply.to_string(),
                server_queue_id: server_queue_id.map(str::to_string),
            },
        )
    }

    /// The server accepted the message for `accepted`, and refused or deferred the others
    /// of this attempt (written with [`Self::recipient_result`]); the deferred ones wait for
    /// [`Self::mark_retry`]. The message is not sent yet.
    pub fn mark_partly_sent(
        &self,
        id: i64,
        accepted: &[&str],
        reply: &str,
        server_queue_id: Option<&str>,
    ) -> Result<(), OutboxError> {
        for address in accepted {
            recipients::set(&self.conn, id, address, Delivery::Accepted, Some(reply))
                .map_err(|e| self.db(e))?;
        }
        self.update(
            id,
            "UPDATE messages SET server_queue_id = COALESCE(?2, server_queue_id) WHERE id = ?1",
            &[&server_queue_id],
            &Happening::Sent {
                reply: reply.to_string(),
                server_queue_id: server_queue_id.map(str::to_string),
            },
        )
    }

    /// The server refused `recipient` of message `id` for good (`refused`) or for now.
    pub fn recipient_result(
        &self,
        id: i64,
        recipient: &str,
        reply: &str,
        refused: bool,
    ) -> Result<(), OutboxError> {
        let (state, what) = if refused {
            (
                Delivery::Refused,
                Happening::RecipientRefused {
                    recipient: recipient.to_string(),
                    reply: reply.to_string(),
                },
            )
        } else {
            (
                Delivery::Deferred,
                Happening::RecipientDeferred {
                    recipient: recipient.to_string(),
                    reply: reply.to_string(),
                },
            )
        };
        recipients::set(&self.conn, id, recipient, state, Some(reply)).map_err(|e| self.db(e))?;
        self.record(id, &what)
    }

    /// Try again at `at`, as `kind` says, because of `cause`.
    pub fn mark_retry(
        &self,
        id: i64,
        at: Millis,
        cause: &Cause,
        kind: RetryKind,
    ) -> Result<(), OutboxError> {
        self.wait(
            id,
            at,
            kind,
            &Happening::Retry {
                next_attempt: at,
                cause: cause.clone(),
            },
        )
    }

    /// Message `id` waits until `at`, as `kind` says; `what` is why, for its history.
    fn wait(
        &self,
        id: i64,
        at: Millis,
        kind: RetryKind,
        what: &Happening,
    ) -> Result<(), OutboxError> {
        let counts = kind == RetryKind::Counted || kind == RetryKind::MaybeSent;
        let maybe_sent = kind == RetryKind::MaybeSent;
        let offline = kind == RetryKind::Offline;
        self.outcome(
            id,
            "UPDATE messages SET state = 'retry', lease_until = NULL, next_attempt = ?3,
                attempts = attempts + ?4, last_event = ?2, maybe_sent = maybe_sent OR ?5,
                offline = ?6
             WHERE id = ?1",
            &[&at, &i64::from(counts), &maybe_sent, &offline],
            what,
        )
    }

    /// The account of message `id` must wait until `until` (a limit reached, a demand to slow
    /// down): this message and every other waiting one of the account. No attempt counts.
    pub fn mark_held(
        &self,
        id: i64,
        account: &str,
        until: Millis,
        cause: &Cause,
    ) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE messages SET next_attempt = MAX(next_attempt, ?2)
                 WHERE account = ?1 AND state IN ('queued', 'retry')",
                params![account, until],
            )
            .map_err(|e| self.db(e))?;
        let held = Happening::Held {
            until,
            cause: cause.clone(),
        };
        self.wait(id, until, RetryKind::Paused, &held)
    }

    /// The account of message `id` cannot send until the person acts ([`Self::resume`]):
    /// it is paused with `cause`, and the message waits with it. No attempt counts.
    pub fn mark_paused(&self, id: i64, account: &str, cause: &Cause) -> Result<(), OutboxError> {
        self.pause(account, cause)?;
        let paused = Happening::Paused {
            cause: cause.clone(),
        };
        self.wait(id, now_ms(), RetryKind::Paused, &paused)
    }

    /// Refused for good because of `cause`, or given up after that many days.
    pub fn mark_failed(
        &self,
        id: i64,
        cause: &Cause,
        gave_up_after_days: Option<u64>,
    ) -> Result<(), OutboxError> {
        self.outcome(
            id,
            "UPDATE messages SET state = 'failed', lease_until = NULL, attempts = attempts + 1,
                last_event = ?2 WHERE id = ?1",
            &[],
            &Happening::Failed {
                cause: cause.clone(),
                gave_up_after_days,
            },
        )
    }
}
