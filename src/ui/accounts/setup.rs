//! An account being set up or edited: one [`AccountDraft`] shown by the wizard or by the form
//! ("Edit manually" switches the view, nothing is converted), with the background work it
//! started (detection, the connection check, a sign-in) and what each action asks of the core.

use super::action::SetupAction;
use super::live::{CheckView, DetectView};
use super::signin::{SignInAction, SignInView};
use super::wizard_state::{Stage, TestMessage, Wizard};
use crate::account::{Account, AuthMethod};
use crate::detect::{Detection, Options};
use crate::explain::{Explain, Explanation};
use crate::net::CertificatePin;
use crate::runtime::{Command, Event, SaveFailure, Ticket};
use crate::secret::Secret;
use crate::ui::shared::{Nav, Shared};
use crate::usecases::check;
use crate::usecases::draft::AccountDraft;

/// Which view edits the draft.
#[derive(Debug)]
pub enum SetupView {
    /// The step-by-step wizard, for a new account.
    Wizard(Box<Wizard>),
    /// The form with every field.
    Form,
}

/// What the form says above its fields.
#[derive(Debug, Clone)]
pub enum FormNotice {
    /// Detection found nothing: why, and that the usual settings are filled in.
    NothingFound(Explanation),
    /// The settings came from another mail program on this computer: good news.
    Imported(Explanation),
}

/// An account being set up or edited, and the work under way for it.
#[derive(Debug)]
pub struct Setup {
    /// The account as it is being written.
    pub draft: AccountDraft,
    /// The view that edits it.
    pub view: SetupView,
    /// Shown above the form: why detection found nothing, or where the settings came from.
    pub notice: Option<FormNotice>,
    /// The connection check.
    pub test: Option<CheckView>,
    /// The detection.
    pub detect: Option<DetectView>,
    /// A sign-in through the browser.
    pub signin: Option<SignInView>,
    /// A save runs.
    pub saving: bool,
    /// Show the password in clear.
    pub show_password: bool,
    /// Save was pressed while the settings are not proven to work: ask first.
    pub confirm_save: bool,
    /// Said beside Save once it saved ("Saved ann@example.org."), where the person looks.
    pub confirmation: Option<String>,
}

impl Setup {
    /// The wizard for a new account.
    pub fn wizard() -> Self {
        Self::new(AccountDraft::default(), SetupView::Wizard(Box::default()))
    }

    /// The form for a saved account.
    pub fn edit(account: &Account) -> Self {
        Self::new(AccountDraft::edit(account), SetupView::Form)
    }

    fn new(draft: AccountDraft, view: SetupView) -> Self {
        Self {
            draft,
            view,
            notice: None,
            test: None,
            detect: None,
            signin: None,
            saving: false,
            show_password: false,
            confirm_save: false,
            confirmation: None,
        }
    }

    /// The wizard's state, when the wizard shows.
    pub fn wizard_mut(&mut self) -> Option<&mut Wizard> {
        match &mut self.view {
            SetupView::Wizard(w) => Some(w),
            SetupView::Form => None,
        }
    }

    fn stage(&self) -> Option<Stage> {
        match &self.view {
            SetupView::Wizard(w) => Some(w.stage),
            SetupView::Form => None,
        }
    }

    /// Does what the person asked; may ask the app to go somewhere.
    pub fn act(
        &mut self,
        action: SetupAction,
        shared: &mut Shared,
        options: &Options,
    ) -> Option<Nav> {
        self.confirmation = None;
        match action {
            SetupAction::Find => self.find(shared, options),
            SetupAction::CancelFind => {
                if let Some(w) = self.wizard_mut() {
                    w.stage = Stage::Identity;
                    w.notice = Some(tr!("search-cancelled"));
                }
                self.cancel_detect(shared);
            }
            SetupAction::UseFound(i) => {
                let offer = self
                    .wizard_mut()
                    .and_then(|w| w.elsewhere.as_ref()?.get(i).cloned());
                if let Some(offer) = offer {
                    let f = &offer.found;
                    self.draft = crate::usecases::import::draft(f, None);
                    self.view = SetupView::Form;
                    self.notice = Some(FormNotice::Imported(Explanation::new(
                        tr!(
                            "imported-settings",
                            program = f.program.to_string(),
                            place = f.place.display().to_string()
                        ),
                        tr!("imported-settings-advice"),
                    )));
                }
            }
            SetupAction::EditManually => {
                self.draft.guess_server();
                self.view = SetupView::Form;
                self.cancel_test(shared);
            }
            SetupAction::Check => self.check(shared),
            SetupAction::CancelCheck => {
                if let Some(w) = self.wizard_mut() {
                    w.stage = Stage::Review;
                }
                self.cancel_test(shared);
            }
            SetupAction::Back => {
                self.cancel_test(shared);
                if let Some(w) = self.wizard_mut() {
                    w.stage = match w.stage {
                        Stage::Check => Stage::Review,
                        Stage::Review => Stage::Identity,
                        other => other,
                    };
                }
            }
            SetupAction::UseBetter => {
                if let Some(better) = self.detect.as_mut().and_then(|d| d.better.take()) {
                    self.cancel_test(shared);
                    self.test = None;
                    self.cancel_signin(shared);
                    self.signin = None;
                    self.draft.grant = None;
                    self.draft.use_detection(better.clone());
                    if let Some(d) = &mut self.detect {
                        d.found = Some(better);
                    }
                }
            }
            SetupAction::TryInstead(smtp) => {
                self.draft.try_settings(smtp);
                self.check(shared);
            }
            SetupAction::Save => self.save(shared),
            SetupAction::SendTestMessage => self.send_test_message(shared),
            SetupAction::SignIn(a) => return self.on_signin(a, shared),
            SetupAction::TrustCertificate => {
                let refused = self.test.as_ref().and_then(CheckView::refused_certificate);
                if let Some((info, problem)) = refused {
                    let now = crate::clock::now_secs();
                    self.draft.pin = Some(CertificatePin::new(info, Some(problem), now));
                    self.check(shared);
                }
            }
            SetupAction::ForgetCertificate => self.draft.pin = None,
            // They close or replace the setup: the screen around it answers them.
            SetupAction::Remove | SetupAction::Finish => {}
        }
        None
    }

    fn find(&mut self, shared: &mut Shared, options: &Options) {
        if let Some(w) = self.wizard_mut() {
            w.stage = Stage::Finding;
            w.notice = None;
        }
        self.cancel_detect(shared);
        let ticket = shared.ticket();
        self.detect = Some(DetectView::new(ticket, options.deadline));
        shared.send(Command::Detect {
            ticket,
            email: self.draft.email.trim().to_string(),
            options: *options,
            proxy: self.draft.proxy_setting(),
        });
    }

    /// The account to check or save: the wizard asks for the password and the trust on its
    /// own pages; the form wants every field right.
    fn ready_account(&self) -> Option<crate::account::Account> {
        match self.view {
            SetupView::Wizard(_) => self.draft.account().ok(),
            SetupView::Form => self.draft.complete(),
        }
    }

    fn check(&mut self, shared: &mut Shared) {
        let Some(account) = self.ready_account() else {
            return;
        };
        if let SetupView::Wizard(w) = &mut self.view {
            let s = &account.smtp;
            w.tried.push((s.host.clone(), s.port, s.security));
            w.stage = Stage::Check;
        }
        let ticket = shared.ticket();
        self.test = Some(CheckView::new(ticket));
        shared.send(Command::Check {
            ticket,
            account,
            secret: self.draft.secret(),
        });
    }

    fn save(&mut self, shared: &mut Shared) {
        if let Some(account) = self.ready_account() {
            self.saving = true;
            let secret = self.draft.secret();
            shared.send(Command::Save { account, secret });
        }
    }

    /// Queues a message to the saved account's own address, through the outbox.
    fn send_test_message(&mut self, shared: &mut Shared) {
        let ticket = shared.ticket();
        let Some(w) = self.wizard_mut() else { return };
        let Some(account) = w.saved.clone() else {
            return;
        };
        w.test_message = Some(TestMessage::Queueing(ticket));
        let draft = crate::message::Draft {
            from: account.email.clone(),
            from_name: account.display_name.clone(),
            to: vec![account.email.clone()],
            subject: tr!("test-message-subject"),
            body: format!(
                "{}\n",
                tr!(
                    "test-message-body",
                    email = account.email.as_str(),
                    host = account.smtp.host.as_str(),
                    port = account.smtp.port
                )
            ),
            ..Default::default()
        };
        shared.send(Command::Queue {
            ticket,
            account: Box::new(account),
            draft: Box::new(draft),
            not_before: None,
            saved: None,
        });
    }

    fn on_signin(&mut self, action: SignInAction, shared: &mut Shared) -> Option<Nav> {
        match action {
            SignInAction::Start => {
                self.cancel_signin(shared);
                let host = self.draft.host.trim().to_string();
                let ticket = shared.ticket();
                let provider = self
                    .draft
                    .signin_issuer(shared.issuers.as_ref(), &host)
                    .map_or_else(|| host.clone(), |i| i.name);
                self.signin = Some(SignInView::new(ticket, &provider));
                let discovered = self.draft.discovered_signin(&host);
                shared.send(Command::SignIn {
                    ticket,
                    email: self.draft.email.trim().to_string(),
                    host,
                    discovered,
                });
            }
            SignInAction::Cancel => self.cancel_signin(shared),
            SignInAction::UsePassword => {
                self.cancel_signin(shared);
                self.signin = None;
                self.draft.grant = None;
                self.draft.auth = AuthMethod::Password;
            }
            SignInAction::OpenSettings => return Some(Nav::To(crate::ui::View::Settings)),
        }
        None
    }

    /// The browser came back signed in: the wizard checks the connection with it at once;
    /// the form keeps it to save, and tests it.
    fn signed_in(&mut self, grant: Secret, shared: &mut Shared) {
        self.draft.grant = Some(grant);
        self.check(shared);
    }

    /// Folds in an event of the core about this setup; any other comes back.
    pub fn apply(&mut self, event: Event, shared: &mut Shared) -> Option<Event> {
        match event {
            Event::CheckProgress { ticket, progress } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.apply(progress);
                }
            }
            Event::CheckDone { ticket, report } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    let help = self.draft.provider_help();
                    t.outcome =
                        Some(check::outcome(&report).map_err(|e| e.explain_with(help.as_ref())));
                    t.certificate = report.certificate;
                    t.transcript = report.transcript;
                }
            }
            Event::DetectProgress { ticket, progress } => {
                if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket) {
                    d.apply(progress);
                }
            }
            Event::DetectBetter { ticket, detection } => {
                let current = self.draft.found.as_ref().map(|f| f.candidate.key());
                if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket)
                    && current != Some(detection.chosen.key())
                {
                    d.better = Some(*detection);
                }
            }
            Event::DetectDone { ticket, result } => {
                if self.detect.as_ref().is_some_and(|d| d.ticket == ticket) {
                    self.detected(result.map_err(|f| f.error.explain()));
                }
            }
            Event::NotStarted { ticket, error } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.outcome = Some(Err(error));
                } else if self.detect.as_ref().is_some_and(|d| d.ticket == ticket) {
                    self.detected(Err(error));
                }
            }
            Event::SignIn { ticket, state } => {
                let view = self.signin.as_mut().filter(|v| v.ticket == ticket);
                if let Some(grant) = view.and_then(|v| v.apply(state)) {
                    self.signed_in(grant, shared);
                }
            }
            other => return Some(other),
        }
        None
    }

    /// Detection ended: the wizard reviews what it found; with nothing found, the form opens
    /// with the usual guess and says why. The form takes what was found.
    fn detected(&mut self, result: Result<Detection, Explanation>) {
        if let Some(d) = &mut self.detect {
            match &result {
                Ok(found) => d.found = Some(found.clone()),
                Err(e) => d.failure = Some(e.clone()),
            }
        }
        let finding = self.stage() == Some(Stage::Finding);
        match result {
            Ok(found) => {
                if finding || self.stage().is_none() {
                    self.draft.use_detection(found);
                }
                if let Some(w) = self.wizard_mut().filter(|w| w.stage == Stage::Finding) {
                    w.stage = Stage::Review;
                }
            }
            Err(e) => {
                self.draft.guess_server();
                if finding {
                    self.view = SetupView::Form;
                    self.notice = Some(FormNotice::NothingFound(e));
                }
            }
        }
    }

    /// A save ended: the wizard is done; the form edits the saved account. On failure the
    /// explanation is for the screen's notice.
    pub fn saved(&mut self, result: &Result<Account, SaveFailure>) {
        self.saving = false;
        let Ok(account) = result else { return };
        match &mut self.view {
            SetupView::Wizard(w) => {
                w.saved = Some(account.clone());
                w.stage = Stage::Done;
            }
            SetupView::Form => {
                // The check's steps stay in view; the fields are the saved account's now.
                self.draft = AccountDraft::edit(account);
                self.notice = None;
                self.confirmation = Some(tr!("account-saved", email = account.email.as_str()));
            }
        }
    }

    /// The test message was queued, or refused.
    pub fn queued(&mut self, ticket: Ticket, result: Result<i64, Explanation>) -> bool {
        let Some(w) = self.wizard_mut() else {
            return false;
        };
        if w.test_message != Some(TestMessage::Queueing(ticket)) {
            return false;
        }
        w.test_message = Some(match result {
            Ok(id) => TestMessage::Queued(id),
            Err(e) => TestMessage::Refused(e),
        });
        true
    }

    /// Stops whatever runs for this setup (the setup is closing).
    pub fn stop(&mut self, shared: &mut Shared) {
        self.cancel_signin(shared);
        self.cancel_test(shared);
        self.cancel_detect(shared);
    }

    fn cancel_test(&mut self, shared: &mut Shared) {
        if let Some(t) = self.test.as_mut().filter(|t| t.running()) {
            shared.send(Command::Cancel { ticket: t.ticket });
            t.outcome = Some(Err(Explanation {
                problem: tr!("test-cancelled"),
                advice: tr!("test-cancelled-advice"),
            }));
        }
    }

    fn cancel_detect(&mut self, shared: &mut Shared) {
        if let Some(old) = self.detect.take() {
            shared.send(Command::Cancel { ticket: old.ticket });
        }
    }

    fn cancel_signin(&mut self, shared: &mut Shared) {
        if let Some(v) = self.signin.as_mut().filter(|v| v.running()) {
            shared.send(Command::Cancel { ticket: v.ticket });
            v.cancel();
        }
    }
}
