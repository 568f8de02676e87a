//! Telling the desktop what the person must know while no window may be open: a message
//! refused for good, by the whole server or for one recipient.

use super::store::Outbox;
use super::worker::WorkerEvent;
use crate::paths::Paths;

/// Shows a desktop notification for `event` when it is a refusal; any other event says
/// nothing. Blocks for a D-Bus round trip: call off the async threads.
pub fn tell_desktop(paths: &Paths, event: &WorkerEvent) {
    let (id, what) = match event {
        WorkerEvent::Failed { id, reason } => (*id, reason.clone()),
        WorkerEvent::RecipientRefused {
            id,
            recipient,
            reply,
        } => (
            *id,
            tr!(
                "notify-recipient-refused",
                recipient = recipient.as_str(),
                reply = reply.as_str()
            ),
        ),
        _ => return,
    };
    let subject = Outbox::open(&paths.outbox_file())
        .ok()
        .and_then(|o| o.get(id).ok())
        .map(|(m, _)| m.subject)
        .unwrap_or_default();
    let title = if subject.is_empty() {
        tr!("notify-not-delivered-id", id = id)
    } else {
        tr!("notify-not-delivered", subject = subject.as_str())
    };
    // Best effort: without a notification service the outbox still shows it.
    if let Err(e) = crate::notify::show(&title, &what) {
        tracing::warn!("no desktop notification for message #{id}: {e}");
    }
}

/// Tells the desktop that `waiting` messages will be sent with no window open; best effort.
pub fn sending_on(waiting: usize) {
    let title = tr!("notify-sending-on", count = waiting);
    if let Err(e) = crate::notify::show(&title, &tr!("notify-sending-on-body")) {
        tracing::warn!("no desktop notification for sending in the background: {e}");
    }
}
