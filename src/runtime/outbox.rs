//! The core's side of the outbox screen: the queue as the screen counts and scrolls it.

use crate::outbox::store::State;
use crate::outbox::{Outbox, OutboxError};

/// The queue as the outbox screen needs it to filter, count and scroll: every message's id
/// and state (16 bytes each), not the messages themselves, which are read a screenful at a
/// time ([`Command::Rows`](super::Command::Rows)).
#[derive(Debug, Clone, Default)]
pub struct OutboxView {
    /// Every message's id and state, newest first.
    pub index: Vec<(i64, State)>,
    /// How many messages are in each state.
    pub counts: Vec<(State, i64)>,
    /// Unfinished messages per account id.
    pub waiting: Vec<(String, i64)>,
    /// Accounts whose sending waits for the person, and why.
    pub paused: Vec<(String, String)>,
    /// Accounts whose messages wait for the network.
    pub offline: Vec<String>,
    /// Accounts that have not reached their server for a day (name not found, connection
    /// refused): their settings may have changed.
    pub unreachable: Vec<crate::outbox::store::Unreachable>,
    /// When the next waiting message is due (none while every one waits for the person).
    pub next_due: Option<crate::clock::Millis>,
}

impl OutboxView {
    /// The state of message `id`, if it is in the outbox.
    pub fn state_of(&self, id: i64) -> Option<State> {
        // Newest first: ids descending.
        self.index
            .binary_search_by(|(i, _)| id.cmp(i))
            .ok()
            .map(|at| self.index[at].1)
    }

    /// How many messages are not finished, in all.
    pub fn waiting_total(&self) -> i64 {
        self.waiting.iter().map(|(_, n)| n).sum()
    }

    /// The unfinished messages of the account with id `account`.
    pub fn waiting_for(&self, account: &str) -> i64 {
        self.waiting
            .iter()
            .find(|(a, _)| a == account)
            .map_or(0, |(_, n)| *n)
    }
}

/// Reads the view.
pub(super) fn read(o: &Outbox) -> Result<OutboxView, OutboxError> {
    Ok(OutboxView {
        index: o.index()?,
        counts: o.counts()?,
        waiting: o.waiting_by_account()?,
        paused: o.paused()?,
        offline: o.offline_accounts()?,
        unreachable: o.unreachable()?,
        next_due: o.next_due(true)?,
    })
}
