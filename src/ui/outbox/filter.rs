//! Which messages the outbox table shows, by state.

use serde::{Deserialize, Serialize};

use crate::outbox::State;
use crate::runtime::OutboxView;

/// Which messages the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Filter {
    /// Every message.
    #[default]
    All,
    /// Not finished: queued, being sent, or waiting to retry.
    Waiting,
    /// Accepted by the server.
    Sent,
    /// Refused or given up.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl Filter {
    pub const ALL: [Filter; 5] = [
        Filter::All,
        Filter::Waiting,
        Filter::Sent,
        Filter::Failed,
        Filter::Cancelled,
    ];

    pub fn label(self) -> String {
        match self {
            Filter::All => tr!("filter-all"),
            Filter::Waiting => tr!("filter-waiting"),
            Filter::Sent => tr!("filter-sent"),
            Filter::Failed => tr!("filter-failed"),
            Filter::Cancelled => tr!("filter-cancelled"),
        }
    }

    pub fn admits(self, s: State) -> bool {
        match self {
            Filter::All => true,
            Filter::Waiting => !s.is_final(),
            Filter::Sent => s == State::Sent,
            Filter::Failed => s == State::Failed,
            Filter::Cancelled => s == State::Cancelled,
        }
    }

    /// How many messages of `view` the filter admits (from the counts, not the rows).
    pub fn count_in(self, view: &OutboxView) -> i64 {
        view.counts
            .iter()
            .filter(|(s, _)| self.admits(*s))
            .map(|(_, n)| n)
            .sum()
    }
}
