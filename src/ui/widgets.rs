//! Small pieces shared by the screens: labelled fields and the live list of check steps.

use std::time::Duration;

use egui::{Color32, RichText, Ui};

use crate::account::explain::verify_failure;
use crate::account::verify::{Step, StepRecord};
use crate::explain::Explanation;
use crate::outbox::State;

/// Green for success, readable on light and dark backgrounds.
pub fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x6c, 0xd6, 0x8a)
    } else {
        Color32::from_rgb(0x1a, 0x7f, 0x37)
    }
}

/// Red for failure, readable on light and dark backgrounds.
pub fn error_color(ui: &Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// A grid row: a label and a single-line text field named by it for screen readers.
/// An error, when given, is shown under the field.
pub fn text_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    password: bool,
    error: Option<&str>,
) -> egui::Response {
    let label_resp = ui.label(label);
    let response = ui
        .vertical(|ui| {
            let r = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .hint_text(hint)
                        .password(password)
                        .desired_width(280.0),
                )
                .labelled_by(label_resp.id);
            if let Some(e) = error {
                ui.label(RichText::new(e).small().color(error_color(ui)));
            }
            r
        })
        .inner;
    ui.end_row();
    response
}

/// The grid row for the name recipients see.
pub fn name_row(ui: &mut Ui, name: &mut String) {
    text_row(ui, "Your name", name, "Shown to recipients", false, None);
}

/// A grid row for a password: the field named by its label, a Show/Hide toggle, and an
/// error under it when given.
pub fn password_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    show: &mut bool,
    error: Option<&str>,
) {
    let label = ui.label(label);
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(value)
                    .password(!*show)
                    .hint_text(hint)
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            if ui.button(if *show { "Hide" } else { "Show" }).clicked() {
                *show = !*show;
            }
        });
        if let Some(e) = error {
            ui.label(RichText::new(e).small().color(error_color(ui)));
        }
    });
    ui.end_row();
}

/// Where a password or sign-in is kept: the system keyring, or this session only.
pub fn keyring_choice(ui: &mut Ui, session_only: &mut bool) {
    ui.radio_value(session_only, false, "In the system keyring");
    ui.radio_value(
        session_only,
        true,
        "For this session only (forgotten at logout)",
    );
}

/// A problem and what to do about it, in a framed box.
pub fn explanation(ui: &mut Ui, e: &Explanation) {
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, error_color(ui)))
        .show(ui, |ui| {
            ui.set_max_width(560.0);
            ui.label(RichText::new(&e.problem).strong().color(error_color(ui)));
            ui.label(format!("What to do: {}", e.advice));
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

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
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
                        ui.add(egui::Spinner::new());
                        ui.label(step.label());
                        ui.label("running…");
                        ui.label("");
                    }
                    StepView::Done(rec) => {
                        // A mark and a word: the state is never told by colour or glyph alone.
                        let (mark, color, word) = match &rec.outcome {
                            Ok(_) => ("✔", ok_color(ui), "passed"),
                            Err(_) => ("✖", error_color(ui), "failed"),
                        };
                        ui.label(RichText::new(mark).color(color).strong());
                        ui.label(rec.step.label());
                        ui.label(RichText::new(word).color(color));
                        ui.label(RichText::new(ms(rec.elapsed)).weak());
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
        egui::CollapsingHeader::new("Details")
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
        explanation(ui, &verify_failure(rec.step, e));
    }
}

/// Detection's sources, live: a spinner while one runs, then what it found and how long it took.
pub fn sources(
    ui: &mut Ui,
    sources: &[(crate::detect::Source, Option<crate::detect::SourceReport>)],
) {
    use crate::detect::Outcome;
    egui::Grid::new("detect-sources")
        .num_columns(4)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (source, report) in sources {
                match report {
                    None => {
                        ui.add(egui::Spinner::new());
                        ui.label(source.label());
                        ui.label("…");
                        ui.label("");
                    }
                    Some(r) => {
                        let (mark, color) = match r.outcome {
                            Outcome::Found(_) => ("✔", ok_color(ui)),
                            Outcome::Failed(_) => ("✖", error_color(ui)),
                            _ => ("·", ui.visuals().weak_text_color()),
                        };
                        ui.label(RichText::new(mark).color(color).strong());
                        ui.label(source.label());
                        let mut detail = r.outcome.detail();
                        if detail.chars().count() > 90 {
                            detail = detail.chars().take(89).collect::<String>() + "…";
                        }
                        ui.label(detail);
                        ui.label(RichText::new(ms(r.elapsed)).weak());
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
            format!("{what} is in the outbox and is being sent.")
        }
        Some(State::Retry) => {
            format!("{what} is waiting to be tried again; the Outbox says why.")
        }
        Some(State::Sent) => format!("{what} was accepted by the server."),
        Some(State::Failed) => {
            format!("{what} could not be sent; the Outbox gives the server's reason.")
        }
        Some(State::Cancelled) => format!("{what} was cancelled."),
    }
}

/// Names and their values in two columns.
pub fn name_values(
    ui: &mut Ui,
    id: &str,
    rows: impl IntoIterator<Item = (egui::WidgetText, egui::WidgetText)>,
) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (name, value) in rows {
                ui.label(name);
                ui.label(value);
                ui.end_row();
            }
        });
}
