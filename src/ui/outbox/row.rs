//! One message as the table and the details show it: its state as a coloured badge, text
//! clipped to fit, and what can be done to it.

use egui::{RichText, Ui};

use crate::outbox::State;
use crate::ui::widgets;
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
}

pub fn badge(ui: &mut Ui, state: State) {
    let visuals = ui.visuals();
    let color = match state {
        State::Sent => widgets::ok_color(ui),
        State::Failed => visuals.error_fg_color,
        State::Cancelled => visuals.weak_text_color(),
        State::Sending => visuals.hyperlink_color,
        State::Queued | State::Retry => visuals.warn_fg_color,
    };
    ui.label(RichText::new(state.as_str()).color(color).strong());
}

pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
