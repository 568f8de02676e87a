//! Where a message is, and why one waits.

use serde::Serialize;

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for its first attempt.
    Queued,
    /// Being sent right now (under a lease).
    Sending,
    /// Waiting to try again.
    Retry,
    /// Accepted by the server.
    Sent,
    /// Refused for good, or given up.
    Failed,
    /// Cancelled by the person.
    Cancelled,
}

impl State {
    /// Every state, in the order a message goes through them.
    pub const ALL: [State; 6] = [
        State::Queued,
        State::Sending,
        State::Retry,
        State::Sent,
        State::Failed,
        State::Cancelled,
    ];

    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sending => "sending",
            State::Retry => "retry",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }

    /// The state as the outbox shows it to people ("will retry", "sent").
    pub fn in_words(self) -> String {
        match self {
            State::Queued => tr!("state-waiting"),
            State::Sending => tr!("state-sending"),
            State::Retry => tr!("state-retry"),
            State::Sent => tr!("state-sent"),
            State::Failed => tr!("state-failed"),
            State::Cancelled => tr!("state-cancelled"),
        }
    }

    /// Whether the message is finished (sent, failed or cancelled).
    pub fn is_final(self) -> bool {
        matches!(self, State::Sent | State::Failed | State::Cancelled)
    }
}

/// Why a message waits for another attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The attempt failed and counts.
    Counted,
    /// The connection broke after the message was sent: counts, and it may have arrived.
    MaybeSent,
    /// This computer was offline: does not count; due again when the network is back.
    Offline,
    /// The account waits for the person: does not count.
    Paused,
}
