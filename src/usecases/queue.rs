//! The outbox, as a person acts on it: a draft into the queue (the worker woken), and what
//! can be done to one message: try it now (its paused account let go), cancel it, delete
//! it, read it with its history, reopen it as a draft.

use std::time::SystemTime;

use crate::clock::{Millis, local, now_ms};
use crate::explain::{Explain, Explanation, capitalise, size_in_words};
use crate::message::{self, Composed, Draft, MessageError};
use crate::outbox::background::{self, Start};
use crate::outbox::history::Entry;
use crate::outbox::retention::{self, Keep, RetentionError, TidyError};
use crate::outbox::sendmail::Prepared;
use crate::outbox::store::State;
use crate::outbox::store::{Pruned, Space};
use crate::outbox::worker::{self, Sender};
use crate::outbox::{Outbox, OutboxError, Summary, autostart, notice, wake};
use crate::paths::Paths;

/// Why a draft was not queued (nothing was stored), or a queued message not read back.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The message is wrong (a draft's address, attachment or size; queued bytes that do
    /// not read back as a draft).
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The queue could not store it, or read it back.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// Larger than the account's server takes, as it announced (EHLO SIZE): not queued.
    #[error("{}", tr!("queue-too-large", size = size_in_words(*.size), limit = size_in_words(*.limit)))]
    TooLarge {
        /// The message's size in bytes.
        size: u64,
        /// The server's limit.
        limit: u64,
    },
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
    /// When it leaves, if not at once.
    pub not_before: Option<Millis>,
}

/// Composes `draft` (Message-ID and Date fixed once) for the account with id `account` and
/// queues it to be sent at once; when this returns Ok the message is on disk and the worker
/// has been told.
pub fn submit(paths: &Paths, account: &str, draft: &Draft) -> Result<Queued, SubmitError> {
    submit_at(paths, account, draft, None, None)
}

/// As [`submit`], for the worker to take no earlier than `not_before` (send later; the grace
/// in which sending can be undone). A message sent later is dated when it is to leave. The
/// saved draft it was written in (`saved`, its key) goes as it is queued.
pub fn submit_at(
    paths: &Paths,
    account: &str,
    draft: &Draft,
    not_before: Option<Millis>,
    saved: Option<&str>,
) -> Result<Queued, SubmitError> {
    let from = message::parse_address("From", &draft.from)?;
    let date = not_before
        .filter(|t| *t > now_ms())
        .map_or_else(SystemTime::now, |t| {
            SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(t as u64)
        });
    let composed = message::compose(draft, date, &message::new_message_id(&from))?;
    let display_to = draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(&draft.bcc)
        .filter(|s| !s.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let id = enqueue(
        paths,
        account,
        &composed,
        &display_to,
        &draft.subject,
        not_before,
        saved,
    )?;
    Ok(Queued {
        id,
        size: composed.len() as usize,
        message_id: composed.message_id,
        not_before: not_before.filter(|t| *t > now_ms()),
    })
}

impl Explain for SubmitError {
    fn explain(&self) -> Explanation {
        match self {
            SubmitError::Message(e) => e.explain(),
            SubmitError::Outbox(e) => e.explain(),
            SubmitError::TooLarge { .. } => Explanation::new(
                format!("{}.", capitalise(&self.to_string())),
                tr!("message-too-large-advice"),
            ),
        }
    }
}

/// Queues a message read from a program (the sendmail interface) for the account with id
/// `account`; when this returns Ok it is on disk and the worker has been told.
pub fn submit_from_program(
    paths: &Paths,
    account: &str,
    message: Prepared,
) -> Result<i64, SubmitError> {
    let to = message.recipients.join(", ");
    let subject = message.subject.clone();
    enqueue(
        paths,
        account,
        &message.into_composed(),
        &to,
        &subject,
        None,
        None,
    )
}

/// Stores a composed message durably and wakes the worker; a message larger than the
/// account's server announced it takes is refused, nothing stored. The saved draft `saved`
/// goes in the same transaction.
fn enqueue(
    paths: &Paths,
    account: &str,
    composed: &Composed,
    display_to: &str,
    subject: &str,
    not_before: Option<Millis>,
    saved: Option<&str>,
) -> Result<i64, SubmitError> {
    let mut outbox = Outbox::open(&paths.outbox_file())?;
    let size = composed.len();
    if let Some(Some(limit)) = outbox.server_size(account)?
        && size > limit
    {
        return Err(SubmitError::TooLarge { size, limit });
    }
    let id = outbox.enqueue_at(account, composed, display_to, subject, not_before, saved)?;
    wake::notify(paths);
    Ok(id)
}

/// Whether the size limit of the account with id `account` is known (its server was asked
/// once: by a send, the window, or [`keep_server_size`]).
pub fn server_size_known(paths: &Paths, account: &str) -> bool {
    Outbox::open(&paths.outbox_file())
        .and_then(|o| o.server_size(account))
        .is_ok_and(|s| s.is_some())
}

/// Keeps the size limit the account's server announced (0: none).
pub fn keep_server_size(paths: &Paths, account: &str, size: u64) -> Result<(), OutboxError> {
    Outbox::open(&paths.outbox_file())?.note_server_size(account, size)
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

impl MessageAction {
    /// What the action does, in words.
    pub fn verb(self) -> &'static str {
        match self {
            MessageAction::RetryNow => "retry",
            MessageAction::Cancel => "cancel",
            MessageAction::Delete => "delete",
        }
    }
}

/// An action on a message that could not be done.
#[derive(Debug, thiserror::Error)]
#[error("{}", tr!(
    "action-failed",
    action = .action.verb(),
    id = *.id,
    error = .source.to_string()
))]
pub struct ActionError {
    /// The message.
    pub id: i64,
    /// What was asked.
    pub action: MessageAction,
    /// Why not.
    pub source: OutboxError,
}

/// Does `action` to message `id`; says what happened, in words for people.
pub fn act(paths: &Paths, id: i64, action: MessageAction) -> Result<String, ActionError> {
    let fail = |source| ActionError { id, action, source };
    let outbox = Outbox::open(&paths.outbox_file()).map_err(fail)?;
    let done = match action {
        MessageAction::RetryNow => {
            outbox.retry_now_by_request(id).map_err(fail)?;
            tr!("action-retry-done", id = id)
        }
        MessageAction::Cancel => {
            outbox.cancel(id).map_err(fail)?;
            tr!("action-cancel-done", id = id)
        }
        MessageAction::Delete => {
            outbox.delete(id).map_err(fail)?;
            tr!("action-delete-done", id = id)
        }
    };
    wake::notify(paths);
    Ok(done)
}

impl Explain for ActionError {
    fn explain(&self) -> Explanation {
        let id = self.id;
        let OutboxError::WrongState { state, .. } = self.source else {
            return self.source.explain();
        };
        let (problem, advice) = match (self.action, state) {
            (MessageAction::RetryNow, _) => (
                tr!("cannot-retry", id = id, state = state.as_str()),
                tr!("cannot-retry-advice"),
            ),
            (MessageAction::Cancel, State::Cancelled) => (
                tr!("cancelled-already", id = id),
                tr!("cancelled-already-advice"),
            ),
            (MessageAction::Cancel, _) => {
                (tr!("cannot-cancel", id = id), tr!("cannot-cancel-advice"))
            }
            (MessageAction::Delete, _) => {
                (tr!("cannot-delete", id = id), tr!("cannot-delete-advice"))
            }
        };
        Explanation::new(capitalise(&problem), advice)
    }
}

/// One message with its whole history.
#[derive(Debug, Clone)]
pub struct MessageDetail {
    /// The message.
    pub summary: Summary,
    /// Every state change and server reply, oldest first.
    pub history: Vec<Entry>,
    /// When each happened, in local time (read off the UI thread: the time zone is a file).
    pub when: Vec<String>,
    /// Each entry in words, in the reader's language.
    pub words: Vec<String>,
}

/// Who sends the waiting messages now (the window's sender, or `outpost run`), and when the
/// next one is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sending {
    /// The process that sends, if one runs.
    pub sender: Option<Sender>,
    /// When the next waiting message is due; none while every one waits for the person.
    pub next_due: Option<Millis>,
    /// Accounts that have not reached their server for a day.
    pub unreachable: Vec<crate::outbox::store::Unreachable>,
}

/// Who sends now, and when the next message is due.
pub fn sending(paths: &Paths) -> Result<Sending, OutboxError> {
    let outbox = Outbox::open(&paths.outbox_file())?;
    Ok(Sending {
        sender: worker::sender(paths),
        next_due: outbox.next_due(true)?,
        unreachable: outbox.unreachable()?,
    })
}

/// Asks the running sender to finish what it is sending and stop, and waits (at most
/// `patience`) until it has; the sender that was asked, if one ran.
pub fn stop_sending(paths: &Paths, patience: std::time::Duration) -> Option<Sender> {
    let sender = worker::sender(paths)?;
    wake::ask_to_stop(paths);
    let asked = std::time::Instant::now();
    while worker::sender(paths).is_some() && asked.elapsed() < patience {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(sender)
}

/// Whether any message waits to be sent (none, when there is no outbox yet: it is not made
/// by asking).
pub fn anything_waits(paths: &Paths) -> bool {
    let file = paths.outbox_file();
    // Unreadable: the sender finds out, and says so in the log.
    file.exists()
        && Outbox::open(&file)
            .and_then(|o| o.anything_waits())
            .unwrap_or(true)
}

/// The window has closed: with messages waiting, a background sender takes them on (it waits
/// for this process to let go of the outbox) and the desktop is told once; unless the person
/// chose otherwise (`keep_sending` off), and then the login entry goes too.
pub fn window_closed(paths: &Paths, keep_sending: bool) {
    if !keep_sending {
        if let Err(e) = autostart::remove(paths) {
            tracing::warn!("the login entry stays: {e}");
        }
        return;
    }
    let waiting = match Outbox::open(&paths.outbox_file()).and_then(|o| o.waiting_by_account()) {
        Ok(w) => w.iter().map(|(_, n)| *n as usize).sum(),
        Err(e) => return tracing::warn!("the outbox after the window closed: {e}"),
    };
    if waiting == 0 {
        return;
    }
    match background::start(paths) {
        Ok(Start::Started(pid)) => {
            tracing::info!("{waiting} waiting messages left to the background sender ({pid})");
            notice::sending_on(waiting);
        }
        Ok(Start::Running(_) | Start::Off) => {}
        Err(e) => tracing::error!("no background sender after the window closed: {e}"),
    }
}

/// What the outbox holds, and how long sent messages keep their text (or why the setting
/// cannot be read).
pub fn space(paths: &Paths) -> Result<(Space, Result<Keep, RetentionError>), OutboxError> {
    let space = Outbox::open(&paths.outbox_file())?.space()?;
    Ok((space, retention::load(paths)))
}

/// Lets go now of the texts of messages sent or cancelled longer than `keep` ago (the
/// setting's time when `None`), then gives the space back; what was let go, and the file's
/// size after.
pub fn prune(paths: &Paths, keep: Option<Keep>) -> Result<(Pruned, u64), TidyError> {
    let (pruned, outbox) = retention::tidy_outbox(paths, keep, now_ms())?;
    Ok((pruned, outbox.space()?.file_bytes))
}

/// Sets how long sent messages keep their text, and lets go at once of what it no longer
/// keeps.
pub fn keep_text(paths: &Paths, keep: Keep) -> Result<Pruned, TidyError> {
    retention::save(paths, keep)?;
    Ok(prune(paths, Some(keep))?.0)
}

/// Every message, newest first.
pub fn list(paths: &Paths) -> Result<Vec<Summary>, OutboxError> {
    Outbox::open(&paths.outbox_file())?.list()
}

/// Message `id` with its history.
pub fn detail(paths: &Paths, id: i64) -> Result<MessageDetail, OutboxError> {
    let (summary, history) = Outbox::open(&paths.outbox_file())?.get(id)?;
    let when = history.iter().map(|e| local(e.at_ms)).collect();
    let words = history.iter().map(|e| e.what.in_words()).collect();
    Ok(MessageDetail {
        summary,
        history,
        when,
        words,
    })
}

/// Message `id` as a draft again, its attachments written under the data folder.
pub fn reopen(paths: &Paths, id: i64) -> Result<Draft, SubmitError> {
    reopen_from(&Outbox::open(&paths.outbox_file())?, paths, id)
}

fn reopen_from(outbox: &Outbox, paths: &Paths, id: i64) -> Result<Draft, SubmitError> {
    let (bytes, envelope) = outbox.content(id)?;
    let dir = paths.data_dir.join("drafts").join(id.to_string());
    Ok(crate::message::reopen(&bytes, &envelope, &dir)?)
}

/// Takes message `id` back before it leaves (in the time to undo after Send, or while it
/// waits to be sent later): it will not be sent, comes back as a draft with its attachments,
/// and is removed from the outbox, since it never left. Fails, changing nothing, when the
/// worker has taken it already.
pub fn undo(paths: &Paths, id: i64) -> Result<Draft, SubmitError> {
    let outbox = Outbox::open(&paths.outbox_file())?;
    outbox.cancel(id)?;
    let draft = reopen_from(&outbox, paths, id)?;
    outbox.delete(id)?;
    Ok(draft)
}
