//! The outbox screen: a virtualised table of every queued message (only the visible rows are
//! laid out, so 100,000 messages cost what 30 do), a status filter, and the selected message's
//! details, history and actions. The core's [`OutboxView`](crate::runtime::OutboxView) holds only ids and states; the
//! rows on screen (and a page around them) are asked for as the table scrolls and kept in a
//! small cache. The filtered index is rebuilt only when the view or the filter changes.

mod details;
mod filter;
mod row;
mod table;

use egui::Ui;

use super::shared::{Nav, Shared};
use super::widgets;
use crate::explain::Explanation;
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
    queued: Option<(i64, String)>,
    /// Why the outbox cannot be read.
    problem: Option<Explanation>,
    table: Table,
    details: Details,
}

impl OutboxScreen {
    /// The screen showing `filter`.
    pub fn with_filter(filter: Filter) -> Self {
        Self {
            filter,
            ..Default::default()
        }
    }

    /// Message `id`, named `name`, was just queued: the notice says where it is.
    pub fn just_queued(&mut self, id: i64, name: String) {
        self.notice = None;
        self.queued = Some((id, name));
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
                widgets::spinner(ui, "Loading the outbox");
                return;
            };
            let queued = self
                .queued
                .as_ref()
                .map(|(id, name)| Ok(widgets::whereabouts(name, view.state_of(*id))));
            let (filter, notice) = (&mut self.filter, self.notice.as_ref().or(queued.as_ref()));
            // The table on top, the selected message's details under it.
            let table_height = match self.selected {
                Some(_) => ui.available_height() - self.details.height(ui.available_height()),
                None => ui.available_height(),
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
            OutboxAction::OpenAccount(id) => {
                let id = shared
                    .accounts_ok()?
                    .accounts
                    .iter()
                    .find(|a| a.id.as_str() == id)
                    .map(|a| a.id.clone())?;
                return Some(Nav::OpenAccount(id));
            }
            OutboxAction::Write => return Some(Nav::To(super::View::Compose)),
        }
        None
    }
}
