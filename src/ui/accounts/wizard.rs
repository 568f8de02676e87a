//! The "Add account" wizard, one view of the account draft: who you are → finding the
//! settings (live, under a visible deadline, cancellable) → review (provenance, warnings,
//! trust, alternatives) → verify (the step-by-step check, with a one-click way out) → saved,
//! with an optional test message.

use egui::{RichText, Ui};

use super::action::SetupAction;
use super::certificate;
use super::live::{CheckView, DetectView};
use super::setup::Setup;
use super::wizard_state::{Stage, TestMessage, Wizard};
use super::{provider, signin, trust};
use crate::account::check::Step;
use crate::account::{AuthMethod, Security, SmtpSettings, parse_email};
use crate::detect::facts::{Login, ProviderHelp};
use crate::oauth::Issuers;
use crate::runtime::OutboxView;
use crate::secret::Secret;
use crate::ui::design;
use crate::ui::widgets;
use crate::usecases::draft::AccountDraft;
use crate::usecases::import::Offer;

/// The usual other way to reach a server when the first one cannot be reached.
fn swap(s: &SmtpSettings) -> Option<SmtpSettings> {
    let (port, security) = match s.security {
        Security::Tls => (587, Security::Starttls),
        Security::Starttls => (465, Security::Tls),
        Security::None => return None,
    };
    Some(SmtpSettings {
        port,
        security,
        ..s.clone()
    })
}

fn settings_line(s: &SmtpSettings) -> String {
    tr!(
        "settings-line",
        port = s.port,
        security = s.security.label()
    )
}

/// Draws the wizard's step; `outbox` tells where the test message is.
pub fn show(
    ui: &mut Ui,
    setup: &mut Setup,
    issuers: Option<&Issuers>,
    outbox: Option<&OutboxView>,
) -> Option<SetupAction> {
    let Setup {
        draft,
        view,
        test,
        detect,
        signin,
        saving,
        show_password,
        ..
    } = setup;
    let super::setup::SetupView::Wizard(w) = view else {
        return None;
    };
    ui.heading(tr!("form-title-new"));
    ui.label(
        RichText::new(match w.stage {
            Stage::Identity => tr!("wizard-step-identity"),
            Stage::Finding => tr!("wizard-step-finding"),
            Stage::Review => tr!("wizard-step-review"),
            // Once it has ended, the step says how (not "Checking" after every step passed).
            Stage::Check => match test.as_ref().and_then(|t| t.outcome.as_ref()) {
                None => tr!("wizard-step-verify"),
                Some(Ok(())) => tr!("wizard-step-verified"),
                Some(Err(_)) => tr!("wizard-step-verify-failed"),
            },
            Stage::Done => tr!("wizard-step-done"),
        })
        .weak(),
    );
    ui.add_space(design::SECTION_GAP);
    match w.stage {
        Stage::Identity => identity(ui, w, draft, show_password),
        Stage::Finding => finding(ui, detect.as_ref()),
        Stage::Review => {
            if detect.as_ref().is_some_and(|d| d.offer_better(ui)) {
                return Some(SetupAction::UseBetter);
            }
            let signin = signin.as_ref();
            review(ui, w, draft, show_password, issuers, signin)
        }
        Stage::Check => checking(ui, w, draft, test.as_ref(), *saving),
        Stage::Done => done(ui, w, outbox),
    }
}

fn identity(
    ui: &mut Ui,
    w: &Wizard,
    draft: &mut AccountDraft,
    show_password: &mut bool,
) -> Option<SetupAction> {
    let mut action = None;
    if let Some(n) = &w.notice {
        ui.label(RichText::new(n).strong());
        ui.add_space(6.0);
    }
    let email_error = Some(draft.email.trim())
        .filter(|e| !e.is_empty())
        .and_then(|e| parse_email(e).err())
        .map(|e| e.to_string());
    egui::Grid::new("wizard-identity")
        .num_columns(2)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            let name = widgets::name_row(ui, &mut draft.name);
            widgets::arrive(ui, &name, "wizard-identity");
            let before = draft.email.clone();
            let r = widgets::text_row(
                ui,
                tr!("field-email"),
                &mut draft.email,
                tr!("email-hint"),
                false,
                email_error.as_deref(),
            );
            if draft.email != before {
                draft.email_changed();
            }
            let password = widgets::password_row(
                ui,
                &tr!("field-password"),
                draft.password.edit(),
                "",
                show_password,
                None,
            );
            // Enter in either field continues, as in any form.
            if widgets::entered(ui, &r) || widgets::entered(ui, &password) {
                action = Some(SetupAction::Find);
            }
        });
    ui.label(RichText::new(tr!("app-password-note")).weak().small());
    // A network that only lets mail out through a SOCKS5 proxy: detection and the check go
    // through it (and the account keeps it).
    let proxy_error = draft.errors().proxy;
    egui::CollapsingHeader::new(tr!("advanced"))
        .id_salt("wizard-identity-advanced")
        .default_open(!draft.proxy.trim().is_empty())
        .show(ui, |ui| {
            egui::Grid::new("wizard-identity-proxy")
                .num_columns(2)
                .spacing([16.0, 8.0])
                .show(ui, |ui| {
                    widgets::text_row(
                        ui,
                        tr!("field-proxy"),
                        &mut draft.proxy,
                        tr!("field-proxy-hint"),
                        false,
                        proxy_error.as_deref(),
                    );
                });
        });
    ui.add_space(design::SECTION_GAP);
    let valid = parse_email(&draft.email).is_ok() && proxy_error.is_none();
    let next = continue_row(
        ui,
        false,
        valid,
        SetupAction::Find,
        &tr!("set-up-manually"),
        None,
    );
    if let Some(a) = w.elsewhere.as_deref().and_then(|o| found_elsewhere(ui, o)) {
        return Some(a);
    }
    if action == Some(SetupAction::Find) && !valid {
        return None;
    }
    next.or(action)
}

/// "Found on this computer": the accounts other mail programs send with, one click each.
fn found_elsewhere(ui: &mut Ui, offers: &[Offer]) -> Option<SetupAction> {
    if offers.is_empty() {
        return None;
    }
    let mut action = None;
    ui.add_space(design::SECTION_GAP);
    design::section(ui, tr!("found-here"));
    for (i, o) in offers.iter().enumerate() {
        let f = &o.found;
        let who = f.email.clone().unwrap_or_else(|| f.smtp.host.clone());
        ui.horizontal(|ui| {
            let use_it = egui::Button::new(tr!("use-found", who = who.as_str()));
            if ui
                .add_enabled(!o.known, use_it)
                .on_hover_text(f.place.display().to_string())
                .clicked()
            {
                action = Some(SetupAction::UseFound(i));
            }
            let mut line = tr!(
                "found-line",
                program = f.program.to_string(),
                host = f.smtp.host.as_str(),
                port = f.smtp.port
            );
            if o.known {
                line = format!("{line} {}", tr!("found-known"));
            }
            ui.label(RichText::new(line).weak());
        });
    }
    action
}

fn review(
    ui: &mut Ui,
    w: &mut Wizard,
    draft: &mut AccountDraft,
    show_password: &bool,
    issuers: Option<&Issuers>,
    signin_view: Option<&super::signin::SignInView>,
) -> Option<SetupAction> {
    if draft.found.is_none() {
        return Some(SetupAction::EditManually);
    }
    let mut action = None;
    trust::review(ui, draft);
    ui.add_space(design::SECTION_GAP);
    let ok = draft.trusted() && draft.account().is_ok();
    let host = draft.host.clone();
    let help = draft.provider_help();
    if let Some(h) = &help {
        provider::help_links(ui, h);
        ui.add_space(6.0);
        provider::guidance(ui, h);
    }
    let separate = help
        .as_ref()
        .and_then(ProviderHelp::login)
        .is_some_and(Login::needs_separate_secret);
    let issuer = draft.signin_issuer(issuers, &host);
    if draft.auth == AuthMethod::Oauth2 {
        // The provider's own page takes the password: a button instead of a field.
        ui.add_enabled_ui(ok, |ui| {
            let signed_in = draft.grant.is_some();
            if let Some(a) = signin::panel(ui, &host, issuer.as_ref(), signin_view, signed_in) {
                action = Some(SetupAction::SignIn(a));
            }
        });
        ui.add_space(6.0);
    } else if draft.auth == AuthMethod::Password
        && (draft.password.is_empty() || w.password_in_review || separate)
    {
        // None typed on the first page (a sign-in was expected, say), or the provider wants
        // another password than the account's own: ask here, by its name.
        // The account's own password, typed on the first page, is what the provider said
        // will not work: the field starts empty.
        if separate && !w.password_in_review {
            draft.password = Secret::default();
        }
        w.password_in_review = true;
        let label = provider::field_label(help.as_ref(), tr!("field-password-or-app"));
        // Its name above it and the whole width for it (an app password is long).
        let name = ui.label(&label);
        let r = ui
            .add(
                egui::TextEdit::singleline(draft.password.edit())
                    .password(!show_password)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(name.id);
        widgets::arrive(ui, &r, "wizard-review");
        if widgets::entered(ui, &r) && ok && !draft.password.is_empty() {
            action = Some(SetupAction::Check);
        }
        if let Some(issuer) = issuer {
            // The sign-in needs a client id registered with the provider: for the few.
            egui::CollapsingHeader::new(tr!("advanced"))
                .id_salt("wizard-advanced-signin")
                .show(ui, |ui| {
                    ui.label(tr!("signin-instead-text", provider = issuer.name.as_str()));
                    if ui
                        .button(tr!("signin-instead", provider = issuer.name.as_str()))
                        .clicked()
                    {
                        draft.auth = AuthMethod::Oauth2;
                    }
                });
        }
    }
    let ready = ok && (draft.auth != AuthMethod::Oauth2 || draft.grant.is_some());
    let arrive = (!w.password_in_review).then_some("wizard-review");
    continue_row(
        ui,
        true,
        ready,
        SetupAction::Check,
        &tr!("edit-manually"),
        arrive,
    )
    .or(action)
}

/// "Back", to the wizard's step before.
fn back_button(ui: &mut Ui) -> Option<SetupAction> {
    ui.button(tr!("back"))
        .clicked()
        .then_some(SetupAction::Back)
}

/// "Back" (with `back`), "Continue" (to `next`, when `ready`; the focus on arrival at the
/// step `arrive`) and the way to the form, named `manual`.
fn continue_row(
    ui: &mut Ui,
    back: bool,
    ready: bool,
    next: SetupAction,
    manual: &str,
    arrive: Option<&str>,
) -> Option<SetupAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        if back {
            action = back_button(ui);
        }
        let r = design::primary(ui, ready, tr!("continue"));
        if let Some(key) = arrive {
            widgets::arrive(ui, &r, key);
        }
        if r.clicked() {
            action = Some(next);
        }
        if ui.button(manual).clicked() {
            action = Some(SetupAction::EditManually);
        }
    });
    action
}

fn checking(
    ui: &mut Ui,
    w: &Wizard,
    draft: &mut AccountDraft,
    test: Option<&CheckView>,
    saving: bool,
) -> Option<SetupAction> {
    let smtp = draft.account().ok()?.smtp;
    ui.label(format!("{} · {}", smtp.host, settings_line(&smtp)));
    ui.add_space(4.0);
    let t = test?;
    widgets::steps(ui, &t.steps);
    ui.add_space(8.0);
    match &t.outcome {
        None => {
            let r = ui.button(tr!("cancel"));
            widgets::arrive(ui, &r, "wizard-verify-running");
            r.clicked().then_some(SetupAction::CancelCheck)
        }
        Some(Ok(())) => {
            let save = passed(ui, draft, saving);
            ui.add_space(6.0);
            save.or(back_button(ui))
        }
        Some(Err(e)) => {
            if t.failed_step().is_none() {
                widgets::explanation(ui, e);
            }
            let trust = t
                .refused_certificate()
                .and_then(|(info, problem)| certificate::refused(ui, &smtp.host, info, problem));
            ui.add_space(6.0);
            let action = way_out(ui, w, draft, t, &smtp).or(trust);
            t.copy_transcript(ui);
            action
        }
    }
}

/// Every step passed: where to keep the secret, and Save.
fn passed(ui: &mut Ui, draft: &mut AccountDraft, saving: bool) -> Option<SetupAction> {
    ui.label(
        RichText::new(tr!("all-passed"))
            .color(design::ok(ui))
            .strong(),
    );
    ui.add_space(6.0);
    ui.label(if draft.auth == AuthMethod::Oauth2 {
        tr!("keep-signin")
    } else {
        tr!("keep-password")
    });
    widgets::keyring_choice(ui, &mut draft.session_only);
    ui.add_space(6.0);
    let r = design::primary(ui, !saving, tr!("save-account"));
    widgets::arrive(ui, &r, "wizard-verify-passed");
    r.clicked().then_some(SetupAction::Save)
}

/// A step failed: settings not tried yet that may get through (the other usual port, what
/// else detection found), testing again, or the form.
fn way_out(
    ui: &mut Ui,
    w: &Wizard,
    draft: &AccountDraft,
    t: &CheckView,
    smtp: &SmtpSettings,
) -> Option<SetupAction> {
    let mut action = None;
    let network = matches!(
        t.failed_step(),
        Some(Step::Connect | Step::Tls | Step::Greeting | Step::Starttls)
    );
    let mut offers: Vec<SmtpSettings> = vec![];
    if network && let Some(s) = swap(smtp) {
        offers.push(s);
    }
    if let Some(f) = &draft.found {
        let found = &f.detection;
        let all = std::iter::once(&found.chosen).chain(&found.alternatives);
        offers.extend(all.map(|a| a.smtp.clone()));
    }
    let key = |s: &SmtpSettings| (s.host.clone(), s.port, s.security);
    let next = offers
        .into_iter()
        .find(|s| key(s) != key(smtp) && !w.tried.contains(&key(s)));
    ui.horizontal_wrapped(|ui| {
        action = back_button(ui);
        if let Some(s) = next {
            let what = if s.host == smtp.host {
                tr!("try-instead", settings = settings_line(&s))
            } else {
                tr!(
                    "try-host-instead",
                    host = s.host.as_str(),
                    settings = settings_line(&s)
                )
            };
            let r = design::primary(ui, true, &what);
            widgets::arrive(ui, &r, "wizard-verify-failed");
            if r.clicked() {
                action = Some(SetupAction::TryInstead(s));
            }
        }
        let again = ui.button(tr!("test-again"));
        widgets::arrive(ui, &again, "wizard-verify-failed");
        if again.clicked() {
            action = Some(SetupAction::Check);
        }
        if ui.button(tr!("edit-manually")).clicked() {
            action = Some(SetupAction::EditManually);
        }
    });
    action
}

fn done(ui: &mut Ui, w: &Wizard, outbox: Option<&OutboxView>) -> Option<SetupAction> {
    let mut action = None;
    let email = w.saved.as_ref().map_or("", |a| a.email.as_str());
    ui.label(
        RichText::new(tr!("ready-to-send", email = email))
            .color(design::ok(ui))
            .strong(),
    );
    ui.add_space(8.0);
    match &w.test_message {
        None => {
            let r = ui.button(tr!("send-test-message"));
            widgets::arrive(ui, &r, "wizard-done");
            if r.clicked() {
                action = Some(SetupAction::SendTestMessage);
            }
        }
        Some(TestMessage::Queueing(_)) => {
            widgets::spinner(ui, &tr!("spinner-test-message"));
        }
        Some(TestMessage::Queued(id)) => {
            let state = outbox.and_then(|o| o.state_of(*id));
            ui.label(widgets::whereabouts(
                &tr!("test-message-number", id = *id),
                state,
            ));
        }
        Some(TestMessage::Refused(e)) => widgets::explanation(ui, e),
    }
    ui.add_space(8.0);
    let finish = design::primary(ui, true, tr!("finish"));
    if w.test_message.is_some() {
        widgets::arrive(ui, &finish, "wizard-done-tested");
    }
    if finish.clicked() {
        action = Some(SetupAction::Finish);
    }
    action
}

fn finding(ui: &mut Ui, detect: Option<&DetectView>) -> Option<SetupAction> {
    let d = detect?;
    let elapsed = d.started.elapsed().min(d.deadline);
    let left = d.deadline.saturating_sub(elapsed).as_secs_f32().ceil();
    let text = tr!("searching", seconds = left as i64);
    ui.add(
        egui::ProgressBar::new(elapsed.as_secs_f32() / d.deadline.as_secs_f32().max(0.1))
            .desired_width(360.0)
            .text(&text),
    )
    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &text));
    ui.add_space(6.0);
    widgets::sources(ui, &d.sources);
    ui.add_space(8.0);
    // A detection that ends without settings opens the manual form (see `Setup`).
    let r = ui.button(tr!("cancel"));
    widgets::arrive(ui, &r, "wizard-finding");
    r.clicked().then_some(SetupAction::CancelFind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(port: u16, security: Security) -> SmtpSettings {
        SmtpSettings {
            host: "smtp.example.org".into(),
            port,
            security,
            username: "ann@example.org".into(),
            auth: AuthMethod::Password,
        }
    }

    #[test]
    fn a_blocked_port_offers_the_other_usual_one() {
        let s = swap(&smtp(587, Security::Starttls)).unwrap();
        assert_eq!((s.port, s.security), (465, Security::Tls));
        let s = swap(&smtp(465, Security::Tls)).unwrap();
        assert_eq!((s.port, s.security), (587, Security::Starttls));
        assert!(swap(&smtp(25, Security::None)).is_none());
    }
}
