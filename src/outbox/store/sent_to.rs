//! The addresses the outbox has sent to (or queued for), for Write's suggestions: how often,
//! how lately, and the name they were last written with.

use super::db::Outbox;
use super::error::OutboxError;
use crate::contacts::{Contact, Origin};
use crate::message::{parse_mailbox, split_addresses};

impl Outbox {
    /// Every address a message in the outbox went to, with how many messages and the last
    /// one's time; the name from how the last one named it.
    pub fn sent_to(&self) -> Result<Vec<Contact>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.address, m.display_to, COUNT(*), MAX(m.created)
                 FROM recipients r JOIN messages m ON m.id = r.message
                 WHERE m.state != 'cancelled'
                 GROUP BY lower(r.address)",
            )
            .map_err(|e| self.db(e))?;
        let rows: Vec<(String, String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.db(e))?;
        Ok(rows
            .into_iter()
            .map(|(email, shown, uses, last)| Contact {
                name: name_in(&shown, &email),
                email,
                origin: Origin::Sent,
                uses: u32::try_from(uses).unwrap_or(u32::MAX),
                last,
            })
            .collect())
    }
}

/// The name `email` has in `shown` ("Bob <bob@example.net>, carol@…"), if it has one.
fn name_in(shown: &str, email: &str) -> Option<String> {
    split_addresses(shown).iter().find_map(|a| {
        let m = parse_mailbox("To", a).ok()?;
        m.email
            .to_string()
            .eq_ignore_ascii_case(email)
            .then_some(m.name)
            .flatten()
    })
}
