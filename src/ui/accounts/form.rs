//! The account form, the other view of the account draft: every SMTP field, the password or
//! the sign-in, where to keep it, and live validation.

use egui::{RichText, Ui};

use super::action::SetupAction;
use super::certificate;
use super::identities;
use super::provider;
use super::sent_copy;
use super::setup::Setup;
use super::signin::{self, SignInView};
use super::trust;
use crate::account::{AuthMethod, Security};
use crate::oauth::Issuers;
use crate::ui::design;
use crate::ui::widgets::{self, text_row};
use crate::usecases::draft::{AccountDraft, DraftErrors};

/// Draws the form for `setup`'s draft.
pub fn show(ui: &mut Ui, setup: &mut Setup, issuers: Option<&Issuers>) -> Option<SetupAction> {
    let testing = setup.test.as_ref().is_some_and(|t| t.running());
    let busy = setup.saving;
    let draft = &mut setup.draft;
    let errors = draft.errors();
    // Errors for fields nobody has reached yet would only shout at a fresh form.
    let fresh = !draft.is_saved() && draft.host.is_empty() && draft.found.is_none();
    let shown = |e: &Option<String>| if fresh { None } else { e.clone() };
    ui.heading(if draft.is_saved() {
        tr!("form-title-saved")
    } else {
        tr!("form-title-new")
    });
    ui.add_space(8.0);
    if setup.detect.as_ref().is_some_and(|d| d.offer_better(ui)) {
        return Some(SetupAction::UseBetter);
    }
    let mut action = None;
    egui::Grid::new("account-form")
        .num_columns(2)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            action = address_rows(ui, draft, &errors, busy);
            server_rows(ui, draft, &shown(&errors.host), &shown(&errors.port));
            text_row(
                ui,
                tr!("field-proxy"),
                &mut draft.proxy,
                tr!("field-proxy-hint"),
                false,
                errors.proxy.as_deref(),
            );
            let live = Live {
                issuers,
                signin: setup.signin.as_ref(),
                show_password: &mut setup.show_password,
            };
            if let Some(a) = login_rows(ui, draft, &errors, shown(&errors.password), live) {
                action = Some(a);
            }
        });
    ui.add_space(design::SECTION_GAP);
    sent_copy::show(ui, draft, errors.imap.as_deref());
    if draft.is_saved() {
        // Added once the account works: the wizard's path stays short.
        let own = draft.email.clone();
        identities::show(ui, &own, &mut draft.senders);
    }
    trust::panel(ui, draft);
    if let Some(help) = draft.provider_help() {
        ui.add_space(6.0);
        provider::help_links(ui, &help);
        if draft.auth != AuthMethod::Oauth2 {
            provider::guidance(ui, &help);
        }
    }
    if let Some(pin) = &draft.pin
        && let Some(a) = certificate::trusted(ui, draft.host.trim(), pin)
    {
        action = Some(a);
    }
    plaintext_consent(ui, draft, errors.security.as_deref());
    ui.add_space(design::SECTION_GAP);
    let pressed = buttons(
        ui,
        draft,
        errors.is_empty(),
        testing,
        busy,
        setup.confirmation.as_deref(),
    );
    let untested = match setup.test.as_ref().map(|t| &t.outcome) {
        Some(Some(Ok(()))) => None,
        Some(Some(Err(_))) => Some(tr!("test-failed-last")),
        _ => Some(tr!("test-never")),
    };
    let asked_before = setup.confirm_save;
    let pressed = match (pressed, &untested) {
        // Saving settings that may not work: say so, and let the person choose.
        (Some(SetupAction::Save), Some(_)) if !setup.confirm_save => {
            setup.confirm_save = true;
            None
        }
        (Some(SetupAction::Check), _) => {
            setup.confirm_save = false;
            Some(SetupAction::Check)
        }
        (pressed, _) => pressed,
    };
    let confirmed = match &untested {
        Some(why) if setup.confirm_save => {
            save_anyway(ui, why, &mut setup.confirm_save, !asked_before)
        }
        _ => None,
    };
    pressed.or(confirmed).or(action)
}

/// Saving settings that are not proven to work: what that means, "Save anyway" or "Test
/// connection" first.
fn save_anyway(ui: &mut Ui, why: &str, asking: &mut bool, new: bool) -> Option<SetupAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(why)
                .strong()
                .color(ui.visuals().warn_fg_color),
        );
        ui.label(tr!("save-anyway-text"));
        ui.horizontal_wrapped(|ui| {
            if ui.button(tr!("save-anyway")).clicked() {
                *asking = false;
                action = Some(SetupAction::Save);
            }
            if ui.button(tr!("test-first")).clicked() {
                *asking = false;
                action = Some(SetupAction::Check);
            }
        });
    });
    if new {
        // The question appears below the buttons: bring it into view once.
        ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
    }
    action
}

/// What the login rows show beside the draft.
struct Live<'a> {
    issuers: Option<&'a Issuers>,
    signin: Option<&'a SignInView>,
    show_password: &'a mut bool,
}

fn address_rows(
    ui: &mut Ui,
    draft: &mut AccountDraft,
    errors: &DraftErrors,
    busy: bool,
) -> Option<SetupAction> {
    let mut action = None;
    // As in the wizard: who you are, then your address.
    let name = widgets::name_row(ui, &mut draft.name);
    widgets::arrive(ui, &name, &format!("account-form-{}", draft.id));
    let before = draft.email.clone();
    let label = ui.label(tr!("field-email"));
    ui.vertical(|ui| {
        let field = ui.horizontal(|ui| {
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut draft.email)
                        .hint_text(tr!("email-hint"))
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            let find = egui::Button::new(tr!("find-settings"));
            if !draft.is_saved()
                && ui
                    .add_enabled(errors.email.is_none() && !busy, find)
                    .clicked()
            {
                action = Some(SetupAction::Find);
            }
            field.id
        });
        if let Some(e) = errors.email.as_deref().filter(|_| !draft.email.is_empty()) {
            widgets::invalid(ui, field.inner, e);
        }
    });
    ui.end_row();
    if draft.email != before {
        draft.email_changed();
    }
    action
}

fn server_rows(
    ui: &mut Ui,
    draft: &mut AccountDraft,
    host: &Option<String>,
    port: &Option<String>,
) {
    text_row(
        ui,
        tr!("field-server"),
        &mut draft.host,
        "smtp.example.org",
        false,
        host.as_deref(),
    );
    text_row(
        ui,
        tr!("field-port"),
        &mut draft.port,
        "465",
        false,
        port.as_deref(),
    );
    let security = widgets::security_row(ui, "security", tr!("field-security"), draft.security);
    draft.set_security(security);
    let before = draft.username.clone();
    text_row(
        ui,
        tr!("field-username"),
        &mut draft.username,
        tr!("field-username-hint"),
        false,
        None,
    );
    if draft.username != before {
        draft.username_edited = true;
    }
}

fn login_rows(
    ui: &mut Ui,
    draft: &mut AccountDraft,
    errors: &DraftErrors,
    password_error: Option<String>,
    live: Live<'_>,
) -> Option<SetupAction> {
    let mut action = None;
    let label = ui.label(tr!("field-login"));
    let mut auth = draft.auth;
    let r = egui::ComboBox::from_id_salt("auth")
        .selected_text(auth.label())
        .show_ui(ui, |ui| {
            for a in AuthMethod::ALL {
                ui.selectable_value(&mut auth, a, a.label());
            }
        })
        .response
        .labelled_by(label.id);
    widgets::tell_value(ui, r.id, &auth.label());
    ui.end_row();
    draft.set_auth(auth);
    if draft.auth == AuthMethod::Oauth2 {
        ui.label(tr!("field-signin"));
        ui.vertical(|ui| {
            let host = draft.host.trim().to_string();
            let issuer = draft.signin_issuer(live.issuers, &host);
            let signed_in = draft.grant.is_some() || draft.can_keep_stored_secret();
            let ready = errors.email.is_none() && errors.host.is_none();
            ui.add_enabled_ui(ready, |ui| {
                if let Some(a) = signin::panel(ui, &host, issuer.as_ref(), live.signin, signed_in) {
                    action = Some(SetupAction::SignIn(a));
                }
            });
            if let Some(e) = &password_error {
                ui.label(RichText::new(e).small().color(design::error(ui)));
            }
        });
        ui.end_row();
    } else if draft.goa_id.is_some() && draft.auth.needs_secret() {
        ui.label(tr!("field-password"));
        ui.label(tr!("password-kept-by-goa"));
        ui.end_row();
    } else if draft.auth.needs_secret() {
        let hint = if draft.can_keep_stored_secret() {
            tr!("password-keep-stored")
        } else {
            String::new()
        };
        let label = provider::field_label(draft.provider_help().as_ref(), tr!("field-password"));
        let field = draft.password.edit();
        let error = password_error.as_deref();
        let _field = widgets::password_row(ui, &label, field, &hint, live.show_password, error);
    }
    if draft.auth.needs_secret() && draft.goa_id.is_none() {
        ui.label(tr!("field-keep"));
        ui.vertical(|ui| widgets::keyring_choice(ui, &mut draft.session_only));
        ui.end_row();
    }
    action
}

fn plaintext_consent(ui: &mut Ui, draft: &mut AccountDraft, error: Option<&str>) {
    if let Some(e) = error {
        ui.add_space(4.0);
        ui.label(RichText::new(e).color(design::error(ui)));
    }
    if draft.security == Security::None && draft.auth.needs_secret() {
        ui.checkbox(&mut draft.allow_plaintext, tr!("plaintext-consent"));
    }
}

fn buttons(
    ui: &mut Ui,
    draft: &AccountDraft,
    valid: bool,
    testing: bool,
    busy: bool,
    confirmation: Option<&str>,
) -> Option<SetupAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        if testing {
            if ui.button(tr!("cancel-test")).clicked() {
                action = Some(SetupAction::CancelCheck);
            }
        } else if ui
            .add_enabled(valid, egui::Button::new(tr!("test-connection")))
            .clicked()
        {
            action = Some(SetupAction::Check);
        }
        let save = if draft.is_saved() {
            tr!("save-changes")
        } else {
            tr!("save-account")
        };
        if design::primary(ui, valid && !busy, save).clicked() {
            action = Some(SetupAction::Save);
        }
        if draft.is_saved() && ui.button(tr!("remove-account")).clicked() {
            action = Some(SetupAction::Remove);
        }
        if let Some(text) = confirmation {
            widgets::confirmation(ui, text);
        }
    });
    action
}

/// Under the form: the detection's sources and the connection check, as they run; a refused
/// certificate can be trusted from there.
pub fn progress(ui: &mut Ui, setup: &Setup) -> Option<SetupAction> {
    let mut action = None;
    if let Some(d) = &setup.detect {
        ui.add_space(design::SECTION_GAP);
        ui.separator();
        design::section(ui, tr!("finding-settings"));
        widgets::sources(ui, &d.sources);
        if let Some(e) = d.failure.as_ref().filter(|_| setup.notice.is_none()) {
            widgets::explanation(ui, e);
        }
    }
    if let Some(t) = &setup.test {
        ui.add_space(design::SECTION_GAP);
        ui.separator();
        design::section(ui, tr!("connection-test"));
        widgets::steps(ui, &t.steps);
        match &t.outcome {
            Some(Ok(())) => {
                ui.label(
                    RichText::new(tr!("all-passed"))
                        .color(design::ok(ui))
                        .strong(),
                );
            }
            Some(Err(e)) if t.failed_step().is_none() => widgets::explanation(ui, e),
            _ => {}
        }
        if t.outcome.is_some() {
            t.copy_transcript(ui);
        }
        if t.outcome.is_some() {
            // The result is below the form: bring it into view once it is in.
            let end = ui.allocate_response(egui::Vec2::ZERO, egui::Sense::hover());
            widgets::reveal(ui, &end, "form-test", t.ticket);
        }
        if let Some((info, problem)) = t.refused_certificate() {
            action = certificate::refused(ui, setup.draft.host.trim(), info, problem);
        }
    }
    action
}
