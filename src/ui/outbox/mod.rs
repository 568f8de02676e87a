//! The outbox screen: a virtualised table of every queued message (only the visible rows are
//! laid out, so 100,000 messages cost what 30 do), a status filter, and the selected message's
//! details, history and actions. The core's [`OutboxView`] holds only ids and states; the
//! rows on screen (and a page around them) are asked for as the table scrolls and kept in a
//! small cache. The filtered index is rebuilt only when the view or the filter changes.

mod details;
mod table;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use egui::{RichText, Ui};
use serde::{Deserialize, Serialize};

use super::shared::{Nav, Shared};
use super::widgets;
use crate::explain::Explanation;
use crate::outbox::{State, Summary};
use crate::runtime::{Command, Event, OutboxView};
use crate::usecases::queue::{MessageAction, MessageDetail};

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
    pub(super) const ALL: [Filter; 5] = [
        Filter::All,
        Filter::Waiting,
        Filter::Sent,
        Filter::Failed,
        Filter::Cancelled,
    ];

    pub(super) fn label(self) -> &'static str {
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
    /// Why the outbox cannot be read.
    problem: Option<Explanation>,
    pub(super) index: Vec<u32>,
    indexed: Option<(Arc<OutboxView>, Filter)>,
    /// Rows read since the view last changed.
    pub(super) cache: HashMap<i64, Summary>,
    /// Rows read before it changed: shown until fresh ones arrive, so nothing flickers.
    pub(super) stale: HashMap<i64, Summary>,
    /// Rows asked for and not arrived yet.
    asked: HashSet<i64>,
    /// Rows to ask for after this frame.
    wanted: Vec<i64>,
}

/// Rows asked for around a missing one, so that scrolling finds them read already.
const PAGE: usize = 60;
/// Rows kept at most; beyond that the cache starts again from what is on screen.
const CACHE_MAX: usize = 5_000;

pub(super) fn badge(ui: &mut Ui, state: State) {
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

pub(super) fn clip(s: &str, n: usize) -> String {
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
    pub(super) fn want(&mut self, view: &OutboxView, at: usize) {
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
    pub(super) fn reindex(&mut self, view: &Arc<OutboxView>) {
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

    /// Shows message `id` and asks for its details.
    pub fn select(&mut self, id: i64, shared: &Shared) {
        self.selected = Some(id);
        self.detail = None;
        shared.send(Command::Detail { id });
    }

    /// Folds in an event of the core about the outbox; any other comes back.
    pub fn apply(&mut self, event: Event, shared: &mut Shared) -> Option<Event> {
        match event {
            Event::Outbox(view) => {
                self.problem = None;
                self.refreshed();
                if let Some(id) = self.selected {
                    shared.send(Command::Detail { id });
                }
                shared.outbox = Some(view);
            }
            Event::Rows(rows) => self.rows_arrived(rows),
            Event::OutboxUnreadable(e) => self.problem = Some(e),
            Event::Acted(result) => self.notice = Some(result),
            Event::Detail(result) => self.detail = Some(result),
            other => return Some(other),
        }
        None
    }

    /// Draws the screen: the selected message along the bottom, the table above it.
    pub fn ui(&mut self, ui: &mut Ui, shared: &mut Shared) -> Option<Nav> {
        let mut action = self.show_details(ui, &shared.emails);
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if let Some(e) = &self.problem {
                widgets::explanation(ui, e);
            }
            let Some(view) = shared.outbox.clone() else {
                ui.spinner();
                return;
            };
            if let Some(a) = self.table(ui, &view, &shared.emails) {
                action = Some(a);
            }
        });
        let wanted = self.take_wanted();
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
                if a == MessageAction::Delete {
                    self.selected = None;
                    self.detail = None;
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
        }
        None
    }
}
