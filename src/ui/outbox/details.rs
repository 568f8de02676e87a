//! The selected message along the bottom: its addresses, ids and state, what can be done to
//! it, and its whole history.

use std::collections::HashMap;

use egui::{RichText, Ui};

use super::row::{OutboxAction, message_badge, scheduled};
use crate::explain::Explanation;
use crate::outbox::store::CopyState;
use crate::outbox::{State, Summary};
use crate::ui::{design, widgets};
use crate::usecases::queue::{MessageAction, MessageDetail};

/// The details pane's state.
#[derive(Default)]
pub struct Details {
    /// The selected message's details, once read.
    pub detail: Option<Result<MessageDetail, Explanation>>,
    /// Delete was asked for this message: confirm first.
    confirm_delete: Option<i64>,
    /// The pane's height, in points, as the person dragged it (0 until then).
    height: f32,
}

impl Details {
    /// The pane `height` points high as the person left it (0: as the room allows).
    pub fn with_height(height: f32) -> Self {
        Self {
            height: height.max(0.0),
            ..Self::default()
        }
    }

    /// The height as the person dragged it; 0 until then.
    pub fn dragged_height(&self) -> f32 {
        self.height
    }

    /// The height to keep for the pane in a screen `available` points high, under a table
    /// that needs `table` points for its rows: as dragged; else the room the table leaves,
    /// and at least 45 % of the screen; always between 120 and what leaves the table 160.
    pub fn height(&self, available: f32, table: f32) -> f32 {
        let wanted = if self.height > 0.0 {
            self.height
        } else {
            (available - table).max(available * 0.45)
        };
        wanted.min(available - 160.0).max(120.0)
    }

    /// Draws message `id`'s details under the table, in the rest of `ui`, with a divider
    /// above that resizes them. Drawn after the table, they come after it in Tab order.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        id: i64,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        let height = ui.available_height();
        if let Some(dragged) = divider(ui, &tr!("divider-details")) {
            self.height = (height - dragged).max(120.0);
        }
        let mut action = None;
        widgets::scroll(ui, &tr!("scroll-details"), |ui| {
            action = self.details(ui, id, emails);
        });
        action
    }
}

/// A horizontal divider that can be dragged up and down (or moved with the arrow keys when
/// focused); how far it moved this frame.
fn divider(ui: &mut Ui, name: &str) -> Option<f32> {
    let width = ui.available_width();
    let (rect, r) = ui.allocate_exact_size(egui::vec2(width, 9.0), egui::Sense::click_and_drag());
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Splitter, true, name));
    let stroke = if r.hovered() || r.dragged() || r.has_focus() {
        ui.visuals().widgets.hovered.bg_stroke
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    ui.painter().hline(rect.x_range(), rect.center().y, stroke);
    if r.hovered() || r.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
    }
    // The arrows move the divider, not the focus.
    widgets::keep_arrows(ui, &r, false);
    let keys = if r.has_focus() {
        ui.input(|i| {
            (i.key_pressed(egui::Key::ArrowDown) as i8 - i.key_pressed(egui::Key::ArrowUp) as i8)
                as f32
                * 20.0
        })
    } else {
        0.0
    };
    let moved = r.drag_delta().y + keys;
    (moved != 0.0).then_some(moved)
}

impl Details {
    fn details(
        &mut self,
        ui: &mut Ui,
        id: i64,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        let mut action = None;
        match &self.detail {
            Some(Err(e)) => widgets::explanation(ui, e),
            Some(Ok(d)) if d.summary.id == id => {
                if let Some(a) = detail(ui, d, emails) {
                    match a {
                        // Deleting asks first.
                        OutboxAction::Act(id, MessageAction::Delete) => {
                            self.confirm_delete = Some(id)
                        }
                        a => action = Some(a),
                    }
                }
            }
            None | Some(Ok(_)) => {
                widgets::spinner(ui, &tr!("spinner-message"));
            }
        }
        self.confirm_delete(ui).or(action)
    }

    fn confirm_delete(&mut self, ui: &mut Ui) -> Option<OutboxAction> {
        let id = self.confirm_delete?;
        let title = tr!("delete-title", id = id);
        let asked = widgets::ask(ui.ctx(), "confirm-delete", &title, |ui| {
            ui.label(tr!("delete-text"));
            ui.add_space(8.0);
            widgets::keep_or_act(ui, &tr!("keep-it"), &tr!("delete-message"))
        });
        // Escape or a click beside the question keeps the message.
        if asked.answer.is_some() || asked.dismissed {
            self.confirm_delete = None;
        }
        (asked.answer == Some(true)).then_some(OutboxAction::Act(id, MessageAction::Delete))
    }
}

fn detail(
    ui: &mut Ui,
    d: &MessageDetail,
    emails: &HashMap<String, String>,
) -> Option<OutboxAction> {
    let m = &d.summary;
    ui.horizontal(|ui| {
        let subject = if m.subject.is_empty() {
            tr!("no-subject")
        } else {
            m.subject.clone()
        };
        ui.heading(format!("#{} {subject}", m.id));
        message_badge(ui, m.state, m);
    });
    facts(ui, m, emails);
    if m.maybe_sent {
        ui.label(RichText::new(tr!("maybe-sent")).color(ui.visuals().warn_fg_color));
    }
    if let Some(copy) = m.copy_in_words() {
        ui.label(copy);
    }
    ui.add_space(4.0);
    let action = actions(ui, m);
    ui.add_space(4.0);
    recipients(ui, m);
    design::section(ui, tr!("history"));
    egui::Grid::new("outbox-history")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            for (words, when) in d.words.iter().zip(&d.when) {
                ui.label(RichText::new(when).weak().monospace());
                ui.label(words);
                ui.end_row();
            }
        });
    action
}

/// Each recipient, where it was named, what became of it and the server's words for it.
fn recipients(ui: &mut Ui, m: &Summary) {
    if m.recipients.is_empty() {
        return;
    }
    design::section(ui, tr!("recipients"));
    for r in &m.recipients {
        ui.horizontal(|ui| {
            ui.label(format!("{}: {}", r.field.in_words(), r.address));
            ui.label(RichText::new(r.state.in_words()).strong());
            if let Some(reply) = &r.reply {
                // The server's words, cut to the width left (whole on hover).
                let width = ui.available_width();
                widgets::elided(ui, RichText::new(reply).weak(), width);
            }
        });
    }
    ui.add_space(4.0);
}

fn facts(ui: &mut Ui, m: &Summary, emails: &HashMap<String, String>) {
    let account = emails
        .get(&m.account)
        .map_or(m.account.as_str(), String::as_str);
    // The address it went out as (an alias says so), and the account that sent it.
    let from = if m.from.is_empty() || m.from.eq_ignore_ascii_case(account) {
        account.to_string()
    } else {
        tr!("from-alias", from = m.from.as_str(), account = account)
    };
    widgets::name_values(
        ui,
        "outbox-detail-grid",
        [
            (tr!("header-to"), m.to.clone()),
            (tr!("from-account"), from),
        ]
        .map(|(n, v)| (n.into(), v.into())),
    );
    // For experts and support: the ids that find the message in the server's logs.
    egui::CollapsingHeader::new(tr!("technical-details"))
        .id_salt("outbox-detail-technical")
        .show(ui, |ui| {
            let not_yet = tr!("not-sent-yet");
            let queue_id = m.server_queue_id.as_deref().unwrap_or(&not_yet);
            widgets::name_values(
                ui,
                "outbox-detail-ids",
                [
                    ("Message-ID".to_string(), m.message_id.as_str()),
                    (tr!("server-queue-id"), queue_id),
                ]
                .map(|(n, v)| (n.into(), v.into())),
            );
        });
}

/// What can be done to the message in its state, and nothing else: Send now and Undo while
/// it waits for its time, Retry now while it waits to be tried again, Cancel sending while
/// either; File the copy now while a sent message's copy for the Sent folder is not filed; Edit & resend while its text is kept; Delete… unless it is being sent.
fn actions(ui: &mut Ui, m: &Summary) -> Option<OutboxAction> {
    let mut action = None;
    let id = m.id;
    ui.horizontal(|ui| {
        if scheduled(m.state, m) {
            if ui.button(tr!("send-now")).clicked() {
                action = Some(OutboxAction::Act(id, MessageAction::RetryNow));
            }
            let undo = ui.button(tr!("undo")).on_hover_text(tr!("undo-hint"));
            if undo.clicked() {
                action = Some(OutboxAction::Undo(id));
            }
        } else if matches!(m.state, State::Queued | State::Retry | State::Failed)
            && ui.button(tr!("retry-now")).clicked()
        {
            action = Some(OutboxAction::Act(id, MessageAction::RetryNow));
        }
        // Sent, its copy refused (a full mailbox) or waiting for the IMAP server: file it now.
        if m.state == State::Sent
            && matches!(m.copy, Some(CopyState::Failed | CopyState::Waiting))
            && m.kept
            && ui.button(tr!("file-copy-now")).clicked()
        {
            action = Some(OutboxAction::Act(id, MessageAction::RetryNow));
        }
        if matches!(m.state, State::Queued | State::Retry | State::Failed)
            && ui.button(tr!("cancel-sending")).clicked()
        {
            action = Some(OutboxAction::Act(id, MessageAction::Cancel));
        }
        // Its text let go (sent a while ago): nothing to edit, and the button says why.
        let edit = ui
            .add_enabled(m.kept, egui::Button::new(tr!("edit-resend")))
            .on_disabled_hover_text(tr!("edit-resend-text-gone"));
        if edit.clicked() {
            action = Some(OutboxAction::EditAndResend(id));
        }
        if m.state != State::Sending && ui.button(tr!("delete")).clicked() {
            action = Some(OutboxAction::Act(id, MessageAction::Delete));
        }
    });
    action
}
