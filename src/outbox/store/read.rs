//! The outbox as the lists and the details read it: summaries with each recipient's state,
//! one message with its history, the queued bytes, counts by state.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::copies::CopyState;
use super::db::Outbox;
use super::error::OutboxError;
use super::error::{read_json, read_state};
use super::recipients;
use super::state::State;
use crate::clock::Millis;
use crate::outbox::history::{Delivery, Entry, Happening, Recipient};

/// A queued message as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Queue id.
    pub id: i64,
    /// The sending account's id.
    pub account: String,
    /// The address it is sent from (the envelope's): the account's own or one it sends as.
    pub from: String,
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
    /// The server's last reply or why the last attempt did not deliver, in words (made when
    /// read, in the reader's language).
    pub last_reply: Option<String>,
    /// The last attempt's outcome, as data.
    pub last_event: Option<Happening>,
    /// The server's queue id from its 250 reply.
    pub server_queue_id: Option<String>,
    /// A connection broke after the message was sent: it may have arrived already.
    pub maybe_sent: bool,
    /// Message-ID header.
    pub message_id: String,
    /// Whether its text is still kept (a sent message's is let go after a while; see
    /// [`Outbox::prune_bodies`]).
    pub kept: bool,
    /// Each recipient with its state and the server's reply for it.
    pub recipients: Vec<Recipient>,
    /// Where its copy for the Sent folder is, when its account files one.
    pub copy: Option<CopyState>,
    /// The folder its copy was filed in.
    pub copy_folder: Option<String>,
}

impl Summary {
    /// When it is to leave, if it was set to leave later (send later, or the time to undo)
    /// and has not been tried yet.
    pub fn scheduled(&self, now: Millis) -> Option<Millis> {
        self.next_attempt_ms
            .filter(|t| self.state == State::Queued && self.attempts == 0 && *t > now)
    }

    /// Where its copy for the Sent folder is, in words ("filed in Sent"), when it has one.
    pub fn copy_in_words(&self) -> Option<String> {
        self.copy.map(|c| c.in_words(self.copy_folder.as_deref()))
    }

    /// How many recipients the server refused for good.
    pub fn refused(&self) -> usize {
        self.recipients
            .iter()
            .filter(|r| r.state == Delivery::Refused)
            .count()
    }

    /// Where it is, in words, as every list says it: "scheduled", "sent, 1 refused",
    /// "will retry".
    pub fn in_words(&self, now: Millis) -> String {
        match (self.scheduled(now), self.state, self.refused()) {
            (Some(_), _, _) => tr!("state-scheduled"),
            (None, State::Sent, refused) if refused > 0 => {
                tr!("state-sent-refused", count = refused)
            }
            (None, state, _) => state.in_words(),
        }
    }
}

impl Outbox {
    fn summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
        let id = row.get(0)?;
        let state = read_state(Some(id), row.get(5)?)?;
        let last_event: Option<Happening> = row
            .get::<_, Option<String>>(8)?
            .map(|json| read_json(Some(id), "last outcome", json))
            .transpose()?;
        Ok(Summary {
            id,
            account: row.get(1)?,
            to: row.get(2)?,
            subject: row.get(3)?,
            message_id: row.get(4)?,
            state,
            attempts: row.get(6)?,
            next_attempt_ms: matches!(state, State::Queued | State::Retry)
                .then(|| row.get(7))
                .transpose()?,
            last_reply: last_event.as_ref().and_then(Happening::reason),
            last_event,
            server_queue_id: row.get(9)?,
            maybe_sent: row.get(10)?,
            kept: row.get(11)?,
            recipients: vec![],
            copy: row
                .get::<_, Option<String>>(12)?
                .and_then(|c| CopyState::parse(&c)),
            copy_folder: row.get(13)?,
            from: row.get(14)?,
        })
    }

    const SUMMARY: &'static str = "SELECT id, account, display_to, subject, message_id, state,
        attempts, next_attempt, last_event, server_queue_id, maybe_sent,
        EXISTS (SELECT 1 FROM bodies WHERE bodies.message = messages.id),
        (SELECT state FROM copies WHERE copies.message = messages.id),
        (SELECT folder FROM copies WHERE copies.message = messages.id),
        envelope_from FROM messages";

    /// The summaries `sql` selects (after [`Self::SUMMARY`]), with their recipients.
    fn select(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Summary>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{} {sql}", Self::SUMMARY))
            .map_err(|e| self.db(e))?;
        let mut found: Vec<Summary> = stmt
            .query_map(params, Self::summary)
            .map_err(|e| self.db(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.db(e))?;
        let ids: Vec<i64> = found.iter().map(|s| s.id).collect();
        let mut by_message = recipients::of(&self.conn, &ids)
            .map_err(|e| self.db(e))?
            .into_iter()
            .peekable();
        // Both are in id order (recipients ascending): match them up.
        found.sort_by_key(|s| s.id);
        for s in &mut found {
            let sent = match (&s.state, &s.last_event) {
                (State::Sent, Some(Happening::Sent { reply, .. })) => Some(Some(reply.as_str())),
                (State::Sent, _) => Some(None),
                _ => None,
            };
            while let Some((_, r)) = by_message.next_if(|(id, _)| *id == s.id) {
                s.recipients.push(match sent {
                    Some(reply) => recipients::as_sent(r, reply),
                    None => r,
                });
            }
        }
        Ok(found)
    }

    /// Every message, newest first.
    pub fn list(&self) -> Result<Vec<Summary>, OutboxError> {
        let mut all = self.select("", [])?;
        all.reverse();
        Ok(all)
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
                let id = r.get(0)?;
                Ok((id, read_state(Some(id), r.get(1)?)?))
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
            found.extend(self.select(
                &format!("WHERE id IN ({marks})"),
                rusqlite::params_from_iter(chunk),
            )?);
        }
        Ok(found)
    }

    /// One message and its history.
    pub fn get(&self, id: i64) -> Result<(Summary, Vec<Entry>), OutboxError> {
        let summary = self
            .select("WHERE id = ?1", [id])?
            .pop()
            .ok_or(OutboxError::NotFound(id))?;
        let mut stmt = self
            .conn
            .prepare("SELECT at, data FROM history WHERE message = ?1 ORDER BY rowid")
            .map_err(|e| self.db(e))?;
        let history = stmt
            .query_map([id], |r| {
                Ok(Entry {
                    at_ms: r.get(0)?,
                    what: read_json(Some(id), "history", r.get(1)?)?,
                })
            })
            .map_err(|e| self.db(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.db(e))?;
        Ok((summary, history))
    }

    /// The message as queued (RFC 5322 bytes) and all its envelope recipients.
    pub fn content(&self, id: i64) -> Result<(Vec<u8>, Vec<String>), OutboxError> {
        let bytes: Vec<u8> = self
            .conn
            .query_row("SELECT bytes FROM bodies WHERE message = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.db(e))?
            .ok_or_else(|| match self.get(id) {
                // Sent (or cancelled) long enough ago that its text was let go.
                Ok(_) => OutboxError::BodyGone(id),
                Err(e) => e,
            })?;
        let recipients = recipients::every(&self.conn, id).map_err(|e| self.db(e))?;
        Ok((bytes, recipients))
    }

    /// How many messages are in each state.
    pub fn counts(&self) -> Result<Vec<(State, i64)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM messages GROUP BY state")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                let state = read_state(None, r.get(0)?)?;
                Ok((state, r.get(1)?))
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }
}
