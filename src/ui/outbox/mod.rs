//! The outbox screen: a virtualised table of every queued message (only the visible rows are
//! laid out, so 100,000 messages cost what 30 do), a status filter, and the selected message's
//! details, history and actions. The core's [`OutboxView`](crate::runtime::OutboxView) holds only ids and states; the
//! rows on screen (and a page around them) are asked for as the table scrolls and kept in a
//! small cache. The filtered index is rebuilt only when the view or the filter changes.

mod details;
mod filter;
mod row;
mod table;

use egui::{RichText, Ui};

use super::shared::{Nav, Shared};
use super::{design, widgets};
use crate::clock::{self, Millis, now_ms};
use crate::explain::Explanation;
use crate::outbox::State;
use crate::runtime::{Command, Event};
use crate::usecases::queue::MessageAction;
use details::Details;
pub use filter::Filter;
use row::OutboxAction;
pub use table::Shown;
use table::Table;

/// The screen's state.
#[derive(Default)]
pub struct OutboxScreen {
    /// The filter.
    pub filter: Filter,
    /// The selected message.
    selected: Option<i64>,
    /// What the last action did.
    pub notice: Option<Result<String, Explanation>>,
    /// The message just written, and its name: the notice follows its state.
    queued: Option<JustQueued>,
    /// Why the outbox cannot be read.
    problem: Option<Explanation>,
    table: Table,
    details: Details,
}

/// A message just written, and what the outbox says of it.
struct JustQueued {
    id: i64,
    /// "Message #5 (2 kB)".
    name: String,
    /// When it leaves, if not at once.
    not_before: Option<Millis>,
}

impl JustQueued {
    /// It has not left yet, and was set to leave later: Undo can take it back.
    fn can_undo(&self, state: Option<State>) -> bool {
        self.not_before.is_some_and(|t| t > now_ms()) && matches!(state, None | Some(State::Queued))
    }

    /// "Message #5 (2 kB) leaves in 4 s." and Undo, with the countdown kept up to date.
    fn undo_row(&self, ui: &mut Ui) -> Option<OutboxAction> {
        let at = self.not_before?;
        let now = now_ms();
        let when = if at - now <= 60_000 {
            clock::countdown(at, now)
        } else {
            clock::local(at)
        };
        let mut action = None;
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(tr!("will-be-sent", what = self.name.as_str(), when = when)).strong(),
            );
            let undo = design::primary(ui, true, tr!("undo"));
            // Told apart from the details' Undo by ear.
            let said = tr!("undo-sending", id = self.id);
            undo.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &said));
            widgets::arrive(ui, &undo, &format!("undo-{}", self.id));
            if undo.clicked() {
                action = Some(OutboxAction::Undo(self.id));
            }
        });
        if let Some(ms) = clock::countdown_changes_in(at, now) {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(ms as u64));
        } else {
            // At its time: once more, to drop Undo.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(
                    (at - now).max(0) as u64 + 50,
                ));
        }
        action
    }
}

impl OutboxScreen {
    /// The screen showing `filter`, its details pane `details_height` points high as the
    /// person left it (0: as the room allows).
    pub fn with_filter(filter: Filter, details_height: f32) -> Self {
        Self {
            filter,
            details: Details::with_height(details_height),
            ..Default::default()
        }
    }

    /// The details pane's height as the person dragged it (0 until then), to remember.
    pub fn details_height(&self) -> f32 {
        self.details.dragged_height()
    }

    /// Message `id`, named `name`, was just queued (to leave at `not_before`, if later):
    /// the notice says where it is, and offers Undo until it leaves.
    pub fn just_queued(&mut self, id: i64, name: String, not_before: Option<Millis>) {
        self.notice = None;
        self.queued = Some(JustQueued {
            id,
            name,
            not_before,
        });
    }

    /// Shows message `id` and asks for its details.
    pub fn select(&mut self, id: i64, shared: &Shared) {
        self.selected = Some(id);
        self.details.detail = None;
        shared.send(Command::Detail { id });
    }

    /// What the table showed since this was last asked (nothing when it was not drawn).
    pub fn take_shown(&mut self) -> Option<Shown> {
        self.table.take_shown()
    }

    /// Folds in an event of the core about the outbox; any other comes back.
    pub fn apply(&mut self, event: Event, shared: &mut Shared) -> Option<Event> {
        match event {
            Event::Outbox(view) => {
                self.problem = None;
                self.table.refreshed();
                if let Some(id) = self.selected {
                    shared.send(Command::Detail { id });
                }
                shared.outbox = Some(view);
            }
            Event::Rows(rows) => self.table.rows_arrived(rows),
            Event::OutboxUnreadable(e) => self.problem = Some(e),
            Event::Acted(result) => {
                self.queued = None;
                self.notice = Some(result);
            }
            Event::Detail(result) => self.details.detail = Some(result),
            other => return Some(other),
        }
        None
    }

    /// Draws the screen: the selected message along the bottom, the table above it.
    pub fn ui(&mut self, ui: &mut Ui, shared: &mut Shared) -> Option<Nav> {
        let mut action = None;
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if let Some(e) = &self.problem {
                widgets::explanation(ui, e);
            }
            let Some(view) = shared.outbox.clone() else {
                widgets::spinner(ui, &tr!("spinner-outbox"));
                return;
            };
            let waiting = self
                .queued
                .as_ref()
                .filter(|q| self.notice.is_none() && q.can_undo(view.state_of(q.id)));
            let queued = match waiting {
                Some(q) => {
                    if let Some(a) = q.undo_row(ui) {
                        action = Some(a);
                    }
                    None
                }
                None => self
                    .queued
                    .as_ref()
                    .map(|q| Ok(widgets::whereabouts(&q.name, view.state_of(q.id)))),
            };
            let (filter, notice) = (&mut self.filter, self.notice.as_ref().or(queued.as_ref()));
            // The table on top, the selected message's details under it.
            let available = ui.available_height();
            let table_height = match self.selected {
                Some(_) => available - self.details.height(available, self.table.needs()),
                None => available,
            };
            let size = egui::vec2(ui.available_width(), table_height);
            let rect = egui::Rect::from_min_size(ui.cursor().min, size);
            let table = ui
                .scope_builder(egui::UiBuilder::new().max_rect(rect), |ui| {
                    self.table
                        .show(ui, &view, filter, self.selected, notice, &shared.emails)
                })
                .inner;
            // The details stay where they are however few rows the table has.
            ui.advance_cursor_after_rect(rect);
            if table.is_some() {
                action = table;
            }
            if let Some(id) = self.selected
                && let Some(a) = self.details.show(ui, id, &shared.emails)
            {
                action = Some(a);
            }
        });
        let wanted = self.table.take_wanted();
        if !wanted.is_empty() {
            shared.send(Command::Rows(wanted));
        }
        self.act(action?, shared)
    }

    fn act(&mut self, action: OutboxAction, shared: &mut Shared) -> Option<Nav> {
        match action {
            OutboxAction::Select(id) => self.select(id, shared),
            OutboxAction::Act(id, a) => {
                self.notice = None;
                self.queued = None;
                if a == MessageAction::Delete {
                    self.selected = None;
                    self.details.detail = None;
                }
                shared.send(Command::Act { id, action: a });
            }
            OutboxAction::EditAndResend(id) => {
                self.notice = None;
                shared.send(Command::Reopen { id });
            }
            OutboxAction::OpenAccount(ref id) | OutboxAction::Redetect(ref id) => {
                let again = matches!(action, OutboxAction::Redetect(_));
                let id = shared
                    .accounts_ok()?
                    .accounts
                    .iter()
                    .find(|a| a.id.as_str() == id.as_str())
                    .map(|a| a.id.clone())?;
                return Some(if again {
                    Nav::Redetect(id)
                } else {
                    Nav::OpenAccount(id)
                });
            }
            OutboxAction::Write => return Some(Nav::To(crate::ui::View::Compose)),
            // Back into Write when the core has it (`Event::Reopened`).
            OutboxAction::Undo(id) => {
                self.queued = None;
                if self.selected == Some(id) {
                    self.selected = None;
                }
                shared.send(Command::Undo { id });
            }
        }
        None
    }
}
