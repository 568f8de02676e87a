//! The outbox table: the filters with their counts, paused accounts, the last action's
//! notice, and the virtualised rows (only those on screen are laid out and asked for).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder, TableRow};

use super::filter::Filter;
use super::row::{OutboxAction, badge, message_badge};
use crate::clock::{Millis, countdown, countdown_changes_in, now_ms, time_first};
use crate::explain::Explanation;
use crate::outbox::{State, Summary};
use crate::runtime::OutboxView;
use crate::ui::design;
use crate::ui::table_roles::TableRoles;
use crate::ui::widgets;

/// Rows asked for around a missing one, so that scrolling finds them read already.
const PAGE: usize = 60;
/// Rows kept at most; beyond that the cache starts again from what is on screen.
const CACHE_MAX: usize = 5_000;

/// The table's rows: the filtered index into the core's snapshot, and the messages read.
#[derive(Default)]
pub struct Table {
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
    /// What the last frame showed.
    shown: Option<Shown>,
    /// The row (by message) the keyboard moved to, until it is drawn and focused.
    focus: Option<i64>,
    /// Where the focused row was last frame.
    focused_at: Option<usize>,
    /// The row to scroll into view next frame.
    scroll_to: Option<usize>,
    /// Rows in view: what Page Up/Down moves by.
    page: usize,
    /// The height it needed last frame (see [`Table::needs`]).
    needs: f32,
}

/// What the table showed in a frame (for the frame log of benchmarks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    /// How far it was scrolled, in points.
    pub offset: f32,
    /// The first row laid out.
    pub first_row: Option<usize>,
    /// Rows laid out with placeholders, not read yet.
    pub placeholders: usize,
}

/// The table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Status,
    To,
    Subject,
    Account,
    Attempts,
    NextTry,
    LastReply,
}

impl Col {
    const ALL: [Col; 7] = [
        Col::Status,
        Col::To,
        Col::Subject,
        Col::Account,
        Col::Attempts,
        Col::NextTry,
        Col::LastReply,
    ];

    fn title(self) -> String {
        match self {
            Col::Status => tr!("col-status"),
            Col::To => tr!("header-to"),
            Col::Subject => tr!("field-subject"),
            Col::Account => tr!("col-account"),
            Col::Attempts => tr!("col-attempts"),
            Col::NextTry => tr!("col-next-try"),
            Col::LastReply => tr!("col-last-reply"),
        }
    }

    /// Its width, in points: fixed for short values (wide enough for their words and title
    /// in the language shown), a starting width for text (cut with "…" to fit); the subject
    /// takes what is left.
    fn column(self, ui: &Ui) -> Column {
        let text = |width: f32| Column::initial(width).at_least(80.0).clip(true);
        // Each cell's words, and the cell's margins.
        let fits =
            |least: f32, words: Vec<String>| (widgets::widest_text(ui, words) + 12.0).max(least);
        let states = || {
            let mut words: Vec<String> = State::ALL
                .into_iter()
                .map(|s| format!("{} {}", design::icon::RETRY, s.in_words()))
                .collect();
            words.push(format!(
                "{} {}",
                design::icon::WAITING,
                tr!("state-scheduled")
            ));
            // Refused recipients, up to the tens: more is cut with "…".
            words.push(format!(
                "{} {}",
                design::icon::OK,
                tr!("state-sent-refused", count = 99)
            ));
            words
        };
        match self {
            Col::Status => Column::exact(fits(104.0, [states(), vec![self.title()]].concat())),
            Col::Attempts => Column::exact(fits(70.0, vec![self.title()])),
            Col::NextTry => Column::exact(fits(96.0, vec![self.title()])),
            Col::To => text(170.0),
            Col::Account => text(150.0),
            Col::LastReply => text(160.0),
            Col::Subject => Column::remainder().at_least(120.0).clip(true),
        }
    }

    /// The columns that fit `width` points: the last reply (in the details too) and then the
    /// account go first when the window is narrow.
    fn fitting(width: f32) -> Vec<Col> {
        Col::ALL
            .into_iter()
            .filter(|c| match c {
                Col::LastReply => width >= 960.0,
                Col::Account => width >= 780.0,
                _ => true,
            })
            .collect()
    }
}

impl Table {
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

    /// What the table showed since this was last asked.
    pub fn take_shown(&mut self) -> Option<Shown> {
        self.shown.take()
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

    /// The rows the filter admits, indices into the snapshot; rebuilt only on change.
    fn reindex(&mut self, view: &Arc<OutboxView>, filter: Filter) {
        let fresh = matches!(&self.indexed, Some((v, f)) if Arc::ptr_eq(v, view) && *f == filter);
        if !fresh {
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

    /// Draws the filters, banners, `notice` and the table; `selected` is highlighted.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        view: &Arc<OutboxView>,
        filter: &mut Filter,
        selected: Option<i64>,
        notice: Option<&Result<String, Explanation>>,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        let top = ui.cursor().min.y;
        toolbar(ui, view, filter);
        let open_account = account_banners(ui, view, emails);
        match notice {
            Some(Ok(text)) => {
                ui.label(RichText::new(text).color(design::ok(ui)));
            }
            Some(Err(e)) => widgets::explanation(ui, e),
            None => {}
        }
        ui.add_space(4.0);
        self.reindex(view, *filter);
        if self.index.is_empty() {
            let action = empty(ui, view.index.is_empty(), *filter);
            self.needs = ui.min_rect().bottom() - top;
            return action.or(open_account);
        }
        let (action, bottom) = self.rows(ui, view, selected, emails);
        self.needs = bottom - top;
        action.or(open_account)
    }

    /// The height the table needed last frame to show every row, with what is above it.
    pub fn needs(&self) -> f32 {
        self.needs
    }

    fn rows(
        &mut self,
        ui: &mut Ui,
        view: &OutboxView,
        selected: Option<i64>,
        emails: &HashMap<String, String>,
    ) -> (Option<OutboxAction>, f32) {
        let mut action = None;
        let now = now_ms();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let cols = Col::fitting(ui.available_width());
        let columns: Vec<Column> = cols.iter().map(|c| c.column(ui)).collect();
        // The keyboard stops once at the table, on the selected row (the first when none
        // is); the arrows, Home/End and Page Up/Down move from row to row.
        let selected_at = selected.and_then(|id| {
            self.index
                .iter()
                .position(|&i| view.index[i as usize].0 == id)
        });
        let current = selected_at.unwrap_or(0);
        let moved = self.moved_to(ui, view, current);
        if let Some((at, id)) = moved {
            action = Some(OutboxAction::Select(id));
            self.focus = Some(id);
            self.scroll_to = Some(at);
        }
        let current = moved.map_or(current, |(at, _)| at);
        let index = &self.index;
        let (cache, stale) = (&self.cache, &self.stale);
        let mut missing = Vec::new();
        let (mut first_row, mut placeholders) = (None, 0);
        // When the first countdown on screen reads differently.
        let mut repaint: Option<Millis> = None;
        let mut roles = TableRoles::default();
        let mut focus = self.focus;
        let mut focused_at = None;
        let scroll_to = self.scroll_to.take();
        let table = ui.scope_builder(
            egui::UiBuilder::new()
                .id_salt("outbox-table-node")
                .accessibility_label(tr!("outbox-table")),
            |ui| {
                let table_id = ui.unique_id();
                // A click on a cell's text selects the row, not the text.
                ui.style_mut().interaction.selectable_labels = false;
                let mut builder = columns
                    .into_iter()
                    .fold(TableBuilder::new(ui), |t, c| t.column(c))
                    .id_salt("outbox-table")
                    .min_scrolled_height(0.0)
                    .striped(true)
                    // A click anywhere on a row selects it.
                    .sense(egui::Sense::CLICK)
                    // The subject is a button, taller than a label: every cell on the
                    // row's middle.
                    .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
                if let Some(at) = scroll_to {
                    builder = builder.scroll_to_row(at, None);
                }
                let scrolled = builder
                    .header(row_height, |mut header| {
                        let cells: Vec<_> = cols
                            .iter()
                            .enumerate()
                            .map(|(i, c)| {
                                header
                                    .col(|ui| {
                                        let title = ui.strong(c.title());
                                        roles.cell(ui, i, Some(title.id));
                                    })
                                    .1
                            })
                            .collect();
                        roles.header(table_id.with("header-row"), &cells);
                    })
                    .body(|body| {
                        body.rows(row_height, index.len(), |mut row| {
                            let at = row.index();
                            first_row = first_row.or(Some(at));
                            let (id, state) = view.index[index[at] as usize];
                            row.set_selected(selected == Some(id));
                            let known = cache.get(&id).or_else(|| stale.get(&id));
                            if !cache.contains_key(&id) {
                                missing.push(at);
                            }
                            let mut cells = Vec::with_capacity(cols.len());
                            if let Some(m) = known {
                                if let Some(ms) =
                                    m.next_attempt_ms.and_then(|t| countdown_changes_in(t, now))
                                {
                                    repaint = Some(repaint.map_or(ms, |r| r.min(ms)));
                                }
                                let who = emails
                                    .get(&m.account)
                                    .map_or(m.account.as_str(), String::as_str);
                                let cell = Cell {
                                    m,
                                    state,
                                    who,
                                    selected: selected == Some(id),
                                    now,
                                    focus: (at == current).then(|| row_focus(table_id, id)),
                                    // The row moved to by the keyboard gets the focus once
                                    // drawn.
                                    take_focus: focus == Some(id) && at == current,
                                };
                                if focus == Some(id) && at == current {
                                    focus = None;
                                }
                                let drawn = cell.draw(&mut row, &cols, &mut roles);
                                if drawn.focused {
                                    focused_at = Some(at);
                                }
                                if drawn.clicked {
                                    action = Some(OutboxAction::Select(id));
                                }
                                cells = drawn.cells;
                            } else {
                                // Not read yet: the state is known, the rest comes in a
                                // moment.
                                placeholders += 1;
                                for (i, _) in cols.iter().enumerate() {
                                    let (_, r) = row.col(|ui| {
                                        roles.cell(ui, i, None);
                                        if i == 0 {
                                            badge(ui, state, state.in_words());
                                        } else {
                                            ui.label(RichText::new("…").weak());
                                        }
                                    });
                                    cells.push(r);
                                }
                                if row.response().clicked() {
                                    action = Some(OutboxAction::Select(id));
                                }
                            }
                            let row_id = table_id.with(("row", id));
                            roles.row(row_id, at, selected == Some(id), &cells);
                        });
                    });
                (scrolled, table_id)
            },
        );
        let (scrolled, table_id) = table.inner;
        self.focus = focus;
        self.focused_at = focused_at;
        self.page = ((scrolled.inner_rect.height() / row_height) as usize).max(1);
        roles.finish(ui.ctx(), table_id, index.len() + 1, cols.len());
        if let Some(ms) = repaint {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(ms as u64));
        }
        widgets::name_scroll_bars(ui, scrolled.id, &tr!("scroll-messages"));
        self.shown = Some(Shown {
            offset: scrolled.state.clamped_offset().y,
            first_row,
            placeholders,
        });
        for at in missing {
            self.want(view, at);
        }
        // Where the last row ends when all are shown, and a margin.
        let bottom = scrolled.inner_rect.top() + scrolled.content_size.y + design::GAP;
        (action, bottom)
    }

    /// The row the keyboard moves to from the focused row at `current` (arrows, Home/End,
    /// Page Up/Down), with its message.
    fn moved_to(&self, ui: &Ui, view: &OutboxView, current: usize) -> Option<(usize, i64)> {
        let at = self.focused_at.filter(|&at| at == current)?;
        let last = self.index.len().checked_sub(1)?;
        let page = self.page;
        let target = ui.input_mut(|i| {
            let mut pressed = |key| i.consume_key(egui::Modifiers::NONE, key);
            if pressed(egui::Key::ArrowDown) {
                Some((at + 1).min(last))
            } else if pressed(egui::Key::ArrowUp) {
                Some(at.saturating_sub(1))
            } else if pressed(egui::Key::PageDown) {
                Some((at + page).min(last))
            } else if pressed(egui::Key::PageUp) {
                Some(at.saturating_sub(page))
            } else if pressed(egui::Key::Home) {
                Some(0)
            } else if pressed(egui::Key::End) {
                Some(last)
            } else {
                None
            }
        })?;
        (target != at).then(|| (target, view.index[self.index[target] as usize].0))
    }
}

/// The focus of the row showing message `id`.
fn row_focus(table: egui::Id, id: i64) -> egui::Id {
    table.with(("focus", id))
}

/// Nothing to show: why, and what to do next.
fn empty(ui: &mut Ui, outbox_empty: bool, filter: Filter) -> Option<OutboxAction> {
    ui.add_space(design::SECTION_GAP);
    if outbox_empty {
        ui.label(tr!("outbox-empty"));
        ui.add_space(design::GAP);
        let write = design::primary(ui, true, tr!("write-message"));
        return write.clicked().then_some(OutboxAction::Write);
    }
    let which = match filter {
        Filter::Waiting => "waiting",
        Filter::Sent => "sent",
        Filter::Failed => "failed",
        Filter::All | Filter::Cancelled => "cancelled",
    };
    ui.label(tr!("filter-empty", filter = which));
    None
}

/// The heading and the filters, each with its count.
fn toolbar(ui: &mut Ui, view: &OutboxView, filter: &mut Filter) {
    ui.horizontal(|ui| {
        ui.heading(tr!("view-outbox"));
        ui.add_space(design::SECTION_GAP);
        for f in Filter::ALL {
            let text = tr!("filter-count", filter = f.label(), count = f.count_in(view));
            let r = ui.selectable_label(*filter == f, text);
            if *filter == f {
                // The keyboard starts at the filter in use; Tab goes on to the messages.
                widgets::arrive(ui, &r, "outbox");
            }
            if r.clicked() {
                *filter = f;
            }
        }
    });
}

/// Sending paused for an account: why, and a button that opens it; an account that has not
/// reached its server for a day: a button that finds its settings again.
fn account_banners(
    ui: &mut Ui,
    view: &OutboxView,
    emails: &HashMap<String, String>,
) -> Option<OutboxAction> {
    let mut open = None;
    // Not reaching its server for a day: the settings may have changed; finding them again
    // is one click.
    for u in &view.unreachable {
        let who = emails
            .get(&u.account)
            .map_or(u.account.as_str(), String::as_str);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(u.in_words(who)).color(design::warn(ui)));
            let again = ui.button(tr!("find-settings-again"));
            let said = tr!("find-settings-again-for", who = who);
            again.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &said));
            if again.clicked() {
                open = Some(OutboxAction::Redetect(u.account.clone()));
            }
        });
    }
    for (account, reason) in &view.paused {
        let who = emails.get(account).map_or(account.as_str(), String::as_str);
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(tr!("paused", who = who, reason = reason.to_string()))
                    .color(design::error(ui)),
            );
            if ui.button(tr!("open-who", who = who)).clicked() {
                open = Some(OutboxAction::OpenAccount(account.clone()));
            }
        });
    }
    open
}

/// One message's row.
struct Cell<'a> {
    m: &'a Summary,
    state: State,
    who: &'a str,
    selected: bool,
    now: Millis,
    /// The row is where the keyboard stops in the table: its subject takes the focus, with
    /// this id.
    focus: Option<egui::Id>,
    /// The keyboard moved here: take the focus now.
    take_focus: bool,
}

/// What drawing a row gave.
struct Drawn {
    /// Each cell's response, in column order.
    cells: Vec<egui::Response>,
    /// Clicked anywhere.
    clicked: bool,
    /// Its subject has the keyboard's focus.
    focused: bool,
}

impl Cell<'_> {
    /// Draws the row's `cols`, each cell marked as one for a screen reader.
    fn draw(&self, row: &mut TableRow<'_, '_>, cols: &[Col], roles: &mut TableRoles) -> Drawn {
        let m = self.m;
        let (mut clicked, mut focused) = (false, false);
        let mut cells = Vec::with_capacity(cols.len());
        for (i, col) in cols.iter().enumerate() {
            let (_, r) = row.col(|ui| {
                roles.cell(ui, i, None);
                match col {
                    Col::Status => message_badge(ui, self.state, m),
                    Col::To => cut(ui, RichText::new(&m.to)),
                    Col::Subject => {
                        let subject = if m.subject.is_empty() {
                            tr!("no-subject")
                        } else {
                            m.subject.clone()
                        };
                        let r = self.subject(ui, subject);
                        clicked |= r.clicked();
                        focused |= r.has_focus();
                    }
                    Col::Account => cut(ui, RichText::new(self.who)),
                    Col::Attempts => {
                        ui.label(m.attempts.to_string());
                    }
                    Col::NextTry => {
                        // A countdown within the hour, the day and time beyond (send later).
                        let next = m.next_attempt_ms.map(|t| {
                            if t - self.now > 3_600_000 {
                                time_first(t)
                            } else {
                                countdown(t, self.now)
                            }
                        });
                        cut(ui, RichText::new(next.unwrap_or_default()));
                    }
                    Col::LastReply => {
                        cut(
                            ui,
                            RichText::new(m.last_reply.as_deref().unwrap_or("")).weak(),
                        );
                    }
                }
            });
            cells.push(r);
        }
        Drawn {
            clicked: clicked || row.response().clicked(),
            focused,
            cells,
        }
    }

    /// The subject: on the row the keyboard stops at, a button that holds the focus and
    /// keeps the up and down keys for the table; elsewhere text (the row takes the click).
    fn subject(&self, ui: &mut Ui, subject: String) -> egui::Response {
        let Some(id) = self.focus else {
            let width = ui.available_width();
            return widgets::elided(ui, RichText::new(subject), width);
        };
        let button = egui::Button::selectable(self.selected, &subject).truncate();
        let r = ui.push_id(id, |ui| ui.add(button)).inner;
        if self.take_focus {
            r.request_focus();
        }
        widgets::keep_arrows(ui, &r, false);
        r.on_hover_text(subject)
    }
}

/// `text` cut with "…" to the cell's width, whole on hover.
fn cut(ui: &mut Ui, text: RichText) {
    let width = ui.available_width();
    widgets::elided(ui, text, width);
}
