//! "Sign in with <provider>": the panel the wizard and the account form show in place of the
//! password when an account logs in with OAuth2, and its live state while the browser is out.

use egui::{RichText, Ui};

use crate::explain::{Explain, Explanation};
use crate::oauth::{Issuer, OauthError};
use crate::runtime::{SignInState, Ticket};
use crate::ui::design;
use crate::ui::widgets;

/// A sign-in as it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInView {
    /// The sign-in's ticket.
    pub ticket: Ticket,
    /// The provider's name.
    pub provider: String,
    /// The address the browser was sent to, once known.
    pub url: Option<String>,
    /// Why no browser opened, if none did.
    pub browser_problem: Option<String>,
    /// How it ended, once it has.
    pub outcome: Option<Result<(), Explanation>>,
}

impl SignInView {
    /// A sign-in just asked for.
    pub fn new(ticket: Ticket, provider: &str) -> Self {
        Self {
            ticket,
            provider: provider.to_string(),
            url: None,
            browser_problem: None,
            outcome: None,
        }
    }

    /// Whether it still waits.
    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }

    /// Folds in an event; returns what the keyring is to keep once signed in.
    pub fn apply(&mut self, state: SignInState) -> Option<crate::secret::Secret> {
        match state {
            SignInState::Waiting {
                provider,
                url,
                browser,
            } => {
                self.provider = provider;
                self.url = Some(url);
                self.browser_problem = browser.err();
                None
            }
            SignInState::Done(Ok(secret)) => {
                self.outcome = Some(Ok(()));
                Some(secret)
            }
            SignInState::Done(Err(e)) => {
                self.outcome = Some(Err(e));
                None
            }
        }
    }

    /// Marks it cancelled by the person.
    pub fn cancel(&mut self) {
        self.outcome = Some(Err(Explanation {
            problem: tr!("signin-cancelled"),
            advice: tr!("signin-cancelled-advice"),
        }));
    }
}

/// What the person asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAction {
    /// Open the browser at the provider.
    Start,
    /// Stop waiting for the browser.
    Cancel,
    /// Log in with a (app) password instead.
    UsePassword,
    /// Go to Settings to enter a client id.
    OpenSettings,
}

/// Draws the panel for the server `host`: `issuer` is its provider (if Outpost knows one),
/// `view` the sign-in under way or ended, `signed_in` whether a sign-in is at hand.
pub fn panel(
    ui: &mut Ui,
    host: &str,
    issuer: Option<&Issuer>,
    view: Option<&SignInView>,
    signed_in: bool,
) -> Option<SignInAction> {
    let mut action = None;
    let use_password = |ui: &mut Ui, action: &mut Option<SignInAction>| {
        if ui.button(tr!("use-password-instead")).clicked() {
            *action = Some(SignInAction::UsePassword);
        }
    };
    let Some(issuer) = issuer else {
        widgets::explanation(
            ui,
            &OauthError::NoIssuer {
                host: host.to_string(),
            }
            .explain(),
        );
        use_password(ui, &mut action);
        return action;
    };
    if !issuer.can_sign_in()
        && let Err(e) = issuer.client()
    {
        widgets::explanation(ui, &e.explain());
        ui.horizontal(|ui| {
            if ui.button(tr!("open-settings")).clicked() {
                action = Some(SignInAction::OpenSettings);
            }
            use_password(ui, &mut action);
        });
        return action;
    }
    match view {
        Some(v) if v.running() => waiting(ui, &issuer.name, v),
        _ => ready(ui, &issuer.name, view, signed_in),
    }
}

/// The browser is out: where to finish, the address to open by hand, and Cancel.
fn waiting(ui: &mut Ui, name: &str, v: &SignInView) -> Option<SignInAction> {
    ui.horizontal(|ui| {
        widgets::spinner(ui, &tr!("spinner-browser"));
        ui.label(RichText::new(tr!("signin-waiting", provider = name)).strong());
    });
    if let Some(url) = &v.url {
        match &v.browser_problem {
            Some(p) => ui.label(tr!("signin-no-browser", problem = p.to_string())),
            None => ui.label(RichText::new(tr!("signin-open-yourself")).weak()),
        };
        ui.horizontal(|ui| {
            ui.add(egui::Label::new(RichText::new(url).monospace().small()).truncate());
            if ui.button(tr!("copy-address")).clicked() {
                ui.ctx().copy_text(url.clone());
            }
        });
    }
    ui.button(tr!("cancel-signin"))
        .clicked()
        .then_some(SignInAction::Cancel)
}

/// Not signing in now: how the last sign-in ended, and the button to sign in (again).
fn ready(
    ui: &mut Ui,
    name: &str,
    view: Option<&SignInView>,
    signed_in: bool,
) -> Option<SignInAction> {
    let mut action = None;
    if let Some(Err(e)) = view.and_then(|v| v.outcome.as_ref()) {
        widgets::explanation(ui, e);
        ui.add_space(4.0);
    }
    if signed_in {
        ui.label(
            RichText::new(tr!("signed-in-with", provider = name))
                .color(design::ok(ui))
                .strong(),
        );
    }
    ui.horizontal(|ui| {
        let text = if signed_in {
            tr!("sign-in-again")
        } else {
            tr!("sign-in-with", provider = name)
        };
        if ui.button(text).clicked() {
            action = Some(SignInAction::Start);
        }
        if ui.button(tr!("use-password-instead")).clicked() {
            action = Some(SignInAction::UsePassword);
        }
    });
    ui.label(
        RichText::new(tr!("signin-note", provider = name))
            .weak()
            .small(),
    );
    action
}
