//! Outbox errors in plain words.

use crate::explain::{Explain, Explanation, capitalise};

impl Explain for super::OutboxError {
    fn explain(&self) -> Explanation {
        use super::OutboxError as E;
        let advice = match self {
            E::Db { .. } => {
                "Check free disk space and the folder's permissions. Outpost changed \
                 nothing; the messages already queued are kept."
            }
            E::TooNew { .. } => "Update Outpost; the queued messages are kept.",
            E::Damaged { .. } => {
                "To start with an empty outbox, move the file aside (for example rename it \
                 to outbox-damaged.sqlite); Outpost then makes a new one. The messages in the \
                 old file may be saved with sqlite3's .recover command."
            }
            E::NotFound(_) => "'outpost queue list' shows the messages there are.",
            E::WrongState { state, .. } => match state {
                super::State::Sending => "Wait until this attempt ends, then try again.",
                super::State::Sent => "It was delivered already; nothing more to do.",
                super::State::Cancelled => "It will not be sent; Edit & resend sends it after all.",
                _ => "'outpost queue show' says where it is.",
            },
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

impl Explain for super::worker::WorkerError {
    fn explain(&self) -> Explanation {
        use super::worker::WorkerError as E;
        match self {
            E::AlreadyRunning(_) => Explanation::new(
                format!("{}.", capitalise(&self.to_string())),
                "That Outpost sends the messages; close it to send from here instead.",
            ),
            E::Lock { .. } => Explanation::new(
                format!("{}.", capitalise(&self.to_string())),
                "Check that the data folder is yours and the disk is not full, then try again; \
                 the queued messages are kept.",
            ),
            E::Outbox(e) => e.explain(),
        }
    }
}
