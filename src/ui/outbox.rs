//! The outbox screen: a virtualised table of every queued message (only the visible rows are
//! laid out, so 100,000 messages cost what 30 do), a status filter, and the selected message's
//! details, history and actions. The core's [`OutboxView`] holds only ids and states; the
//! rows on screen (and a page around them) are asked for as the table scrolls and kept in a
//! small cache. The filtered index is rebuilt only when the view or the filter changes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use serde::{Deserialize, Serialize};

use super::widgets;
use crate::explain::Explanation;
use crate::clock::{Millis, now_ms};
use crate::outbox::{State, Summary};
use crate::runtime::{MessageAction, MessageDetail, OutboxView};

/// Which messages the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Filter {
    /// Every message.
    #[default]
    All,
    /// Not finished: queued, being sent, or waiting to retry.
    Waiting,
    /// Accepted by the server.
    Sent,
    /// Refused or given up.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl Filter {
    const ALL: [Filter; 5] = [
        Filter::All,
        Filter::Waiting,
        Filter::Sent,
        Filter::Failed,
        Filter::Cancelled,
    ];

    fn label(self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::Waiting => "Waiting",
            Filter::Sent => "Sent",
            Filter::Failed => "Failed",
            Filter::Cancelled => "Cancelled",
        }
    }

    fn admits(self, s: State) -> bool {
        match self {
            Filter::All => true,
            Filter::Waiting => !s.is_final(),
            Filter::Sent => s == State::Sent,
            Filter::Failed => s == State::Failed,
            Filter::Cancelled => s == State::Cancelled,
        }
    }

    /// How many messages of `view` the filter admits (from the counts, not the rows).
    pub fn count_in(self, view: &OutboxView) -> i64 {
        view.counts
            .iter()
            .filter(|(s, _)| self.admits(*s))
            .map(|(_, n)| n)
            .sum()
    }
}

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

/// The screen's state.
#[derive(Default)]
pub struct OutboxScreen {
    /// The filter.
    pub filter: Filter,
    /// The selected message.
    pub selected: Option<i64>,
    /// Its details, once read.
    pub detail: Option<Result<MessageDetail, Explanation>>,
    /// Delete was asked for this message: confirm first.
    pub confirm_delete: Option<i64>,
    /// What the last action did.
    pub notice: Option<Result<String, Explanation>>,
    index: Vec<u32>,
    indexed: Option<(Arc<OutboxView>, Filter)>,
    /// Rows read since the view last changed.
    cache: HashMap<i64, Summary>,
    /// Rows read before it changed: shown until fresh ones arrive, so nothing flickers.
    stale: HashMap<i64, Summary>,
    /// Rows asked for and not arrived yet.
    asked: HashSet<i64>,
    /// Rows to ask for after this frame.
    wanted: Vec<i64>,
}

/// Rows asked for around a missing one, so that scrolling finds them read already.
const PAGE: usize = 60;
/// Rows kept at most; beyond that the cache starts again from what is on screen.
const CACHE_MAX: usize = 5_000;

/// Seconds until `at`, for people.
pub fn countdown(at: Millis, now: Millis) -> String {
    let secs = (at - now).div_euclid(1000);
    if secs <= 0 {
        "now".into()
    } else if secs < 60 {
        format!("in {secs} s")
    } else if secs < 3600 {
        format!("in {} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("in {} h {:02} min", secs / 3600, secs % 3600 / 60)
    }
}

fn badge(ui: &mut Ui, state: State) {
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

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

impl OutboxScreen {
    /// The queue changed: rows read so far may be out of date.
    pub fn refreshed(&mut self) {
        self.stale = std::mem::take(&mut self.cache);
        self.asked.clear();
    }

    /// Rows asked for have arrived.
    pub fn rows_arrived(&mut self, rows: Vec<Summary>) {
        if self.cache.len() + rows.len() > CACHE_MAX {
            self.cache.clear();
            self.stale.clear();
        }
        for r in rows {
            self.asked.remove(&r.id);
            self.stale.remove(&r.id);
            self.cache.insert(r.id, r);
        }
    }

    /// The rows to ask the core for, collected while drawing.
    pub fn take_wanted(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.wanted)
    }

    /// Notes that the row at filtered position `at` is missing: asks for a page around it.
    fn want(&mut self, view: &OutboxView, at: usize) {
        let from = at.saturating_sub(PAGE / 2);
        let to = (at + PAGE).min(self.index.len());
        for &i in &self.index[from..to] {
            let id = view.index[i as usize].0;
            if !self.cache.contains_key(&id) && self.asked.insert(id) {
                self.wanted.push(id);
            }
        }
    }

    /// The screen showing `filter`.
    pub fn with_filter(filter: Filter) -> Self {
        Self {
            filter,
            ..Default::default()
        }
    }

    /// The rows the filter admits, indices into the snapshot; rebuilt only on change.
    fn reindex(&mut self, view: &Arc<OutboxView>) {
        let fresh =
            matches!(&self.indexed, Some((v, f)) if Arc::ptr_eq(v, view) && *f == self.filter);
        if !fresh {
            let filter = self.filter;
            self.index = view
                .index
                .iter()
                .enumerate()
                .filter(|(_, (_, state))| filter.admits(*state))
                .map(|(i, _)| i as u32)
                .collect();
            self.indexed = Some((view.clone(), filter));
        }
    }

    /// Draws the screen. `emails` names accounts by id.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        view: Option<&Arc<OutboxView>>,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        let mut action = None;
        let Some(view) = view else {
            ui.spinner();
            return None;
        };
        ui.horizontal(|ui| {
            ui.heading("Outbox");
            ui.add_space(12.0);
            for f in Filter::ALL {
                let text = format!("{} ({})", f.label(), f.count_in(view));
                if ui.selectable_label(self.filter == f, text).clicked() {
                    self.filter = f;
                }
            }
        });
        let mut open_account = None;
        for (account, reason) in &view.paused {
            let who = emails.get(account).map_or(account.as_str(), String::as_str);
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("Sending from {who} is paused: {reason}"))
                        .color(widgets::error_color(ui)),
                );
                if ui.button(format!("Open {who}")).clicked() {
                    open_account = Some(OutboxAction::OpenAccount(account.clone()));
                }
            });
        }
        match &self.notice {
            Some(Ok(text)) => {
                ui.label(RichText::new(text).color(widgets::ok_color(ui)));
            }
            Some(Err(e)) => widgets::explanation(ui, e),
            None => {}
        }
        ui.add_space(4.0);
        self.reindex(view);
        let index = &self.index;
        if index.is_empty() {
            ui.add_space(20.0);
            ui.label(RichText::new(if view.index.is_empty() {
                "The outbox is empty. Messages you send wait here until the server accepts them."
            } else {
                "No message matches this filter."
            }).weak());
            return action;
        }
        let now = now_ms();
        let selected = self.selected;
        let (cache, stale) = (&self.cache, &self.stale);
        let mut missing = Vec::new();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        TableBuilder::new(ui)
            .id_salt("outbox-table")
            .striped(true)
            .sense(egui::Sense::click())
            .column(Column::exact(72.0))
            .column(
                Column::initial(170.0)
                    .at_least(80.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(
                Column::initial(190.0)
                    .at_least(80.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(
                Column::initial(130.0)
                    .at_least(60.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(Column::exact(64.0))
            .column(
                Column::initial(100.0)
                    .at_least(60.0)
                    .clip(true)
                    .resizable(true),
            )
            .column(Column::remainder().at_least(80.0).clip(true))
            .header(row_height, |mut header| {
                for title in [
                    "Status",
                    "To",
                    "Subject",
                    "Account",
                    "Attempts",
                    "Next try",
                    "Last reply",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, index.len(), |mut row| {
                    let (id, state) = view.index[index[row.index()] as usize];
                    row.set_selected(selected == Some(id));
                    let Some(m) = cache.get(&id).or_else(|| stale.get(&id)) else {
                        // Not read yet: the state is known, the rest comes in a moment.
                        missing.push(row.index());
                        row.col(|ui| badge(ui, state));
                        for _ in 0..6 {
                            row.col(|ui| {
                                ui.label(RichText::new("…").weak());
                            });
                        }
                        return;
                    };
                    if !cache.contains_key(&id) {
                        missing.push(row.index());
                    }
                    row.col(|ui| badge(ui, state));
                    row.col(|ui| {
                        ui.label(clip(&m.to, 60));
                    });
                    row.col(|ui| {
                        let subject = if m.subject.is_empty() {
                            "(no subject)"
                        } else {
                            &m.subject
                        };
                        if ui
                            .selectable_label(selected == Some(id), clip(subject, 80))
                            .clicked()
                        {
                            action = Some(OutboxAction::Select(id));
                        }
                    });
                    row.col(|ui| {
                        ui.label(
                            emails
                                .get(&m.account)
                                .map_or(m.account.as_str(), String::as_str),
                        );
                    });
                    row.col(|ui| {
                        ui.label(m.attempts.to_string());
                    });
                    row.col(|ui| {
                        ui.label(
                            m.next_attempt_ms
                                .map(|t| countdown(t, now))
                                .unwrap_or_default(),
                        );
                    });
                    row.col(|ui| {
                        ui.label(
                            RichText::new(clip(m.last_reply.as_deref().unwrap_or(""), 120)).weak(),
                        );
                    });
                    if row.response().clicked() {
                        action = Some(OutboxAction::Select(id));
                    }
                });
            });
        for at in missing {
            self.want(view, at);
        }
        if Filter::Waiting.count_in(view) > 0 {
            // Countdowns tick: one repaint a second is enough.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
        action.or(open_account)
    }

    /// Draws the selected message's details in a panel along the bottom of `ui` (call before
    /// the central panel that holds the table).
    pub fn show_details(
        &mut self,
        ui: &mut Ui,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        self.selected?;
        let mut action = None;
        egui::Panel::bottom("outbox-detail")
            .resizable(true)
            .default_size(240.0)
            .min_size(120.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    action = self.details(ui, emails);
                });
            });
        action
    }

    fn details(&mut self, ui: &mut Ui, emails: &HashMap<String, String>) -> Option<OutboxAction> {
        let mut action = None;
        let id = self.selected?;
        match &self.detail {
            None => {
                ui.spinner();
            }
            Some(Err(e)) => widgets::explanation(ui, e),
            Some(Ok(d)) if d.summary.id == id => {
                let m = &d.summary;
                ui.horizontal(|ui| {
                    ui.heading(format!(
                        "#{} {}",
                        m.id,
                        if m.subject.is_empty() {
                            "(no subject)"
                        } else {
                            &m.subject
                        }
                    ));
                    badge(ui, m.state);
                });
                egui::Grid::new("outbox-detail-grid")
                    .num_columns(2)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        ui.label("To");
                        ui.label(&m.to);
                        ui.end_row();
                        ui.label("From account");
                        ui.label(
                            emails
                                .get(&m.account)
                                .map_or(m.account.as_str(), String::as_str),
                        );
                        ui.end_row();
                        ui.label("Message-ID");
                        ui.label(&m.message_id);
                        ui.end_row();
                        ui.label("Server queue id");
                        ui.label(m.server_queue_id.as_deref().unwrap_or("—"));
                        ui.end_row();
                    });
                if m.maybe_sent {
                    ui.label(
                        RichText::new(
                            "A connection broke after this message was handed over: it may have \
                             arrived already. Sending again uses the same Message-ID.",
                        )
                        .color(ui.visuals().warn_fg_color),
                    );
                }
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    let waiting = matches!(m.state, State::Queued | State::Retry | State::Failed);
                    if ui
                        .add_enabled(waiting, egui::Button::new("Retry now"))
                        .clicked()
                    {
                        action = Some(OutboxAction::Act(id, MessageAction::RetryNow));
                    }
                    if ui
                        .add_enabled(waiting, egui::Button::new("Cancel sending"))
                        .clicked()
                    {
                        action = Some(OutboxAction::Act(id, MessageAction::Cancel));
                    }
                    if ui.button("Edit & resend").clicked() {
                        action = Some(OutboxAction::EditAndResend(id));
                    }
                    if ui
                        .add_enabled(m.state != State::Sending, egui::Button::new("Delete…"))
                        .clicked()
                    {
                        self.confirm_delete = Some(id);
                    }
                });
                ui.add_space(4.0);
                ui.label(RichText::new("History").strong());
                egui::Grid::new("outbox-history")
                    .num_columns(2)
                    .spacing([12.0, 2.0])
                    .striped(true)
                    .show(ui, |ui| {
                        for (e, when) in d.history.iter().zip(&d.when) {
                            ui.label(RichText::new(when).weak().monospace());
                            ui.label(&e.text);
                            ui.end_row();
                        }
                    });
            }
            Some(Ok(_)) => {
                ui.spinner();
            }
        }
        if let Some(id) = self.confirm_delete {
            egui::Modal::new(egui::Id::unique("confirm-delete")).show(ui.ctx(), |ui| {
                ui.heading(format!("Delete message #{id}?"));
                ui.label("It and its history are removed from the outbox; if it was not sent yet, it never will be.");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Delete message").clicked() {
                        action = Some(OutboxAction::Act(id, MessageAction::Delete));
                        self.confirm_delete = None;
                    }
                    if ui.button("Keep it").clicked() {
                        self.confirm_delete = None;
                    }
                });
            });
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(1_000, 5_000), "now");
        assert_eq!(countdown(65_000, 0), "in 1 min 05 s");
        assert_eq!(countdown(59_999, 0), "in 59 s");
        assert_eq!(countdown(3_600_000 * 2 + 60_000, 0), "in 2 h 01 min");
    }
}
