//! Outbox errors in plain words.

use crate::explain::{Explain, Explanation, capitalise};

impl Explain for super::OutboxError {
    fn explain(&self) -> Explanation {
        use super::OutboxError as E;
        let advice = match self {
            E::Db { .. } => tr!("outbox-db-advice"),
            E::TooNew { .. } => tr!("outbox-too-new-advice"),
            E::Damaged { .. } => tr!("outbox-damaged-advice"),
            E::Unreadable { .. } => tr!("outbox-unreadable-advice"),
            E::NotFound(_) => tr!("outbox-not-found-advice"),
            E::BodyGone(_) => tr!("outbox-body-gone-advice"),
            E::Attachment(_) => tr!("outbox-attachment-advice"),
            E::WrongState { state, .. } => match state {
                super::State::Sending => tr!("outbox-sending-advice"),
                super::State::Sent => tr!("outbox-sent-advice"),
                super::State::Cancelled => tr!("outbox-cancelled-advice"),
                _ => tr!("outbox-state-advice"),
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
                tr!("worker-running-advice"),
            ),
            E::Lock { .. } => Explanation::new(
                format!("{}.", capitalise(&self.to_string())),
                tr!("worker-lock-advice"),
            ),
            E::Outbox(e) => e.explain(),
        }
    }
}

impl Explain for super::retention::RetentionError {
    fn explain(&self) -> Explanation {
        use super::retention::RetentionError as E;
        let advice = match self {
            E::Unreadable { .. } => tr!("retention-unreadable-advice"),
            E::Unwritable { .. } => tr!("retention-unwritable-advice"),
        };
        Explanation::new(self.to_string(), advice)
    }
}

impl Explain for super::retention::TidyError {
    fn explain(&self) -> Explanation {
        use super::retention::TidyError as E;
        match self {
            E::Setting(e) => e.explain(),
            E::Outbox(e) => e.explain(),
        }
    }
}

impl Explain for super::background::BackgroundError {
    fn explain(&self) -> Explanation {
        Explanation::new(self.to_string(), tr!("background-advice"))
    }
}
