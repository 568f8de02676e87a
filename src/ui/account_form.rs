//! The account form: every SMTP field, the password, where to keep it, and live validation.
//! Pure view state; the app turns its actions into commands.

use egui::{RichText, Ui};

use super::signin::{self, SignInAction, SignInView};
use super::widgets::{self, text_row};
use crate::account::{
    Account, AccountId, AuthMethod, SecretBackend, Security, SmtpSettings, parse_email, parse_host,
};

/// What the person asked for with the form's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    /// Save the account.
    Save,
    /// Check the connection with these settings.
    Test,
    /// Stop the running check.
    CancelTest,
    /// Ask to remove the account.
    Remove,
    /// Find the server settings from the address.
    Detect,
    /// Use another set of settings that detection found (index into its alternatives).
    UseAlternative(usize),
    /// Something about signing in with the provider (OAuth2).
    SignIn(SignInAction),
}

/// What the form shows beside its fields: the sign-in providers and a sign-in under way.
#[derive(Clone, Copy, Default)]
pub struct FormLive<'a> {
    /// A check runs.
    pub testing: bool,
    /// A save runs.
    pub busy: bool,
    /// The sign-in providers.
    pub issuers: Option<&'a crate::oauth::Issuers>,
    /// The sign-in under way or ended.
    pub signin: Option<&'a SignInView>,
}

/// What detection found, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// Where the settings came from, for people.
    pub source: String,
    /// Safe to use without asking.
    pub trusted: bool,
    /// What to read before using them.
    pub warnings: Vec<String>,
    /// Other settings found, described for people.
    pub alternatives: Vec<String>,
}

/// The form's fields as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountForm {
    /// The account being edited; `None` for a new one.
    pub editing: Option<AccountId>,
    /// The backend the stored secret is in, when editing.
    pub stored_backend: Option<SecretBackend>,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Server host.
    pub host: String,
    /// Port, as typed.
    pub port: String,
    /// Encryption.
    pub security: Security,
    /// Login name; follows the address until edited.
    pub username: String,
    /// Whether the login name was typed rather than copied from the address.
    pub username_edited: bool,
    /// Login method.
    pub auth: AuthMethod,
    /// Password or token; blank keeps the stored one when editing.
    pub password: String,
    /// Show the password in clear.
    pub show_password: bool,
    /// Keep the secret in the session keyring only.
    pub session_only: bool,
    /// Consent to send the password unencrypted.
    pub allow_plaintext: bool,
    /// What detection found for these fields, if it ran.
    pub detected: Option<Detected>,
    /// The person confirmed settings that detection could not vouch for.
    pub trust_confirmed: bool,
}

impl Default for AccountForm {
    fn default() -> Self {
        Self {
            editing: None,
            stored_backend: None,
            email: String::new(),
            name: String::new(),
            host: String::new(),
            port: Security::Tls.default_port().to_string(),
            security: Security::Tls,
            username: String::new(),
            username_edited: false,
            auth: AuthMethod::Password,
            password: String::new(),
            show_password: false,
            session_only: false,
            allow_plaintext: false,
            detected: None,
            trust_confirmed: false,
        }
    }
}

/// Per-field problems, shown under the fields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FormErrors {
    /// E-mail address.
    pub email: Option<String>,
    /// Server.
    pub host: Option<String>,
    /// Port.
    pub port: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Security/consent.
    pub security: Option<String>,
    /// Detected settings not confirmed yet.
    pub trust: Option<String>,
}

impl FormErrors {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        *self == FormErrors::default()
    }
}

impl AccountForm {
    /// The form filled with an existing account (the password stays blank: kept as stored).
    pub fn edit(account: &Account) -> Self {
        Self {
            editing: Some(account.id.clone()),
            stored_backend: Some(account.secret_backend),
            email: account.email.clone(),
            name: account.display_name.clone().unwrap_or_default(),
            host: account.smtp.host.clone(),
            port: account.smtp.port.to_string(),
            security: account.smtp.security,
            username: account.smtp.username.clone(),
            username_edited: account.smtp.username != account.email,
            auth: account.smtp.auth,
            password: String::new(),
            show_password: false,
            session_only: account.secret_backend == SecretBackend::Session,
            allow_plaintext: account.allow_plaintext_auth,
            detected: None,
            trust_confirmed: false,
        }
    }

    fn backend(&self) -> SecretBackend {
        if self.session_only {
            SecretBackend::Session
        } else {
            SecretBackend::System
        }
    }

    /// Whether a blank password may keep the stored one.
    fn can_keep_stored_secret(&self) -> bool {
        self.stored_backend == Some(self.backend())
    }

    /// What is wrong with the fields; blank fields of a fresh form count too.
    pub fn errors(&self) -> FormErrors {
        let mut e = FormErrors::default();
        if let Err(err) = parse_email(&self.email) {
            e.email = Some(if self.email.trim().is_empty() {
                "Enter the address you send from.".into()
            } else {
                err.to_string()
            });
        }
        if let Err(err) = parse_host(&self.host) {
            e.host = Some(if self.host.trim().is_empty() {
                "Enter the server, e.g. smtp.example.org.".into()
            } else {
                err.to_string()
            });
        }
        match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => e.port = Some("A port is a number from 1 to 65535 (465 or 587).".into()),
        }
        if self.auth.needs_secret() && self.password.is_empty() && !self.can_keep_stored_secret() {
            e.password = Some(match (self.auth, self.stored_backend.is_some()) {
                (AuthMethod::Oauth2, true) => "Sign in again to move the sign-in to the other \
                                               keyring."
                    .into(),
                (AuthMethod::Oauth2, false) => "Sign in with the provider first.".into(),
                (_, true) => "Enter the password again to move it to the other keyring.".into(),
                (_, false) => "Enter the password.".into(),
            });
        }
        if self.detected.as_ref().is_some_and(|d| !d.trusted) && !self.trust_confirmed {
            e.trust = Some("Check these settings with your provider, then confirm them.".into());
        }
        if self.security == Security::None && self.auth.needs_secret() && !self.allow_plaintext {
            e.security = Some(
                "Without encryption your password crosses the network readable by anyone on \
                 the way. Choose TLS or STARTTLS, or confirm below."
                    .into(),
            );
        }
        e
    }

    /// The account the form describes, if its fields are valid.
    pub fn account(&self) -> Option<Account> {
        if !self.errors().is_empty() {
            return None;
        }
        let email = parse_email(&self.email).ok()?;
        let username = if self.username.trim().is_empty() {
            email.clone()
        } else {
            self.username.trim().to_string()
        };
        let account = Account {
            id: self.editing.clone().unwrap_or_else(AccountId::generate),
            email,
            display_name: Some(self.name.trim().to_string()).filter(|n| !n.is_empty()),
            smtp: SmtpSettings {
                host: parse_host(&self.host).ok()?,
                port: self.port.trim().parse().ok()?,
                security: self.security,
                username,
                auth: self.auth,
            },
            secret_backend: self.backend(),
            allow_plaintext_auth: self.allow_plaintext && self.security == Security::None,
        };
        account.validate().ok().map(|()| account)
    }

    fn set_security(&mut self, new: Security) {
        if self.port.trim() == self.security.default_port().to_string() || self.port.is_empty() {
            self.port = new.default_port().to_string();
        }
        self.security = new;
    }

    /// Draws the form. `testing` is true while a check runs; `busy` while a save runs.
    pub fn show(&mut self, ui: &mut Ui, live: FormLive<'_>) -> Option<FormAction> {
        let (testing, busy) = (live.testing, live.busy);
        let errors = self.errors();
        // Errors for fields nobody has reached yet would only shout at a fresh form.
        let fresh = self.editing.is_none() && self.host.is_empty() && self.detected.is_none();
        let email_typed = !self.email.is_empty();
        let shown = |e: &Option<String>| if fresh { None } else { e.clone() };
        let mut action = None;

        ui.heading(if self.editing.is_some() {
            "Account settings"
        } else {
            "Add an account"
        });
        ui.add_space(8.0);
        egui::Grid::new("account-form")
            .num_columns(2)
            .spacing([16.0, 8.0])
            .show(ui, |ui| {
                let before = self.email.clone();
                let label = ui.label("E-mail address");
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut self.email)
                                .hint_text("you@example.org")
                                .desired_width(280.0),
                        )
                        .labelled_by(label.id);
                        if self.editing.is_none()
                            && ui
                                .add_enabled(
                                    errors.email.is_none() && !busy,
                                    egui::Button::new("Find settings automatically"),
                                )
                                .clicked()
                        {
                            action = Some(FormAction::Detect);
                        }
                    });
                    if let Some(e) = errors.email.as_deref().filter(|_| email_typed) {
                        ui.label(RichText::new(e).small().color(widgets::error_color(ui)));
                    }
                });
                ui.end_row();
                if !self.username_edited && self.email != before {
                    self.username = self.email.trim().to_string();
                }
                text_row(
                    ui,
                    "Your name",
                    &mut self.name,
                    "Shown to recipients",
                    false,
                    None,
                );
                text_row(
                    ui,
                    "Server",
                    &mut self.host,
                    "smtp.example.org",
                    false,
                    shown(&errors.host).as_deref(),
                );
                text_row(
                    ui,
                    "Port",
                    &mut self.port,
                    "465",
                    false,
                    shown(&errors.port).as_deref(),
                );

                let label = ui.label("Security");
                let mut security = self.security;
                egui::ComboBox::from_id_salt("security")
                    .selected_text(security.label())
                    .show_ui(ui, |ui| {
                        for s in Security::ALL {
                            ui.selectable_value(&mut security, s, s.label());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if security != self.security {
                    self.set_security(security);
                }
                ui.end_row();

                let before = self.username.clone();
                text_row(
                    ui,
                    "User name",
                    &mut self.username,
                    "Usually your address",
                    false,
                    None,
                );
                if self.username != before {
                    self.username_edited = true;
                }

                let label = ui.label("Login");
                let auth = self.auth;
                egui::ComboBox::from_id_salt("auth")
                    .selected_text(self.auth.label())
                    .show_ui(ui, |ui| {
                        for a in AuthMethod::ALL {
                            ui.selectable_value(&mut self.auth, a, a.label());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                if self.auth != auth {
                    // A sign-in is no password, and a password no sign-in.
                    self.password.clear();
                }

                if self.auth == AuthMethod::Oauth2 {
                    ui.label("Sign-in");
                    ui.vertical(|ui| {
                        let host = self.host.trim().to_string();
                        let issuer = live.issuers.and_then(|i| i.for_host(&host));
                        let signed_in = !self.password.is_empty() || self.can_keep_stored_secret();
                        let ready = errors.email.is_none() && errors.host.is_none();
                        ui.add_enabled_ui(ready, |ui| {
                            if let Some(a) =
                                signin::panel(ui, &host, issuer, live.signin, signed_in)
                            {
                                action = Some(FormAction::SignIn(a));
                            }
                        });
                        if let Some(e) = shown(&errors.password) {
                            ui.label(RichText::new(e).small().color(widgets::error_color(ui)));
                        }
                    });
                    ui.end_row();
                } else if self.auth.needs_secret() {
                    let hint = if self.can_keep_stored_secret() {
                        "Leave blank to keep the stored one"
                    } else {
                        ""
                    };
                    let label_resp = ui.label("Password");
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut self.password)
                                    .password(!self.show_password)
                                    .hint_text(hint)
                                    .desired_width(220.0),
                            )
                            .labelled_by(label_resp.id);
                            let toggle = if self.show_password { "Hide" } else { "Show" };
                            if ui.button(toggle).clicked() {
                                self.show_password = !self.show_password;
                            }
                        });
                        if let Some(e) = shown(&errors.password) {
                            ui.label(RichText::new(e).small().color(widgets::error_color(ui)));
                        }
                    });
                    ui.end_row();
                }
                if self.auth.needs_secret() {
                    ui.label("Keep it");
                    ui.vertical(|ui| {
                        ui.radio_value(&mut self.session_only, false, "In the system keyring");
                        ui.radio_value(
                            &mut self.session_only,
                            true,
                            "For this session only (forgotten at logout)",
                        );
                    });
                    ui.end_row();
                }
            });

        if let Some(d) = &self.detected {
            ui.add_space(6.0);
            let color = if d.trusted {
                widgets::ok_color(ui)
            } else {
                widgets::error_color(ui)
            };
            ui.label(RichText::new(format!("Found by: {}", d.source)).color(color));
            for w in &d.warnings {
                ui.label(RichText::new(format!("Warning: {w}")).color(widgets::error_color(ui)));
            }
            if !d.trusted {
                ui.checkbox(
                    &mut self.trust_confirmed,
                    "I checked these settings and trust them",
                );
            }
            for (i, alt) in d.alternatives.iter().enumerate() {
                if ui.button(format!("Use instead: {alt}")).clicked() {
                    action = Some(FormAction::UseAlternative(i));
                }
            }
        }
        if let Some(e) = &errors.security {
            ui.add_space(4.0);
            ui.label(RichText::new(e).color(widgets::error_color(ui)));
            ui.checkbox(
                &mut self.allow_plaintext,
                "Send my password unencrypted: this server is on a network I trust",
            );
        } else if self.security == Security::None && self.auth.needs_secret() {
            ui.checkbox(
                &mut self.allow_plaintext,
                "Send my password unencrypted: this server is on a network I trust",
            );
        }

        ui.add_space(10.0);
        let valid = errors.is_empty();
        ui.horizontal(|ui| {
            if testing {
                if ui.button("Cancel test").clicked() {
                    action = Some(FormAction::CancelTest);
                }
            } else if ui
                .add_enabled(valid, egui::Button::new("Test connection"))
                .clicked()
            {
                action = Some(FormAction::Test);
            }
            let save = if self.editing.is_some() {
                "Save changes"
            } else {
                "Save account"
            };
            if ui
                .add_enabled(valid && !busy, egui::Button::new(save))
                .clicked()
            {
                action = Some(FormAction::Save);
            }
            if self.editing.is_some() && ui.button("Remove account…").clicked() {
                action = Some(FormAction::Remove);
            }
        });
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> AccountForm {
        AccountForm {
            email: "ann@example.org".into(),
            host: "smtp.example.org".into(),
            password: "pw".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_filled_form_gives_an_account() {
        let a = filled().account().unwrap();
        assert_eq!(a.smtp.port, 465);
        assert_eq!(a.smtp.username, "ann@example.org");
        assert_eq!(a.secret_backend, SecretBackend::System);
    }

    #[test]
    fn changing_security_moves_a_default_port_only() {
        let mut f = filled();
        f.set_security(Security::Starttls);
        assert_eq!(f.port, "587");
        f.port = "2525".into();
        f.set_security(Security::Tls);
        assert_eq!(f.port, "2525");
    }

    #[test]
    fn unencrypted_passwords_need_consent() {
        let mut f = filled();
        f.set_security(Security::None);
        assert!(f.errors().security.is_some());
        assert!(f.account().is_none());
        f.allow_plaintext = true;
        assert!(f.account().unwrap().allow_plaintext_auth);
    }

    #[test]
    fn editing_keeps_the_stored_password_unless_the_keyring_changes() {
        let account = filled().account().unwrap();
        let mut f = AccountForm::edit(&account);
        assert!(f.password.is_empty());
        assert!(f.errors().is_empty());
        f.session_only = true;
        assert!(f.errors().password.is_some());
    }

    #[test]
    fn an_oauth2_account_needs_a_sign_in_first() {
        let mut f = filled();
        f.auth = AuthMethod::Oauth2;
        f.password.clear();
        let e = f.errors().password.unwrap();
        assert!(e.contains("Sign in"), "{e}");
        f.password = "{\"outpost_oauth2\":1}".into();
        assert!(f.account().is_some());
    }
}
