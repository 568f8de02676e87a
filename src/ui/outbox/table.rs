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
        toolbar(ui, view, filter);
        let open_account = paused(ui, view, emails);
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
            return empty(ui, view.index.is_empty(), *filter).or(open_account);
        }
        self.rows(ui, view, selected, emails).or(open_account)
    }

    fn rows(
        &mut self,
        ui: &mut Ui,
        view: &OutboxView,
        selected: Option<i64>,
        emails: &HashMap<String, String>,
    ) -> Option<OutboxAction> {
        let mut action = None;
        let now = now_ms();
        let index = &self.index;
        let (cache, stale) = (&self.cache, &self.stale);
        let mut missing = Vec::new();
        let (mut first_row, mut placeholders) = (None, 0);
        // When the first countdown on screen reads differently.
        let mut repaint: Option<Millis> = None;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let cols = Col::fitting(ui.available_width());
        let columns: Vec<Column> = cols.iter().map(|c| c.column(ui)).collect();
        let scrolled = columns
            .into_iter()
            .fold(TableBuilder::new(ui), |t, c| t.column(c))
            .id_salt("outbox-table")
            .min_scrolled_height(0.0)
            .striped(true)
            // A click anywhere on a row selects it; the keyboard stops once per row, at its
            // subject (a focusable row would be a second, nameless stop).
            .sense(egui::Sense::CLICK)
            // The subject is a button, taller than a label: every cell on the row's middle.
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .header(row_height, |mut header| {
                for c in &cols {
                    header.col(|ui| {
                        ui.strong(c.title());
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, index.len(), |mut row| {
                    first_row = first_row.or(Some(row.index()));
                    let (id, state) = view.index[index[row.index()] as usize];
                    row.set_selected(selected == Some(id));
                    let known = cache.get(&id).or_else(|| stale.get(&id));
                    if !cache.contains_key(&id) {
                        missing.push(row.index());
                    }
                    let Some(m) = known else {
                        // Not read yet: the state is known, the rest comes in a moment.
                        placeholders += 1;
                        row.col(|ui| badge(ui, state, state.in_words()));
                        for _ in 1..cols.len() {
                            row.col(|ui| {
                                ui.label(RichText::new("…").weak());
                            });
                        }
                        return;
                    };
                    if let Some(ms) = m.next_attempt_ms.and_then(|t| countdown_changes_in(t, now)) {
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
                    };
                    if cell.draw(&mut row, &cols) {
                        action = Some(OutboxAction::Select(id));
                    }
                });
            });
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
        action
    }
}

/// Nothing to show: why, and what to do next.
fn empty(ui: &mut Ui, outbox_empty: bool, filter: Filter) -> Option<OutboxAction> {
    ui.add_space(design::SECTION_GAP);
    if outbox_empty {
        ui.label(tr!("outbox-empty"));
        ui.add_space(design::GAP);
        let write = ui.add(design::primary(ui, tr!("write-message")));
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

/// Sending paused for an account: why, and a button that opens it.
fn paused(
    ui: &mut Ui,
    view: &OutboxView,
    emails: &HashMap<String, String>,
) -> Option<OutboxAction> {
    let mut open = None;
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
}

impl Cell<'_> {
    /// Draws the row's `cols`; true when it was clicked.
    fn draw(&self, row: &mut TableRow<'_, '_>, cols: &[Col]) -> bool {
        let m = self.m;
        let mut clicked = false;
        for col in cols {
            row.col(|ui| match col {
                Col::Status => message_badge(ui, self.state, m),
                Col::To => cut(ui, RichText::new(&m.to)),
                Col::Subject => {
                    let subject = if m.subject.is_empty() {
                        tr!("no-subject")
                    } else {
                        m.subject.clone()
                    };
                    let r = ui.add(egui::Button::selectable(self.selected, &subject).truncate());
                    clicked |= r.on_hover_text(subject).clicked();
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
            });
        }
        clicked || row.response().clicked()
    }
}

/// `text` cut with "…" to the cell's width, whole on hover.
fn cut(ui: &mut Ui, text: RichText) {
    let width = ui.available_width();
    widgets::elided(ui, text, width);
}
