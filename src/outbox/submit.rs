//! A draft into the queue: composed once (Message-ID and Date fixed), stored durably, and
//! the worker woken. The window and `outpost send` both come through here.

use std::time::SystemTime;

use crate::message::{self, Draft, MessageError};
use crate::paths::Paths;

use super::{Outbox, OutboxError};

/// Why a draft was not queued; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The draft itself is wrong (an address, an attachment, its size).
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The queue could not store it.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// A message now in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its queue id.
    pub id: i64,
    /// Its Message-ID header.
    pub message_id: String,
    /// Its size in bytes as it will be sent.
    pub size: usize,
}

/// Composes `draft` for the account with id `account` and queues it; when this returns Ok
/// the message is on disk and the worker has been told.
pub fn submit(paths: &Paths, account: &str, draft: &Draft) -> Result<Queued, SubmitError> {
    let from = message::parse_address("From", &draft.from)?;
    let composed = message::compose(draft, SystemTime::now(), &message::new_message_id(&from))?;
    let display_to = draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(&draft.bcc)
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let id = Outbox::open(&paths.outbox_file())?.enqueue(
        account,
        &composed,
        &display_to,
        &draft.subject,
    )?;
    super::wake::notify(paths);
    Ok(Queued {
        id,
        message_id: composed.message_id,
        size: composed.bytes.len(),
    })
}
