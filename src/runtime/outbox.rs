//! The core's side of the outbox screen: reading the queue, the actions on one message,
//! queueing a draft, and the desktop notification when a message is refused for good.

use super::{Ctx, Event, Ticket};
use crate::account::Account;
use crate::diagnose::{Explain, Explanation};
use crate::message::Draft;
use crate::outbox::store::{Event as HistoryEntry, State};
use crate::outbox::worker::WorkerEvent;
use crate::outbox::{Outbox, Summary};

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
}

impl OutboxView {
    /// The unfinished messages of the account with id `account`.
    pub fn waiting_for(&self, account: &str) -> i64 {
        self.waiting
            .iter()
            .find(|(a, _)| a == account)
            .map_or(0, |(_, n)| *n)
    }
}

/// What the person does to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAction {
    /// Try it now (and let its account send again if it was paused).
    RetryNow,
    /// Do not send it.
    Cancel,
    /// Remove it and its history.
    Delete,
}

/// One message with its whole history.
#[derive(Debug, Clone)]
pub struct MessageDetail {
    /// The message.
    pub summary: Summary,
    /// Every state change and server reply, oldest first.
    pub history: Vec<HistoryEntry>,
    /// When each happened, in local time (read off the UI thread: the time zone is a file).
    pub when: Vec<String>,
}

/// Reads the view.
pub(super) fn read(o: &Outbox) -> Result<OutboxView, crate::outbox::OutboxError> {
    Ok(OutboxView {
        index: o.index()?,
        counts: o.counts()?,
        waiting: o.waiting_by_account()?,
        paused: o.paused()?,
        offline: o.offline_accounts()?,
    })
}

fn open(ctx: &Ctx) -> Result<Outbox, Explanation> {
    Outbox::open(&ctx.paths.outbox_file()).map_err(|e| e.explain())
}

/// Applies `action` to message `id`; says what happened.
pub(super) fn act(ctx: &Ctx, id: i64, action: MessageAction) -> Result<String, Explanation> {
    let outbox = open(ctx)?;
    let done = match action {
        MessageAction::RetryNow => {
            outbox
                .retry_now_by_request(id)
                .map_err(|e| match outbox.get(id) {
                    Ok((m, _)) => Explanation {
                        problem: format!(
                            "Message #{id} is {} and cannot be retried.",
                            m.state.as_str()
                        ),
                        advice: "Only waiting or failed messages can be tried again.".into(),
                    },
                    Err(_) => e.explain(),
                })?;
            crate::outbox::wake::notify(&ctx.paths);
            format!("Message #{id} will be tried now.")
        }
        MessageAction::Cancel => {
            outbox.cancel(id).map_err(|_| Explanation {
                problem: format!("Message #{id} cannot be cancelled any more."),
                advice: "It is being sent or was sent already.".into(),
            })?;
            format!("Message #{id} cancelled; it will not be sent.")
        }
        MessageAction::Delete => {
            outbox.delete(id).map_err(|_| Explanation {
                problem: format!("Message #{id} cannot be deleted while it is being sent."),
                advice: "Wait until this attempt ends, then delete it.".into(),
            })?;
            format!("Message #{id} deleted.")
        }
    };
    ctx.nudge.notify_one();
    Ok(done)
}

/// Message `id` with its history.
pub(super) fn detail(ctx: &Ctx, id: i64) -> Result<MessageDetail, Explanation> {
    let (summary, history) = open(ctx)?.get(id).map_err(|e| e.explain())?;
    let when = history
        .iter()
        .map(|e| crate::clock::local(e.at_ms))
        .collect();
    Ok(MessageDetail {
        summary,
        history,
        when,
    })
}

/// Message `id` as a draft again, its attachments written under the data folder.
pub(super) fn reopen(ctx: &Ctx, id: i64) -> Result<Draft, Explanation> {
    let (bytes, envelope) = open(ctx)?.content(id).map_err(|e| e.explain())?;
    let dir = ctx.paths.data_dir.join("drafts").join(id.to_string());
    crate::message::reopen(&bytes, &envelope, &dir).map_err(|e| e.explain())
}

/// Queues `draft` from `account`.
pub(super) fn queue(ctx: &Ctx, ticket: Ticket, account: &Account, draft: &Draft) {
    let result =
        crate::outbox::submit(&ctx.paths, account.id.as_str(), draft).map_err(|e| e.explain());
    ctx.nudge.notify_one();
    ctx.emit(Event::Queued { ticket, result });
}

/// Tells the desktop about a message refused for good.
pub(super) fn notify_failure(ctx: &Ctx, event: &WorkerEvent) {
    let (id, what) = match event {
        WorkerEvent::Failed { id, reason } => (*id, reason.clone()),
        WorkerEvent::RecipientRefused {
            id,
            recipient,
            reply,
        } => (*id, format!("{recipient} was refused: {reply}")),
        _ => return,
    };
    let subject = open(ctx)
        .ok()
        .and_then(|o| o.get(id).ok())
        .map(|(m, _)| m.subject)
        .unwrap_or_default();
    let title = if subject.is_empty() {
        format!("Message #{id} was not delivered")
    } else {
        format!("“{subject}” was not delivered")
    };
    // Best effort: without a notification service the outbox screen still shows it.
    let _ = crate::notify::show(&title, &what);
}
