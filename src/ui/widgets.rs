//! Small pieces shared by the screens: labelled fields and the live list of check steps.

use std::time::Duration;

use egui::{RichText, Ui};

use super::design::{self, icon};
use crate::account::check::{Step, StepRecord};
use crate::account::explain::check_failure;
use crate::explain::Explanation;
use crate::outbox::State;

/// A grid row: a label and a single-line text field named by it for screen readers.
/// An error, when given, is shown under the field.
pub fn text_row(
    ui: &mut Ui,
    label: impl AsRef<str>,
    value: &mut String,
    hint: impl AsRef<str>,
    password: bool,
    error: Option<&str>,
) -> egui::Response {
    let label_resp = ui.label(label.as_ref());
    let response = ui
        .vertical(|ui| {
            let r = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint.as_ref())
                        .password(password)
                        .desired_width(280.0),
                )
                .labelled_by(label_resp.id);
            if let Some(e) = error {
                invalid(ui, r.id, e);
            }
            r
        })
        .inner;
    ui.end_row();
    response
}

/// A grid row: a label and the encryption to choose, named by it for screen readers; the
/// one chosen.
pub fn security_row(
    ui: &mut Ui,
    id: &str,
    label: impl AsRef<str>,
    current: crate::account::Security,
) -> crate::account::Security {
    let label = ui.label(label.as_ref());
    let mut security = current;
    let r = egui::ComboBox::from_id_salt(id)
        .selected_text(security.label())
        .show_ui(ui, |ui| {
            for s in crate::account::Security::ALL {
                ui.selectable_value(&mut security, s, s.label());
            }
        })
        .response
        .labelled_by(label.id);
    tell_value(ui, r.id, &security.label());
    ui.end_row();
    security
}

/// Shows `error` under the field `field` and tells screen readers the field is invalid, and
/// why.
pub fn invalid(ui: &mut Ui, field: egui::Id, error: &str) {
    ui.label(RichText::new(error).small().color(design::error(ui)));
    ui.ctx().accesskit_node_builder(field, |n| {
        n.set_invalid(egui::accesskit::Invalid::True);
        n.set_description(error);
    });
}

/// Tells screen readers the value a control shows (egui's combo boxes keep it to
/// themselves on Linux).
pub fn tell_value(ui: &Ui, control: egui::Id, value: &str) {
    ui.ctx()
        .accesskit_node_builder(control, |n| n.set_description(value));
}

/// The grid row for the name recipients see.
pub fn name_row(ui: &mut Ui, name: &mut String) -> egui::Response {
    text_row(
        ui,
        tr!("field-your-name"),
        name,
        tr!("field-your-name-hint"),
        false,
        None,
    )
}

/// A grid row for a password: the field named by its label, a Show/Hide toggle, and an
/// error under it when given. Returns the field's response (Enter in it, say).
pub fn password_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    show: &mut bool,
    error: Option<&str>,
) -> egui::Response {
    let label = ui.label(label);
    let field = ui.vertical(|ui| {
        let field = ui.horizontal(|ui| {
            let (word, said) = if *show {
                (tr!("password-hide"), tr!("password-hide-said"))
            } else {
                (tr!("password-show"), tr!("password-show-said"))
            };
            let field = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .password(!*show)
                        .hint_text(hint)
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            let r = ui.button(word);
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &said));
            if r.clicked() {
                *show = !*show;
            }
            field
        });
        if let Some(e) = error {
            invalid(ui, field.inner.id, e);
        }
        field.inner
    });
    ui.end_row();
    field.inner
}

/// Whether Enter was pressed in the single-line field `r` (which then lets go of the focus).
pub fn entered(ui: &Ui, r: &egui::Response) -> bool {
    r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// Where a password or sign-in is kept: the system keyring, or this session only.
pub fn keyring_choice(ui: &mut Ui, session_only: &mut bool) {
    ui.radio_value(session_only, false, tr!("keyring-system"));
    ui.radio_value(session_only, true, tr!("keyring-session"));
}

/// A problem and what to do about it, in a framed box.
pub fn explanation(ui: &mut Ui, e: &Explanation) {
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, design::error(ui)))
        .show(ui, |ui| {
            ui.set_max_width(design::TEXT_WIDTH.min(ui.available_width()));
            ui.label(RichText::new(&e.problem).strong().color(design::error(ui)));
            ui.label(tr!("what-to-do", advice = e.advice.as_str()));
        });
}

/// The state of one step as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepView {
    /// Started, not finished.
    Running(Step),
    /// Finished.
    Done(StepRecord),
}

/// A duration as people read it: "12 ms" under a second (a step on loopback or a LAN
/// takes a few: "0.0 s" would say nothing), "1.4 s", "12 s".
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        tr!("milliseconds", ms = d.as_millis().max(1) as u64)
    } else if s < 10.0 {
        tr!("seconds-tenths", seconds = crate::i18n::decimal(s, 1))
    } else {
        tr!("seconds", seconds = d.as_secs())
    }
}

/// A spinner that a screen reader announces as "`what`: in progress".
pub fn spinner(ui: &mut Ui, what: &str) -> egui::Response {
    let r = ui.add(egui::Spinner::new());
    r.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::ProgressIndicator,
            true,
            tr!("spinner-in-progress", what = what),
        )
    });
    r
}

/// Where the keyboard focus was last put on arrival (see [`arrive`]).
fn arrival_slot() -> egui::Id {
    egui::Id::unique("outpost-arrival")
}

/// Puts the keyboard focus on `r`, and scrolls it into view, once each time the person
/// arrives at a new screen or step, named by `key`: typing starts where the eye does. Of
/// several controls that ask in one pass, the first drawn has it (the others would take
/// the focus from each other every frame).
pub fn arrive(ui: &Ui, r: &egui::Response, key: &str) {
    let pass = ui.ctx().cumulative_pass_nr();
    let asked = egui::Id::unique("outpost-arrival-pass");
    if ui.data(|d| d.get_temp::<u64>(asked)) == Some(pass) {
        return;
    }
    ui.data_mut(|d| d.insert_temp(asked, pass));
    let key = egui::Id::unique(key);
    if ui.data(|d| d.get_temp::<egui::Id>(arrival_slot())) == Some(key) {
        return;
    }
    // Not `r.has_focus()`: that is false while the window itself is not focused.
    if ui.memory(|m| m.has_focus(r.id)) {
        ui.data_mut(|d| d.insert_temp(arrival_slot(), key));
    } else {
        // The click that brought the person here may hold the focus this frame: ask until
        // it moves.
        r.request_focus();
        r.scroll_to_me(None);
    }
}

/// Forgets where the focus was put, so that the next screen drawn puts it again.
pub fn leave(ctx: &egui::Context) {
    ctx.data_mut(|d| d.remove::<egui::Id>(arrival_slot()));
}

/// Scrolls `r`, where `what` is shown, into view once for each `key` (a new result, say),
/// without moving the focus.
pub fn reveal(
    ui: &Ui,
    r: &egui::Response,
    what: &str,
    key: impl std::hash::Hash + std::fmt::Debug,
) {
    let slot = egui::Id::unique(("outpost-revealed", what));
    let key = egui::Id::unique(key);
    if ui.data(|d| d.get_temp::<egui::Id>(slot)) != Some(key) {
        ui.data_mut(|d| d.insert_temp(slot, key));
        r.scroll_to_me(None);
    }
}

/// A vertical scroll area named `what` for screen readers ("Scroll the settings").
pub fn scroll<R>(ui: &mut Ui, what: &str, add: impl FnOnce(&mut Ui) -> R) -> R {
    let out = egui::ScrollArea::vertical().show(ui, add);
    name_scroll_bars(ui, out.id, what);
    out.inner
}

/// Names the bars of the scroll area `id` (egui leaves them nameless): screen readers say
/// what they scroll.
pub fn name_scroll_bars(ui: &Ui, id: egui::Id, what: &str) {
    // egui gives the bar of axis `d` (0 across, 1 down) the id `id.with(d)`.
    // Naming an id with no node would make one: only bars shown this frame are named.
    for bar in (0..2_usize).map(|d| id.with(d)) {
        if ui.ctx().has_accesskit_node(bar) {
            ui.ctx().accesskit_node_builder(bar, |n| n.set_label(what));
        }
    }
}

/// Names the divider of the resizable panel `panel` shown in `ui` (egui calls every one
/// "Resize panel"), so that two dividers can be told apart.
pub fn name_divider(ui: &Ui, panel: &str, name: &str) {
    // egui's id for it: the panel's id (its salt in `ui`'s scope) with "__resize".
    let id = ui.scope_id().with(panel).with("__resize");
    ui.ctx().accesskit_node_builder(id, |n| n.set_label(name));
}

/// `text` on one line at most `width` wide, cut with "…" when longer; the whole text shows
/// when the pointer rests on it (egui's own tooltip for cut text: one, not two stacked).
pub fn elided(ui: &mut Ui, text: impl Into<egui::WidgetText>, width: f32) -> egui::Response {
    ui.scope(|ui| {
        ui.set_max_width(width);
        ui.add(egui::Label::new(text).truncate())
    })
    .inner
}

/// The steps of a check, live: a spinner on the running one, ✓ or ✗ with timing on the others,
/// and the explanation under a failed one.
pub fn steps(ui: &mut Ui, steps: &[StepView]) {
    egui::Grid::new("test-steps")
        .num_columns(4)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for s in steps {
                match s {
                    StepView::Running(step) => {
                        spinner(ui, &step.label());
                        ui.label(step.label());
                        ui.label(tr!("step-running"));
                        ui.label("");
                    }
                    StepView::Done(rec) => {
                        // An icon and a word: the state is never told by colour or glyph alone.
                        let (icon, color, word) = match &rec.outcome {
                            Ok(_) => (icon::OK, design::ok(ui), tr!("step-passed")),
                            Err(_) => (icon::FAILED, design::error(ui), tr!("step-failed")),
                        };
                        ui.label(RichText::new(icon).color(color).strong());
                        ui.label(rec.step.label());
                        ui.label(RichText::new(word).color(color));
                        ui.label(RichText::new(seconds(rec.elapsed)).weak());
                    }
                }
                ui.end_row();
            }
        });
    // What the server said at each step, in its own terms: for experts and support.
    let done: Vec<&StepRecord> = steps
        .iter()
        .filter_map(|s| match s {
            StepView::Done(rec) => Some(rec),
            StepView::Running(_) => None,
        })
        .collect();
    if !done.is_empty() {
        egui::CollapsingHeader::new(tr!("details"))
            .id_salt("test-step-details")
            .show(ui, |ui| {
                let rows = done.into_iter().map(|rec| {
                    let detail = match &rec.outcome {
                        Ok(detail) => detail.clone(),
                        Err(e) => e.to_string(),
                    };
                    (
                        RichText::new(rec.step.label()).weak().into(),
                        RichText::new(detail).monospace().into(),
                    )
                });
                name_values(ui, "test-step-details-grid", rows);
            });
    }
    if let Some(StepView::Done(rec)) = steps.last()
        && let Err(e) = &rec.outcome
    {
        ui.add_space(6.0);
        explanation(ui, &check_failure(rec.step, e));
    }
}

/// How wide the widest of `texts` is in body text, on one line: what a column of them needs,
/// in whatever language they are.
pub fn widest_text(ui: &Ui, texts: impl IntoIterator<Item = String>) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let color = ui.visuals().text_color();
    texts
        .into_iter()
        .map(|t| ui.painter().layout_no_wrap(t, font.clone(), color).size().x)
        .fold(0.0, f32::max)
}

/// Detection's sources, live: a spinner while one runs, then what it found and how long it took.
pub fn sources(
    ui: &mut Ui,
    sources: &[(crate::detect::Source, Option<crate::detect::SourceReport>)],
) {
    use crate::detect::Outcome;
    // The detail takes what the names leave (they are longer in some languages), cut with
    // "…" to fit: the icon and the seconds columns take about 70 points with the spacing.
    let widest = widest_text(ui, sources.iter().map(|(s, _)| s.label()));
    let detail_width = (ui.available_width() - widest - 3.0 * 12.0 - 70.0).clamp(120.0, 360.0);
    egui::Grid::new("detect-sources")
        .num_columns(4)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (source, report) in sources {
                match report {
                    None => {
                        spinner(ui, &source.label());
                        ui.label(source.label());
                        ui.label(tr!("source-looking"));
                        ui.label("");
                    }
                    Some(r) => {
                        let (icon, color, word) = match r.outcome {
                            Outcome::Found(_) => (icon::OK, design::ok(ui), tr!("source-found")),
                            Outcome::Failed(_) => {
                                (icon::FAILED, design::error(ui), tr!("source-failed"))
                            }
                            Outcome::Nothing(_) => (
                                icon::SKIPPED,
                                ui.visuals().weak_text_color(),
                                tr!("source-nothing"),
                            ),
                            Outcome::Skipped(_) => (
                                icon::SKIPPED,
                                ui.visuals().weak_text_color(),
                                tr!("source-skipped"),
                            ),
                            Outcome::Cancelled => (
                                icon::SKIPPED,
                                ui.visuals().weak_text_color(),
                                tr!("source-not-needed"),
                            ),
                        };
                        ui.label(RichText::new(icon).color(color).strong());
                        ui.label(source.label());
                        let detail = r.outcome.detail();
                        let text = if detail == word {
                            RichText::new(word).color(color)
                        } else {
                            RichText::new(tr!(
                                "source-word-detail",
                                word = word.as_str(),
                                detail = detail.as_str()
                            ))
                            .color(color)
                        };
                        elided(ui, text, detail_width);
                        ui.label(RichText::new(seconds(r.elapsed)).weak());
                    }
                }
                ui.end_row();
            }
        });
}

/// Where a message just queued is now, in words that follow its state: `what` names it
/// ("Message #5 (2 kB)"); `state` is `None` until the outbox has shown it.
pub fn whereabouts(what: &str, state: Option<State>) -> String {
    match state {
        None | Some(State::Queued | State::Sending) => {
            tr!("whereabouts-sending", what = what)
        }
        Some(State::Retry) => {
            tr!("whereabouts-retry", what = what)
        }
        Some(State::Sent) => tr!("whereabouts-sent", what = what),
        Some(State::Failed) => {
            tr!("whereabouts-failed", what = what)
        }
        Some(State::Cancelled) => tr!("whereabouts-cancelled", what = what),
    }
}

/// The width from the cursor to the right edge of what shows: a vertical scroll area may
/// be wider than its view (content wider than the window), and text laid out to that width
/// would run past the edge.
pub fn visible_width(ui: &Ui) -> f32 {
    ui.available_width()
        .min(ui.clip_rect().right() - ui.cursor().min.x)
        .max(0.0)
}

/// A question in a modal dialog, as in any desktop app: named `title` for screen readers
/// (the dialog's name and its heading); `content` draws the rest and gives the answer (when
/// a button was pressed) and the safe choice's button, where the focus starts (Tab then
/// reaches the others). Escape or a click beside it is `dismissed`. Answered or dismissed,
/// the focus goes back to where it was before the question.
pub fn ask<R>(
    ctx: &egui::Context,
    id: &str,
    title: &str,
    content: impl FnOnce(&mut Ui) -> (Option<R>, Option<egui::Response>),
) -> Asked<R> {
    let modal = egui::Id::unique(id);
    let return_key = modal.with("focus-before");
    let first = ctx
        .data(|d| d.get_temp::<Option<egui::Id>>(return_key))
        .is_none();
    if first {
        let before = ctx
            .memory(|m| m.focused())
            .or_else(|| ctx.data(|d| d.get_temp::<egui::Id>(last_focus_key())));
        ctx.data_mut(|d| d.insert_temp(return_key, before));
    }
    let mut answer = None;
    let mut heading = None;
    let shown = egui::Modal::new(modal).show(ctx, |ui| {
        heading = Some(ui.heading(title).id);
        let (a, safe) = content(ui);
        if first && let Some(safe) = safe {
            safe.request_focus();
        }
        answer = a;
    });
    if let Some(heading) = heading {
        ctx.accesskit_node_builder(modal, |n| n.push_labelled_by(heading.accesskit_id()));
    }
    let dismissed = answer.is_none() && shown.should_close();
    if answer.is_some() || dismissed {
        // The Escape that answered is spent: the field given the focus back keeps it.
        ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
        let before = ctx.data_mut(|d| d.remove_temp::<Option<egui::Id>>(return_key));
        if let Some(Some(id)) = before {
            // Given back once the dialog is gone (see `remember_focus`).
            ctx.data_mut(|d| d.insert_temp(focus_next_key(), Some((id, 1u8))));
            ctx.request_repaint();
        }
    }
    Asked { answer, dismissed }
}

/// The two buttons of a yes-or-no [`ask`]: `keep` (the safe choice, first, where the focus
/// starts) and `act`; the answer is `Some(true)` for `act`, `Some(false)` for `keep`.
pub fn keep_or_act(ui: &mut Ui, keep: &str, act: &str) -> (Option<bool>, Option<egui::Response>) {
    ui.horizontal(|ui| {
        let keep = ui.button(keep);
        let answer = if ui.button(act).clicked() {
            Some(true)
        } else {
            keep.clicked().then_some(false)
        };
        (answer, Some(keep))
    })
    .inner
}

/// While `r` has the focus, the arrow keys are its own (egui would move the focus with
/// them): up and down, and left and right when `horizontal`.
pub fn keep_arrows(ui: &Ui, r: &egui::Response, horizontal: bool) {
    if r.has_focus() {
        ui.memory_mut(|m| {
            m.set_focus_lock_filter(
                r.id,
                egui::EventFilter {
                    vertical_arrows: true,
                    horizontal_arrows: horizontal,
                    ..Default::default()
                },
            );
        });
    }
}

fn last_focus_key() -> egui::Id {
    egui::Id::unique("outpost-last-focus")
}

fn focus_next_key() -> egui::Id {
    egui::Id::unique("outpost-focus-next")
}

/// As a frame starts: notes the widget with the keyboard's focus (the last frame's), for
/// [`ask`] to give it back, and gives back the focus a question just closed took.
pub fn remember_focus(ctx: &egui::Context) {
    let pending = ctx.data_mut(|d| d.remove_temp::<Option<(egui::Id, u8)>>(focus_next_key()));
    match pending.flatten() {
        // egui keeps a closed dialog on top for one more frame: a field below it cannot
        // take the focus until the frame after.
        Some((id, 0)) => ctx.memory_mut(|m| m.request_focus(id)),
        Some((id, frames)) => {
            ctx.data_mut(|d| d.insert_temp(focus_next_key(), Some((id, frames - 1))));
            ctx.request_repaint();
        }
        None => {}
    }
    if let Some(id) = ctx.memory(|m| m.focused()) {
        ctx.data_mut(|d| d.insert_temp(last_focus_key(), id));
    }
}

/// What [`ask`] got this frame.
pub struct Asked<R> {
    /// The button pressed, if one was.
    pub answer: Option<R>,
    /// Escape, or a click beside the question.
    pub dismissed: bool,
}

/// "✔ Saved …" beside the button that did it, where the person is looking; a screen reader
/// says it when it appears (a polite live region).
pub fn confirmation(ui: &mut Ui, text: &str) {
    let r = design::chip(ui, design::icon::OK, text, design::ok(ui));
    ui.ctx().accesskit_node_builder(r.id, |n| {
        n.set_live(egui::accesskit::Live::Polite);
    });
}

/// Names and their values in two columns.
pub fn name_values(
    ui: &mut Ui,
    id: &str,
    rows: impl IntoIterator<Item = (egui::WidgetText, egui::WidgetText)>,
) {
    const SPACING: f32 = 12.0;
    let rows: Vec<_> = rows.into_iter().collect();
    // The names as wide as the widest (at most 45 % of the room), the values the rest: a
    // long value (a Message-ID, a server's extensions) wraps instead of running past the
    // edge.
    let room = visible_width(ui);
    let names = widest_text(ui, rows.iter().map(|(n, _)| n.text().to_string()))
        .min(room * 0.45)
        .ceil();
    let values = (room - names - SPACING).max(80.0);
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([SPACING, 4.0])
        .show(ui, |ui| {
            for (name, value) in rows {
                ui.scope(|ui| {
                    ui.set_max_width(names);
                    ui.add(egui::Label::new(name).wrap());
                });
                ui.scope(|ui| {
                    ui.set_max_width(values);
                    ui.add(egui::Label::new(value).wrap());
                });
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_times_under_a_second_are_said_in_milliseconds() {
        assert_eq!(seconds(Duration::from_micros(300)), "1 ms");
        assert_eq!(seconds(Duration::from_millis(42)), "42 ms");
        assert_eq!(seconds(Duration::from_millis(1400)), "1.4 s");
        assert_eq!(seconds(Duration::from_secs(12)), "12 s");
    }
}
