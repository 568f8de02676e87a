//! Where the settings came from and whether they may be used: the one panel the wizard's
//! review and the form both show for detected settings (source, warnings, "I trust these
//! settings", the other settings found).

use egui::{RichText, Ui};

use crate::detect::{Candidate, Source};
use crate::ui::{design, widgets};
use crate::usecases::draft::{AccountDraft, Found};

/// The wizard's review: the source, every field with where it came from, then the panel.
pub fn review(ui: &mut Ui, draft: &mut AccountDraft) {
    let Some(found) = &draft.found else {
        return;
    };
    found_by(ui, found);
    ui.add_space(6.0);
    let c = &found.candidate;
    let source = c.origin();
    let from = |default: bool, what: &str| {
        if default {
            tr!("usual-default", what = what)
        } else {
            source.clone()
        }
    };
    egui::Grid::new("wizard-review")
        .num_columns(3)
        .spacing([16.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for (field, value, origin) in [
                (tr!("field-server"), draft.host.clone(), source.clone()),
                (tr!("field-port"), draft.port.clone(), source.clone()),
                (
                    tr!("field-security"),
                    draft.security.label(),
                    source.clone(),
                ),
                (
                    tr!("field-username"),
                    draft.username.clone(),
                    from(c.username_default, &tr!("default-your-address")),
                ),
                (
                    tr!("field-login"),
                    draft.auth.label(),
                    from(c.auth_default, &tr!("default-password")),
                ),
            ] {
                ui.label(RichText::new(field).strong());
                ui.label(value);
                // Cut with "…" where the window is narrow (whole on hover).
                let from = RichText::new(tr!("review-from", origin = origin.as_str())).weak();
                let room = ui.available_width().max(120.0);
                widgets::elided(ui, from, room);
                ui.end_row();
            }
        });
    let choice = confirm(ui, found, &mut draft.trust_confirmed);
    use_choice(draft, choice);
}

/// The form's panel: the source, then the warnings, the trust and the other settings.
pub fn panel(ui: &mut Ui, draft: &mut AccountDraft) {
    let Some(found) = &draft.found else {
        return;
    };
    ui.add_space(6.0);
    found_by(ui, found);
    let choice = confirm(ui, found, &mut draft.trust_confirmed);
    use_choice(draft, choice);
}

/// Other settings the person chose instead, from the same detection.
fn use_choice(draft: &mut AccountDraft, choice: Option<Candidate>) {
    if let (Some(c), Some(found)) = (choice, &draft.found) {
        let detection = found.detection.clone();
        draft.use_candidate(c, detection);
    }
}

/// Where the settings came from, and where mail will go (the server's registrable domain,
/// prominently: a trusted source may name another company's servers).
fn found_by(ui: &mut Ui, found: &Found) {
    let color = if found.trusted() {
        design::ok(ui)
    } else {
        design::error(ui)
    };
    let text = tr!("found-by", origin = found.candidate.origin());
    ui.label(RichText::new(text).color(color).strong());
    if found.candidate.source == Source::Guess {
        // Nobody published these: a server answered where one usually does.
        ui.label(RichText::new(tr!("guessed")).color(ui.visuals().warn_fg_color));
    }
    let goes = tr!(
        "mail-goes-through",
        domain = found.candidate.mail_domain().to_string()
    );
    design::section(ui, &goes);
}

/// Warnings and the trust asked for in a red frame; then the other settings found, one of
/// which may be chosen instead.
fn confirm(ui: &mut Ui, found: &Found, trust_confirmed: &mut bool) -> Option<Candidate> {
    if !found.warnings().is_empty() || !found.trusted() {
        ui.add_space(8.0);
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.5, design::error(ui)))
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width().min(600.0));
                for w in found.warnings() {
                    let text = RichText::new(tr!("warning", warning = w.to_string()));
                    ui.label(text.color(design::error(ui)));
                }
                if !found.trusted() {
                    ui.label(tr!("not-confirmed"));
                    ui.checkbox(trust_confirmed, tr!("trust-settings"));
                }
            });
    }
    let mut chosen = None;
    if found.others().next().is_some() {
        ui.add_space(8.0);
        ui.label(tr!("other-settings"));
        for alt in found.others() {
            let text = tr!(
                "use-other",
                settings = alt.describe(),
                source = alt.source.label()
            );
            if ui.button(text).clicked() {
                chosen = Some(alt.clone());
            }
        }
    }
    chosen
}
