//! The conversation with a server, line by line, as a person can hand it to their provider's
//! support: what Outpost sent ("C:") and what the server answered ("S:"), with every secret
//! hidden. A login's lines are written here from the typed commands, never from the bytes
//! sent, so no password or token (in any encoding) can reach it. Each line also goes to the
//! log at debug level (`OUTPOST_LOG=debug`).

use std::sync::{Arc, Mutex, PoisonError};

/// What replaces a secret in a transcript.
pub const HIDDEN: &str = "[hidden]";

/// A conversation being written down; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<String>>>);

impl Transcript {
    fn push(&self, line: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Writes a line Outpost sent (already redacted) to `transcript`, if one is kept, and the log.
pub fn client(transcript: Option<&Transcript>, line: &str) {
    tracing::debug!(target: "outpost::smtp", "C: {line}");
    if let Some(t) = transcript {
        t.push(format!("C: {line}"));
    }
}

/// Writes a line the server sent to `transcript`, if one is kept, and the log.
pub fn server(transcript: Option<&Transcript>, line: &str) {
    tracing::debug!(target: "outpost::smtp", "S: {line}");
    if let Some(t) = transcript {
        t.push(format!("S: {line}"));
    }
}

/// Writes what happened on the connection that is no line (TLS began), in brackets.
pub fn note(transcript: Option<&Transcript>, what: &str) {
    tracing::debug!(target: "outpost::smtp", "[{what}]");
    if let Some(t) = transcript {
        t.push(format!("[{what}]"));
    }
}
