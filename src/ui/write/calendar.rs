//! "Send later"'s calendar and time: a month of days and the hour and minute, writing what
//! is picked into the "Send at" field (which also takes what is typed). One stop for Tab:
//! the chosen day; the arrow keys move by a day or a week, Page Up/Down by a month.

use egui::{RichText, Ui};
use jiff::civil::{Date, DateTime, Time};

use crate::clock::Millis;

/// The calendar's state: the month shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    month: Date,
    /// The day the keyboard moved to: its button takes the focus when drawn.
    focus: Option<Date>,
}

/// Today, in local time.
fn today() -> Date {
    crate::clock::local_now().date()
}

/// Local civil time of `ms`.
fn civil(ms: Millis) -> Option<DateTime> {
    crate::clock::local_at(ms).map(|at| at.datetime())
}

/// The moment as the "Send at" field writes it (what [`crate::clock::parse_moment`] reads).
fn written(at: DateTime) -> String {
    at.strftime("%Y-%m-%d %H:%M").to_string()
}

impl Calendar {
    /// Opened on the month of `chosen` (or of today).
    pub fn new(chosen: Option<Millis>) -> Self {
        let day = chosen.and_then(civil).map_or_else(today, |d| d.date());
        Self {
            month: day.first_of_month(),
            focus: None,
        }
    }

    /// Draws the month and the time for `chosen` (the moment in the field, when it reads);
    /// picking writes the new moment into `text`.
    pub fn show(&mut self, ui: &mut Ui, chosen: Option<Millis>, text: &mut String) {
        let today = today();
        let picked = chosen.and_then(civil);
        let time = picked.map_or(Time::constant(9, 0, 0, 0), |d| d.time());
        let mut day = picked.map(|d| d.date());
        let mut changed = None;
        ui.horizontal(|ui| {
            if ui.button(tr!("calendar-previous")).clicked() {
                self.month = self.shifted(-1);
            }
            ui.label(
                RichText::new(tr!(
                    "calendar-month",
                    month = i64::from(self.month.month()),
                    year = i64::from(self.month.year())
                ))
                .strong(),
            );
            if ui.button(tr!("calendar-next")).clicked() {
                self.month = self.shifted(1);
            }
        });
        let names = tr!("calendar-weekdays");
        egui::Grid::new("send-later-calendar")
            .num_columns(7)
            .spacing([4.0, 4.0])
            .show(ui, |ui| {
                for name in names.split_whitespace() {
                    ui.label(RichText::new(name).weak());
                }
                ui.end_row();
                // Monday first: blank cells before the first.
                let lead = self.month.weekday().to_monday_zero_offset();
                for _ in 0..lead {
                    ui.label("");
                }
                let mut date = self.month;
                let mut column = lead;
                while date.month() == self.month.month() {
                    let past = date < today;
                    let is_chosen = day == Some(date);
                    let mut button = egui::Button::selectable(is_chosen, date.day().to_string())
                        .min_size(egui::vec2(28.0, 0.0));
                    if !is_chosen {
                        // The chosen day is the one stop for Tab; the others take clicks.
                        button = button.sense(egui::Sense::CLICK);
                    }
                    let r = ui.push_id(date, |ui| ui.add_enabled(!past, button)).inner;
                    if is_chosen && self.focus == Some(date) {
                        r.request_focus();
                        self.focus = None;
                    }
                    let name = tr!(
                        "calendar-day",
                        day = i64::from(date.day()),
                        month = i64::from(date.month()),
                        year = i64::from(date.year())
                    );
                    r.widget_info(|| {
                        egui::WidgetInfo::selected(egui::Role::Button, !past, is_chosen, &name)
                    });
                    if r.clicked() {
                        changed = Some(date);
                    }
                    if is_chosen
                        && r.has_focus()
                        && let Some(moved) = moved_by_keys(ui, &r, date)
                        && moved >= today
                    {
                        changed = Some(moved);
                        self.focus = Some(moved);
                    }
                    column += 1;
                    if column == 7 {
                        ui.end_row();
                        column = 0;
                    }
                    let Some(next) = date.tomorrow().ok() else {
                        break;
                    };
                    date = next;
                }
            });
        let (mut hour, mut minute) = (time.hour(), time.minute());
        ui.horizontal(|ui| {
            let label = ui.label(tr!("calendar-time"));
            let h = ui
                .add(
                    egui::DragValue::new(&mut hour)
                        .range(0..=23)
                        .speed(1.0)
                        .custom_formatter(|v, _| format!("{v:02}")),
                )
                .labelled_by(label.id);
            h.widget_info(|| egui::WidgetInfo::slider(true, f64::from(hour), tr!("calendar-hour")));
            ui.label(":");
            let m = ui.add(
                egui::DragValue::new(&mut minute)
                    .range(0..=59)
                    .speed(1.0)
                    .custom_formatter(|v, _| format!("{v:02}")),
            );
            m.widget_info(|| {
                egui::WidgetInfo::slider(true, f64::from(minute), tr!("calendar-minute"))
            });
        });
        if let Some(d) = changed {
            day = Some(d);
            self.month = d.first_of_month();
        }
        let new_time = Time::new(hour, minute, 0, 0).unwrap_or(time);
        if changed.is_some() || new_time != time {
            let date = day.unwrap_or(today);
            *text = written(date.to_datetime(new_time));
        }
    }

    /// The month `by` months from the one shown.
    fn shifted(&self, by: i32) -> Date {
        self.month
            .checked_add(jiff::Span::new().months(by))
            .unwrap_or(self.month)
    }
}

/// The day the arrow keys and Page Up/Down move to from `date`, whose button `r` has the
/// focus (the keys are kept from egui's own focus moves).
fn moved_by_keys(ui: &Ui, r: &egui::Response, date: Date) -> Option<Date> {
    crate::ui::widgets::keep_arrows(ui, r, true);
    let days = ui.input_mut(|i| {
        let mut pressed = |key| i.consume_key(egui::Modifiers::NONE, key);
        if pressed(egui::Key::ArrowRight) {
            Some(jiff::Span::new().days(1))
        } else if pressed(egui::Key::ArrowLeft) {
            Some(jiff::Span::new().days(-1))
        } else if pressed(egui::Key::ArrowDown) {
            Some(jiff::Span::new().days(7))
        } else if pressed(egui::Key::ArrowUp) {
            Some(jiff::Span::new().days(-7))
        } else if pressed(egui::Key::PageDown) {
            Some(jiff::Span::new().months(1))
        } else if pressed(egui::Key::PageUp) {
            Some(jiff::Span::new().months(-1))
        } else {
            None
        }
    })?;
    date.checked_add(days).ok()
}
