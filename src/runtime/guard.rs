//! A panic in a core task is a bug to report, never a frozen window: the request that hit it
//! still gets its answer — the event its screen waits for, carrying the bug in words (what
//! failed, that nothing was lost, what to try) — and the status line says so too.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::ctx::Ctx;
use super::protocol::{Command, Event, SaveFailure, SignInState, Ticket};
use crate::account::AccountId;
use crate::explain::{Explanation, panic_text};

/// A bug while doing `what` (in words), which panicked with `payload`.
pub(super) fn bug(what: &str, payload: &(dyn Any + Send)) -> Explanation {
    Explanation::new(
        tr!("bug-problem", what = what, detail = panic_text(payload)),
        tr!("bug-advice"),
    )
}

/// The answer a command's screen waits for, to give when the command's task panicked.
pub(super) enum Answer {
    Accounts,
    Saved,
    Removed,
    Ticket(Ticket),
    Queued(Ticket),
    Acted,
    Detail,
    Reopened,
    ServerSize(AccountId),
    FileSizes(Vec<std::path::PathBuf>),
    SignIn(Ticket),
    ClientSaved,
    Space,
    DraftSaved(String, u64),
    Drafts,
    /// Nothing waits: the status line says it.
    Nothing,
}

impl Answer {
    /// The answer `command` expects.
    pub(super) fn to(command: &Command) -> Self {
        match command {
            Command::Reload | Command::SetDefault { .. } => Answer::Accounts,
            Command::Save { .. } => Answer::Saved,
            Command::Remove { .. } => Answer::Removed,
            Command::Check { ticket, .. } | Command::Detect { ticket, .. } => {
                Answer::Ticket(*ticket)
            }
            Command::SignIn { ticket, .. } => Answer::SignIn(*ticket),
            Command::Queue { ticket, .. } => Answer::Queued(*ticket),
            Command::Act { .. } => Answer::Acted,
            Command::Detail { .. } => Answer::Detail,
            Command::Reopen { .. } | Command::Undo { .. } => Answer::Reopened,
            Command::ServerSize { account } => Answer::ServerSize(account.id.clone()),
            Command::FileSizes(paths) => Answer::FileSizes(paths.clone()),
            Command::SetClient { .. } => Answer::ClientSaved,
            Command::Space | Command::KeepText(_) | Command::PruneNow => Answer::Space,
            Command::SaveDraft(d) => Answer::DraftSaved(d.key.clone(), d.revision),
            Command::DiscardDraft { .. } | Command::Drafts => Answer::Drafts,
            _ => Answer::Nothing,
        }
    }

    /// What the command's task was doing, in words.
    fn doing(&self) -> String {
        match self {
            Answer::Accounts => tr!("bug-doing-accounts"),
            Answer::Saved => tr!("bug-doing-save"),
            Answer::Removed => tr!("bug-doing-remove"),
            Answer::Ticket(_) => tr!("bug-doing-check"),
            Answer::SignIn(_) => tr!("bug-doing-sign-in"),
            Answer::Queued(_) => tr!("bug-doing-queue"),
            Answer::Acted | Answer::Detail | Answer::Reopened => tr!("bug-doing-message"),
            Answer::ServerSize(_) => tr!("bug-doing-server-size"),
            Answer::FileSizes(_) => tr!("bug-doing-files"),
            Answer::ClientSaved => tr!("bug-doing-client"),
            Answer::Space => tr!("bug-doing-space"),
            Answer::DraftSaved(..) | Answer::Drafts => tr!("bug-doing-drafts"),
            Answer::Nothing => tr!("bug-doing-other"),
        }
    }

    /// The events that answer the command with `error`.
    fn events(self, error: Explanation) -> Vec<Event> {
        let answer = match self {
            Answer::Accounts => Event::Accounts(Err(error.clone())),
            Answer::Saved => Event::Saved(Err(SaveFailure {
                explanation: error.clone(),
                keyring_unavailable: false,
            })),
            Answer::Removed => Event::Removed(Err(error.clone())),
            Answer::Ticket(ticket) => Event::NotStarted {
                ticket,
                error: error.clone(),
            },
            Answer::SignIn(ticket) => Event::SignIn {
                ticket,
                state: SignInState::Done(Err(error.clone())),
            },
            Answer::Queued(ticket) => Event::Queued {
                ticket,
                result: Err(error.clone()),
            },
            Answer::Acted => Event::Acted(Err(error.clone())),
            Answer::Detail => Event::Detail(Err(error.clone())),
            Answer::Reopened => Event::Reopened(Err(error.clone())),
            Answer::ServerSize(account) => Event::ServerSize {
                account,
                result: Err(error.clone()),
            },
            Answer::FileSizes(paths) => Event::FileSizes(
                paths
                    .into_iter()
                    .map(|p| (p, Err(error.problem.clone())))
                    .collect(),
            ),
            Answer::ClientSaved => Event::ClientSaved(Err(error.clone())),
            Answer::Space => Event::Space(Err(error.clone())),
            Answer::DraftSaved(key, revision) => Event::DraftSaved {
                key,
                revision,
                result: Err(error.clone()),
            },
            Answer::Drafts => Event::Drafts(Err(error.clone())),
            Answer::Nothing => return vec![Event::Bug(error)],
        };
        vec![answer, Event::Bug(error)]
    }
}

/// Runs `work`; should it panic, answers as `answer` says with the bug in words. Cancelling
/// (dropping) this future cancels `work`.
pub(super) async fn guarded(ctx: Ctx, answer: Answer, work: impl Future<Output = ()>) {
    if let Err(payload) = AssertUnwindSafe(work).catch_unwind().await {
        let error = bug(&answer.doing(), payload.as_ref());
        tracing::error!("{}", error.problem);
        for event in answer.events(error) {
            ctx.emit(event);
        }
    }
}
