//! The "Add account" wizard: who you are → finding the settings (live, under a visible
//! deadline, cancellable) → review (provenance, warnings, trust, alternatives) → verify (the
//! step-by-step check, with a one-click way out) → saved, with an optional test message.
//! Pure view state; the app turns its actions into commands.

use egui::{RichText, Ui};

use super::live::{DetectView, TestView};
use super::signin::{self, SignInAction, SignInView};
use super::widgets;
use crate::account::verify::Step;
use crate::account::{Account, AccountId, AuthMethod, SecretBackend, Security, SmtpSettings, parse_email};
use crate::secret::Secret;
use crate::detect::{Candidate, Detection};
use crate::explain::Explanation;
use crate::oauth::Issuers;

/// Where the wizard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Name, address and password.
    Identity,
    /// Detection runs.
    Finding,
    /// What was found, to accept or change.
    Review,
    /// The connection check runs or has ended.
    Verify,
    /// Saved.
    Done,
}

/// What the person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WizardAction {
    /// Start finding the settings.
    Find,
    /// Stop finding them.
    CancelFind,
    /// Open the full form with what is known so far.
    EditManually,
    /// Check the connection with the chosen settings.
    Verify,
    /// Stop the check.
    CancelVerify,
    /// Save the account.
    Save,
    /// Queue a message to the account's own address.
    SendTestMessage,
    /// Leave the wizard, showing the saved account.
    Finish,
    /// Something about signing in with the provider (OAuth2).
    SignIn(SignInAction),
}

/// The background work the wizard shows.
#[derive(Clone, Copy, Default)]
pub struct Live<'a> {
    /// The detection.
    pub detect: Option<&'a DetectView>,
    /// The connection check.
    pub test: Option<&'a TestView>,
    /// The sign-in.
    pub signin: Option<&'a SignInView>,
    /// The sign-in providers.
    pub issuers: Option<&'a Issuers>,
}

/// The test message sent at the end, as far as it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestMessage {
    /// Being queued.
    Queueing(crate::runtime::Ticket),
    /// Queued with this id.
    Queued(i64),
    /// Not queued.
    Refused(Explanation),
}

/// The wizard's state.
#[derive(Debug, Clone)]
pub struct Wizard {
    /// Where it is.
    pub stage: Stage,
    /// Your name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
    /// Show the password in clear.
    pub show_password: bool,
    /// Keep the password for this session only.
    pub session_only: bool,
    /// The settings chosen in review (detection's choice, an alternative, or a swap).
    pub settings: Option<Candidate>,
    /// The person vouched for untrusted settings.
    pub trust_confirmed: bool,
    /// Settings tried already, so the way-out button offers something new.
    pub tried: Vec<(String, u16, Security)>,
    /// A message shown on the first page (e.g. "cancelled").
    pub notice: Option<String>,
    /// The saved account.
    pub saved: Option<Account>,
    /// The test message.
    pub test_message: Option<TestMessage>,
    /// A save is running.
    pub saving: bool,
    /// The provider's sign-in (OAuth2), once signed in: what the keyring will keep.
    pub grant: Option<Secret>,
    /// The review asks for the password (none was typed on the first page).
    password_in_review: bool,
    id: AccountId,
}

impl Default for Wizard {
    fn default() -> Self {
        Self {
            stage: Stage::Identity,
            name: String::new(),
            email: String::new(),
            password: String::new(),
            show_password: false,
            session_only: false,
            settings: None,
            trust_confirmed: false,
            tried: vec![],
            notice: None,
            saved: None,
            test_message: None,
            saving: false,
            grant: None,
            password_in_review: false,
            id: AccountId::generate(),
        }
    }
}

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
    format!("port {} ({})", s.port, s.security.label())
}

impl Wizard {
    /// The address problem, if any (nothing for a blank field).
    fn email_error(&self) -> Option<String> {
        if self.email.trim().is_empty() {
            return None;
        }
        parse_email(&self.email).err().map(|e| e.to_string())
    }

    /// The account the chosen settings make, if they are complete and valid.
    pub fn account(&self) -> Option<Account> {
        let c = self.settings.as_ref()?;
        let account = Account {
            id: self.id.clone(),
            email: parse_email(&self.email).ok()?,
            display_name: Some(self.name.trim().to_string()).filter(|n| !n.is_empty()),
            smtp: c.smtp.clone(),
            secret_backend: if self.session_only {
                SecretBackend::Session
            } else {
                SecretBackend::System
            },
            allow_plaintext_auth: false,
        };
        account.validate().ok().map(|()| account)
    }

    /// What the login sends: the sign-in for OAuth2, else the password typed.
    pub fn secret(&self) -> Option<Secret> {
        match self.settings.as_ref()?.smtp.auth {
            AuthMethod::Oauth2 => self.grant.clone(),
            AuthMethod::Password => Some(self.password.clone())
                .filter(|p| !p.is_empty())
                .map(Secret::new),
            AuthMethod::None => None,
        }
    }

    /// Logs in with a password instead of signing in with the provider.
    pub fn use_password(&mut self) {
        if let Some(c) = &mut self.settings {
            c.smtp.auth = AuthMethod::Password;
        }
    }

    /// Takes detection's answer (or one of its alternatives) as the settings to review.
    pub fn choose(&mut self, candidate: Candidate) {
        self.trust_confirmed = false;
        self.settings = Some(candidate);
    }

    /// Detection ended: review what it found, or say nothing was found.
    pub fn found(&mut self, result: &Result<Detection, Explanation>) {
        if let Ok(d) = result {
            self.choose(d.chosen.clone());
            self.stage = Stage::Review;
        }
    }

    /// Switches to other settings after a failed check and checks them at once.
    fn try_instead(&mut self, smtp: SmtpSettings) -> Option<WizardAction> {
        let c = self.settings.as_mut()?;
        c.smtp = smtp;
        Some(WizardAction::Verify)
    }

    fn trusted(&self) -> bool {
        self.settings.as_ref().is_some_and(|c| c.trusted) || self.trust_confirmed
    }

    /// Draws the current stage.
    pub fn show(&mut self, ui: &mut Ui, live: Live<'_>) -> Option<WizardAction> {
        let (detect, test) = (live.detect, live.test);
        ui.heading("Add an account");
        ui.label(
            RichText::new(match self.stage {
                Stage::Identity => "Step 1 of 4 · Who you are",
                Stage::Finding => "Step 2 of 4 · Finding your server",
                Stage::Review => "Step 3 of 4 · Check the settings",
                Stage::Verify => "Step 4 of 4 · Testing the connection",
                Stage::Done => "Done",
            })
            .weak(),
        );
        ui.add_space(10.0);
        match self.stage {
            Stage::Identity => self.identity(ui),
            Stage::Finding => finding(ui, detect),
            Stage::Review => self.review(ui, live),
            Stage::Verify => self.verify(ui, test, detect.and_then(|d| d.found.as_ref())),
            Stage::Done => self.done(ui),
        }
    }

    fn identity(&mut self, ui: &mut Ui) -> Option<WizardAction> {
        let mut action = None;
        if let Some(n) = &self.notice {
            ui.label(RichText::new(n).strong());
            ui.add_space(6.0);
        }
        let email_error = self.email_error();
        egui::Grid::new("wizard-identity")
            .num_columns(2)
            .spacing([16.0, 8.0])
            .show(ui, |ui| {
                widgets::text_row(
                    ui,
                    "Your name",
                    &mut self.name,
                    "Shown to recipients",
                    false,
                    None,
                );
                let r = widgets::text_row(
                    ui,
                    "E-mail address",
                    &mut self.email,
                    "you@example.org",
                    false,
                    email_error.as_deref(),
                );
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    action = Some(WizardAction::Find);
                }
                let label = ui.label("Password");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.password)
                            .password(!self.show_password)
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                    let toggle = if self.show_password { "Hide" } else { "Show" };
                    if ui.button(toggle).clicked() {
                        self.show_password = !self.show_password;
                    }
                });
                ui.end_row();
            });
        ui.label(
            RichText::new(
                "Providers that sign you in through the browser (Gmail, Outlook.com, Yahoo, \
                 AOL…) need no password here.",
            )
            .weak()
            .small(),
        );
        ui.add_space(10.0);
        let valid = parse_email(&self.email).is_ok();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(valid, egui::Button::new("Continue"))
                .clicked()
            {
                action = Some(WizardAction::Find);
            }
            if ui.button("Set up manually").clicked() {
                action = Some(WizardAction::EditManually);
            }
        });
        if action == Some(WizardAction::Find) && !valid {
            return None;
        }
        action
    }

    fn review(&mut self, ui: &mut Ui, live: Live<'_>) -> Option<WizardAction> {
        let found = live.detect.and_then(|d| d.found.as_ref());
        let mut action = None;
        let Some(c) = self.settings.clone() else {
            return Some(WizardAction::EditManually);
        };
        let source = c.origin();
        let color = if c.trusted {
            widgets::ok_color(ui)
        } else {
            widgets::error_color(ui)
        };
        ui.label(
            RichText::new(format!("Found by: {source}"))
                .color(color)
                .strong(),
        );
        ui.add_space(6.0);
        let from = |default: bool, what: &str| {
            if default {
                format!("usual default ({what})")
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
                    ("Server", c.smtp.host.clone(), source.clone()),
                    ("Port", c.smtp.port.to_string(), source.clone()),
                    (
                        "Security",
                        c.smtp.security.label().to_string(),
                        source.clone(),
                    ),
                    (
                        "User name",
                        c.smtp.username.clone(),
                        from(c.username_default, "your address"),
                    ),
                    (
                        "Login",
                        c.smtp.auth.label().to_string(),
                        from(c.auth_default, "password"),
                    ),
                ] {
                    ui.label(RichText::new(field).strong());
                    ui.label(value);
                    ui.label(RichText::new(format!("from {origin}")).weak());
                    ui.end_row();
                }
            });
        let warnings = match found {
            Some(f) if f.chosen.key() == c.key() => f.warnings.clone(),
            _ => c.warnings.clone(),
        };
        if !warnings.is_empty() || !c.trusted {
            ui.add_space(8.0);
            egui::Frame::group(ui.style())
                .stroke(egui::Stroke::new(1.5, widgets::error_color(ui)))
                .show(ui, |ui| {
                    ui.set_max_width(600.0);
                    for w in &warnings {
                        ui.label(
                            RichText::new(format!("Warning: {w}")).color(widgets::error_color(ui)),
                        );
                    }
                    if !c.trusted {
                        ui.label(
                            "Outpost could not confirm these settings through a trusted source. \
                             Check them with your provider before sending your password.",
                        );
                        ui.checkbox(&mut self.trust_confirmed, "I trust these settings");
                    }
                });
        }
        if let Some(f) = found {
            let others: Vec<&Candidate> = std::iter::once(&f.chosen)
                .chain(&f.alternatives)
                .filter(|a| a.key() != c.key())
                .collect();
            if !others.is_empty() {
                ui.add_space(8.0);
                ui.label("Other settings found:");
                for alt in others {
                    let text = format!("Use {} from {}", alt.describe(), alt.source.label());
                    if ui.button(text).clicked() {
                        self.choose(alt.clone());
                    }
                }
            }
        }
        ui.add_space(10.0);
        let ok = self.trusted() && self.account().is_some();
        if c.smtp.auth == AuthMethod::Oauth2 {
            // The provider's own page takes the password: a button instead of a field.
            let issuer = live.issuers.and_then(|i| i.for_host(&c.smtp.host));
            ui.add_enabled_ui(ok, |ui| {
                let signed_in = self.grant.is_some();
                if let Some(a) = signin::panel(ui, &c.smtp.host, issuer, live.signin, signed_in) {
                    action = Some(WizardAction::SignIn(a));
                }
            });
            ui.add_space(6.0);
        } else if c.smtp.auth == AuthMethod::Password
            && (self.password.is_empty() || self.password_in_review)
        {
            // None typed on the first page (a sign-in was expected, say): ask here.
            self.password_in_review = true;
            egui::Grid::new("wizard-password").show(ui, |ui| {
                widgets::text_row(
                    ui,
                    "Password or app password",
                    &mut self.password,
                    "",
                    !self.show_password,
                    None,
                );
            });
        }
        let ready = ok && (c.smtp.auth != AuthMethod::Oauth2 || self.grant.is_some());
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready, egui::Button::new("Continue"))
                .clicked()
            {
                action = Some(WizardAction::Verify);
            }
            if ui.button("Edit manually").clicked() {
                action = Some(WizardAction::EditManually);
            }
        });
        action
    }

    fn verify(
        &mut self,
        ui: &mut Ui,
        test: Option<&TestView>,
        found: Option<&Detection>,
    ) -> Option<WizardAction> {
        let mut action = None;
        let c = self.settings.clone()?;
        ui.label(format!("{} · {}", c.smtp.host, settings_line(&c.smtp)));
        ui.add_space(4.0);
        let t = test?;
        widgets::steps(ui, &t.steps);
        ui.add_space(8.0);
        match &t.outcome {
            None => {
                if ui.button("Cancel").clicked() {
                    action = Some(WizardAction::CancelVerify);
                }
            }
            Some(Ok(())) => {
                ui.label(
                    RichText::new("All steps passed: this account can send mail.")
                        .color(widgets::ok_color(ui))
                        .strong(),
                );
                ui.add_space(6.0);
                ui.label(if c.smtp.auth == AuthMethod::Oauth2 {
                    "Keep the sign-in"
                } else {
                    "Keep the password"
                });
                ui.radio_value(&mut self.session_only, false, "In the system keyring");
                ui.radio_value(
                    &mut self.session_only,
                    true,
                    "For this session only (forgotten at logout)",
                );
                ui.add_space(6.0);
                if ui
                    .add_enabled(!self.saving, egui::Button::new("Save account"))
                    .clicked()
                {
                    action = Some(WizardAction::Save);
                }
            }
            Some(Err(e)) => {
                if t.failed_step().is_none() {
                    widgets::explanation(ui, e);
                }
                ui.add_space(6.0);
                let network = matches!(
                    t.failed_step(),
                    Some(Step::Connect | Step::Tls | Step::Greeting | Step::Starttls)
                );
                let mut offers: Vec<SmtpSettings> = vec![];
                if network && let Some(s) = swap(&c.smtp) {
                    offers.push(s);
                }
                if let Some(f) = found {
                    offers.extend(
                        std::iter::once(&f.chosen)
                            .chain(&f.alternatives)
                            .map(|a| a.smtp.clone()),
                    );
                }
                let key = |s: &SmtpSettings| (s.host.clone(), s.port, s.security);
                let next = offers
                    .into_iter()
                    .find(|s| key(s) != key(&c.smtp) && !self.tried.contains(&key(s)));
                ui.horizontal(|ui| {
                    if let Some(s) = next {
                        let what = if s.host == c.smtp.host {
                            format!("Try {} instead", settings_line(&s))
                        } else {
                            format!("Try {} {} instead", s.host, settings_line(&s))
                        };
                        if ui.button(what).clicked() {
                            action = self.try_instead(s);
                        }
                    }
                    if ui.button("Test again").clicked() {
                        action = Some(WizardAction::Verify);
                    }
                    if ui.button("Edit manually").clicked() {
                        action = Some(WizardAction::EditManually);
                    }
                });
            }
        }
        action
    }

    fn done(&mut self, ui: &mut Ui) -> Option<WizardAction> {
        let mut action = None;
        let email = self.saved.as_ref().map_or("", |a| a.email.as_str());
        ui.label(
            RichText::new(format!("{email} is ready to send."))
                .color(widgets::ok_color(ui))
                .strong(),
        );
        ui.add_space(8.0);
        match &self.test_message {
            None => {
                if ui.button("Send a test message to myself").clicked() {
                    action = Some(WizardAction::SendTestMessage);
                }
            }
            Some(TestMessage::Queueing(_)) => {
                ui.spinner();
            }
            Some(TestMessage::Queued(id)) => {
                ui.label(format!(
                    "Test message #{id} is in the outbox; the Outbox tab shows when it arrives."
                ));
            }
            Some(TestMessage::Refused(e)) => widgets::explanation(ui, e),
        }
        ui.add_space(8.0);
        if ui.button("Finish").clicked() {
            action = Some(WizardAction::Finish);
        }
        action
    }
}

fn finding(ui: &mut Ui, detect: Option<&DetectView>) -> Option<WizardAction> {
    let mut action = None;
    let d = detect?;
    let elapsed = d.started.elapsed().min(d.deadline);
    let left = d.deadline.saturating_sub(elapsed).as_secs_f32().ceil();
    ui.add(
        egui::ProgressBar::new(elapsed.as_secs_f32() / d.deadline.as_secs_f32().max(0.1))
            .desired_width(360.0)
            .text(format!("Searching · at most {left:.0} s more")),
    );
    ui.add_space(6.0);
    widgets::sources(ui, &d.sources);
    ui.add_space(8.0);
    // A detection that ends without settings opens the manual form (the app does that).
    if ui.button("Cancel").clicked() {
        action = Some(WizardAction::CancelFind);
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AuthMethod;

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
