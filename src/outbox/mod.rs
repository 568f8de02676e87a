//! The outbox: a durable queue, the policy that reads server replies, and the worker that
//! sends in the background.

pub mod policy;
pub mod send;
pub mod sendmail;
pub mod store;
pub mod submit;
pub mod wake;
pub mod worker;

pub use store::{Outbox, OutboxError, State, Summary};
pub use submit::{Queued, SubmitError, submit};

/// Lets a paused account send again (after its password was entered anew) and wakes the
/// worker. Best effort: with no outbox yet there is nothing to resume.
pub fn resume_account(paths: &crate::paths::Paths, account: &str) {
    if paths.outbox_file().exists()
        && let Ok(outbox) = Outbox::open(&paths.outbox_file())
        && outbox.resume(account).is_ok()
    {
        wake::notify(paths);
    }
}
