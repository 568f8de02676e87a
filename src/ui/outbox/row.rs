//! One message as the table and the details show it: its state as an icon and a word, and
//! what can be done to it.

use egui::Ui;

use crate::clock::now_ms;
use crate::outbox::{State, Summary};
use crate::ui::design::{self, icon};
use crate::usecases::queue::MessageAction;

/// What the person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxAction {
    /// Show a message's details.
    Select(i64),
    /// Act on a message.
    Act(i64, MessageAction),
    /// Open a message in compose to change and send it again.
    EditAndResend(i64),
    /// Open the settings of the account with this id (to sign in or log in again).
    OpenAccount(String),
    /// Open the account with this id and find its settings again.
    Redetect(String),
    /// Write a new message.
    Write,
    /// Take a message back before it leaves, into Write.
    Undo(i64),
}

/// In `state` (the latest known; `m` may be older), set to leave later and not tried yet
/// (send later, or the time to undo after Send).
pub fn scheduled(state: State, m: &Summary) -> bool {
    state == State::Queued && m.scheduled(now_ms()).is_some()
}

/// A message's `state` as an icon and a word, in the state's colour; "scheduled" for one
/// set to leave later, "sent, 1 refused" for one some of whose recipients were refused.
pub fn message_badge(ui: &mut Ui, state: State, m: &Summary) {
    if scheduled(state, m) {
        design::chip(ui, icon::WAITING, tr!("state-scheduled"), design::warn(ui));
    } else if state == m.state {
        badge(ui, state, m.in_words(now_ms()));
    } else {
        badge(ui, state, state.in_words());
    }
}

/// A state as an icon and `words` in the state's colour.
pub fn badge(ui: &mut Ui, state: State, words: String) {
    let (icon, color) = match state {
        State::Sent => (icon::OK, design::ok(ui)),
        State::Failed => (icon::FAILED, design::error(ui)),
        State::Cancelled => (icon::CANCELLED, ui.visuals().weak_text_color()),
        State::Sending => (icon::BUSY, ui.visuals().hyperlink_color),
        State::Queued => (icon::WAITING, design::warn(ui)),
        State::Retry => (icon::RETRY, design::warn(ui)),
    };
    design::chip(ui, icon, words, color);
}
