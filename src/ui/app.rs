//! The application: routes between the screens (accounts with the wizard and the form,
//! compose, outbox, settings), turns their actions into core commands, and folds core events
//! into view state. It never touches the network, the disk or the keyring itself.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{Key, Modifiers, RichText, Ui};
use serde::{Deserialize, Serialize};

use super::account_form::{AccountForm, Detected, FormAction, FormLive};
use super::accounts::{self, ListAction};
use super::compose::{Compose, ComposeAction, SizeLimit};
use super::file_dialog::{FilePicker, NativePicker, Pending, Picked};
use super::live::{DetectView, TestView};
use super::outbox::{Filter, OutboxAction, OutboxScreen};
use super::providers::Providers;
use super::settings::Settings;
use super::signin::{SignInAction, SignInView};
use super::widgets;
use super::wizard::{Live, Stage, TestMessage, Wizard, WizardAction};
use crate::account::store::Accounts;
use crate::account::{Account, AccountId, AuthMethod};
use crate::secret::Secret;
use crate::detect::{Candidate, Detection};
use crate::explain::{Explain, Explanation};
use crate::instance::Request;
use crate::oauth::Issuers;
use crate::runtime::{Command, Core, Event, OutboxView, Ticket, outcome_of};

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum View {
    /// Accounts: the list, the wizard, the form.
    #[default]
    Accounts,
    /// Writing a message.
    Compose,
    /// The queue.
    Outbox,
    /// Preferences.
    Settings,
}

/// What the window remembers between runs (with its size and position, which eframe keeps).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// The last screen.
    pub view: View,
    /// The outbox filter.
    pub filter: Filter,
    /// Preferences.
    pub settings: Settings,
}

/// A message across the top of the accounts screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something worked.
    Info(String),
    /// Something failed.
    Problem(Explanation),
    /// Saving failed because no keyring service runs; the session keyring is offered.
    NoKeyring(Explanation),
}

/// Removing an account, waiting for the person's answer.
struct ConfirmRemove {
    email: String,
    /// Its messages not sent yet.
    waiting: i64,
}

/// The whole window's state.
pub struct OutpostApp {
    core: Core,
    view: View,
    settings: Settings,
    settings_applied: bool,
    accounts: Option<Result<Accounts, Explanation>>,
    /// Account id → address, for the outbox table.
    emails: HashMap<String, String>,
    wizard: Option<Wizard>,
    /// The form; with neither it nor the wizard, the welcome page shows.
    form: Option<AccountForm>,
    /// Shown above the form (why detection found nothing).
    form_notice: Option<Explanation>,
    test: Option<TestView>,
    detect: Option<DetectView>,
    next_ticket: Ticket,
    notice: Option<Notice>,
    confirm_remove: Option<ConfirmRemove>,
    saving: bool,
    compose: Option<Compose>,
    /// A draft set aside when a `mailto:` link opened another; one click brings it back.
    parked: Option<Compose>,
    compose_ticket: Option<Ticket>,
    size_limits: HashMap<AccountId, SizeLimit>,
    picker: Arc<dyn FilePicker>,
    picking: Option<Pending>,
    outbox: Option<Arc<OutboxView>>,
    outbox_problem: Option<Explanation>,
    outbox_screen: OutboxScreen,
    /// What the background sender did last, for the status line.
    sender_status: String,
    /// Requests from later starts of Outpost (show the window, open a link).
    requests: Option<std::sync::mpsc::Receiver<Request>>,
    /// Bring the window forward on the next frame.
    bring_forward: bool,
    /// The sign-in providers (OAuth2) and their client ids.
    issuers: Option<Issuers>,
    /// Settings → Sign-in providers.
    providers: Providers,
    /// A sign-in through the browser, under way or ended.
    signin: Option<SignInView>,
}

impl OutpostApp {
    /// A window driven by `core`, starting from defaults.
    pub fn new(core: Core) -> Self {
        Self::restore(core, Remembered::default())
    }

    /// A window driven by `core`, as it was left.
    pub fn restore(core: Core, remembered: Remembered) -> Self {
        Self {
            core,
            view: remembered.view,
            settings: remembered.settings,
            settings_applied: false,
            accounts: None,
            emails: HashMap::new(),
            wizard: None,
            form: None,
            form_notice: None,
            test: None,
            detect: None,
            next_ticket: 1,
            notice: None,
            confirm_remove: None,
            saving: false,
            compose: None,
            parked: None,
            compose_ticket: None,
            size_limits: HashMap::new(),
            picker: Arc::new(NativePicker),
            picking: None,
            outbox: None,
            outbox_problem: None,
            outbox_screen: OutboxScreen::with_filter(remembered.filter),
            sender_status: "Nothing to send.".into(),
            requests: None,
            bring_forward: false,
            issuers: None,
            providers: Providers::default(),
            signin: None,
        }
    }

    /// Takes requests from later starts (see [`crate::instance`]) on `requests`.
    pub fn with_requests(mut self, requests: std::sync::mpsc::Receiver<Request>) -> Self {
        self.requests = Some(requests);
        self
    }

    /// Does what a start asked: the window comes forward; a `mailto:` link opens compose.
    pub fn handle(&mut self, request: Request) {
        if let Request::Compose(link) = request {
            self.open_mailto(&link);
        }
        self.bring_forward = true;
    }

    /// Opens compose with a `mailto:` link; a draft being written is set aside, not lost.
    fn open_mailto(&mut self, link: &str) {
        let from = self.accounts_ok().and_then(|a| a.default.clone());
        let mut c = Compose::new(from);
        match crate::mailto::parse(link) {
            Ok(m) => {
                c.to = m.to.join(", ");
                c.cc = m.cc.join(", ");
                c.bcc = m.bcc.join(", ");
                c.subject = m.subject;
                c.body = m.body;
                if !m.ignored.is_empty() {
                    c.error = Some(Explanation {
                        problem: format!(
                            "The link also asked for {}; Outpost ignored it.",
                            m.ignored.join(", ")
                        ),
                        advice: "Links never attach files or set other headers; attach files \
                                 yourself if you meant to."
                            .into(),
                    });
                }
            }
            Err(e) => c.error = Some(e.explain()),
        }
        if let Some(current) = self.compose.take().filter(|c| !c.is_empty()) {
            self.parked = Some(current);
        }
        self.open_compose(c);
    }

    /// Uses `picker` instead of the desktop's file chooser (tests, other platforms).
    pub fn with_file_picker(mut self, picker: Arc<dyn FilePicker>) -> Self {
        self.picker = picker;
        self
    }

    /// What to remember of this window.
    pub fn remembered(&self) -> Remembered {
        Remembered {
            view: self.view,
            filter: self.outbox_screen.filter,
            settings: self.settings.clone(),
        }
    }

    fn ticket(&mut self) -> Ticket {
        let t = self.next_ticket;
        self.next_ticket += 1;
        t
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Accounts(accounts) => {
                let first_run =
                    self.accounts.is_none() && matches!(&accounts, Ok(a) if a.accounts.is_empty());
                if let Ok(a) = &accounts {
                    self.emails = a
                        .accounts
                        .iter()
                        .map(|a| (a.id.as_str().to_string(), a.email.clone()))
                        .collect();
                }
                self.accounts = Some(accounts);
                if first_run && self.form.is_none() && self.wizard.is_none() {
                    self.view = View::Accounts;
                    self.wizard = Some(Wizard::default());
                }
            }
            Event::Saved(result) => self.saved(result),
            Event::Removed(result) => match result {
                Ok((account, secret_problem)) => {
                    self.form = None;
                    self.test = None;
                    self.notice = Some(match secret_problem {
                        None => Notice::Info(format!("Removed {}.", account.email)),
                        Some(e) => Notice::Problem(Explanation {
                            problem: format!(
                                "Removed {}, but its password may remain in the keyring: {}",
                                account.email, e.problem
                            ),
                            advice: e.advice,
                        }),
                    });
                }
                Err(e) => self.notice = Some(Notice::Problem(e)),
            },
            Event::TestProgress { ticket, progress } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.apply(progress);
                }
            }
            Event::TestDone { ticket, report } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.outcome = Some(outcome_of(&report));
                }
            }
            Event::DetectProgress { ticket, progress } => {
                if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket) {
                    d.apply(progress);
                }
            }
            Event::DetectDone { ticket, result } => {
                if self.detect.as_ref().is_some_and(|d| d.ticket == ticket) {
                    self.detected(result.map_err(|f| f.error.explain()));
                }
            }
            Event::Worker(e) => self.sender_status = sender_status(&e),
            Event::WorkerStopped(e) => self.sender_status = format!("{} {}", e.problem, e.advice),
            Event::NotStarted { ticket, error } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.outcome = Some(Err(error));
                } else if self.detect.as_ref().is_some_and(|d| d.ticket == ticket) {
                    self.detected(Err(error));
                }
            }
            Event::Outbox(view) => {
                self.outbox_problem = None;
                self.outbox_screen.refreshed();
                if let Some(id) = self.outbox_screen.selected {
                    self.core.send(Command::Detail { id });
                }
                self.outbox = Some(view);
            }
            Event::Rows(rows) => {
                self.outbox_screen.rows_arrived(rows);
            }
            Event::OutboxUnreadable(e) => self.outbox_problem = Some(e),
            Event::Queued { ticket, result } => {
                if self.compose_ticket == Some(ticket) {
                    self.compose_ticket = None;
                    match result {
                        Ok(q) => {
                            // A draft set aside for a mailto: link is there again in Write.
                            self.compose = self.parked.take();
                            self.view = View::Outbox;
                            self.outbox_screen.notice = Some(Ok(format!(
                                "Message #{} queued ({}); it is sent in the background.",
                                q.id,
                                super::compose::human_size(q.size as u64)
                            )));
                            self.select_message(q.id);
                        }
                        Err(e) => {
                            if let Some(c) = &mut self.compose {
                                c.sending = false;
                                c.error = Some(e);
                            }
                        }
                    }
                } else if let Some(w) = &mut self.wizard
                    && w.test_message == Some(TestMessage::Queueing(ticket))
                {
                    w.test_message = Some(match result {
                        Ok(q) => TestMessage::Queued(q.id),
                        Err(e) => TestMessage::Refused(e),
                    });
                }
            }
            Event::Acted(result) => self.outbox_screen.notice = Some(result),
            Event::Detail(result) => self.outbox_screen.detail = Some(result),
            Event::Reopened(result) => match result {
                Ok(draft) => {
                    let from = self
                        .accounts_ok()
                        .and_then(|a| a.by_email(&draft.from).map(|acc| acc.id.clone()));
                    self.open_compose(Compose::from_draft(draft, from));
                }
                Err(e) => self.outbox_screen.notice = Some(Err(e)),
            },
            Event::Issuers(Ok(issuers)) => {
                self.providers.sync(&issuers);
                self.issuers = Some(issuers);
            }
            Event::Issuers(Err(e)) => self.providers.notice = Some(Err(e)),
            Event::ClientSaved(result) => self.providers.notice = Some(result),
            Event::SignIn { ticket, state } => {
                let view = self.signin.as_mut().filter(|v| v.ticket == ticket);
                if let Some(secret) = view.and_then(|v| v.apply(state)) {
                    self.signed_in(secret);
                }
            }
            Event::ServerSize { account, result } => {
                let limit = match result {
                    Ok(Some(0)) | Ok(None) => SizeLimit::None,
                    Ok(Some(n)) => SizeLimit::Bytes(n),
                    Err(e) => SizeLimit::Unknown(e.problem.trim_end_matches('.').to_string()),
                };
                self.size_limits.insert(account, limit);
            }
        }
    }

    fn accounts_ok(&self) -> Option<&Accounts> {
        match &self.accounts {
            Some(Ok(a)) => Some(a),
            _ => None,
        }
    }

    fn saved(&mut self, result: Result<Account, crate::runtime::SaveFailure>) {
        self.saving = false;
        if let Some(w) = self.wizard.as_mut().filter(|w| w.saving) {
            w.saving = false;
            match result {
                Ok(account) => {
                    w.saved = Some(account);
                    w.stage = Stage::Done;
                }
                Err(f) if f.keyring_unavailable => {
                    self.notice = Some(Notice::NoKeyring(f.explanation))
                }
                Err(f) => self.notice = Some(Notice::Problem(f.explanation)),
            }
            return;
        }
        match result {
            Ok(account) => {
                self.notice = Some(Notice::Info(format!("Saved {}.", account.email)));
                self.form = Some(AccountForm::edit(&account));
                self.form_notice = None;
            }
            Err(f) if f.keyring_unavailable => self.notice = Some(Notice::NoKeyring(f.explanation)),
            Err(f) => self.notice = Some(Notice::Problem(f.explanation)),
        }
    }

    /// Detection ended: the wizard reviews what was found; with nothing found, the manual
    /// form opens pre-filled with the usual guess and says why.
    fn detected(&mut self, result: Result<Detection, Explanation>) {
        if let Some(d) = &mut self.detect {
            match &result {
                Ok(found) => d.found = Some(found.clone()),
                Err(e) => d.failure = Some(e.clone()),
            }
        }
        if let Some(w) = self.wizard.as_mut().filter(|w| w.stage == Stage::Finding) {
            match result {
                Ok(_) => w.found(&result),
                Err(e) => {
                    let form = manual_form(w);
                    self.wizard = None;
                    self.form = Some(form);
                    self.form_notice = Some(e);
                }
            }
        } else if let Some(form) = &mut self.form {
            match result {
                Ok(found) => apply_candidate(form, &found.chosen, &found),
                Err(_) => {
                    if form.host.trim().is_empty()
                        && let Ok(t) = crate::detect::parse_address(&form.email)
                    {
                        form.host = format!("smtp.{}", t.domain);
                    }
                }
            }
        }
    }

    fn start_test(&mut self, account: Account, secret: Option<Secret>) {
        let ticket = self.ticket();
        self.test = Some(TestView::new(ticket));
        self.core.send(Command::Test {
            ticket,
            account,
            secret,
        });
    }

    fn cancel_test(&mut self) {
        if let Some(t) = self.test.as_mut().filter(|t| t.running()) {
            self.core.send(Command::CancelTest { ticket: t.ticket });
            t.outcome = Some(Err(Explanation {
                problem: "The test was cancelled.".into(),
                advice: "Press Test connection to start it again.".into(),
            }));
        }
    }

    fn start_detect(&mut self, email: String) {
        self.cancel_detect();
        let ticket = self.ticket();
        let options = self.settings.detect_options();
        self.detect = Some(DetectView::new(ticket, options.deadline));
        self.core.send(Command::Detect {
            ticket,
            email,
            options,
        });
    }

    fn cancel_detect(&mut self) {
        if let Some(old) = self.detect.take() {
            self.core.send(Command::CancelTest { ticket: old.ticket });
        }
    }

    fn on_wizard(&mut self, action: WizardAction) {
        let Some(w) = &mut self.wizard else { return };
        match action {
            WizardAction::Find => {
                w.stage = Stage::Finding;
                w.notice = None;
                let email = w.email.trim().to_string();
                self.start_detect(email);
            }
            WizardAction::CancelFind => {
                w.stage = Stage::Identity;
                w.notice = Some(
                    "The search was cancelled. Continue to search again, or set up \
                                 the account manually."
                        .into(),
                );
                self.cancel_detect();
            }
            WizardAction::EditManually => {
                let mut form = manual_form(w);
                if let (Some(c), Some(found)) = (
                    w.settings.clone(),
                    self.detect.as_ref().and_then(|d| d.found.clone()),
                ) {
                    apply_candidate(&mut form, &c, &found);
                    form.trust_confirmed = w.trust_confirmed;
                }
                if form.auth == AuthMethod::Oauth2 {
                    // The form keeps a sign-in where it keeps a password.
                    form.password = w
                        .grant
                        .as_ref()
                        .map_or_else(String::new, |g| g.expose().to_string());
                }
                self.wizard = None;
                self.cancel_test();
                self.form = Some(form);
            }
            WizardAction::Verify => {
                if let Some(account) = w.account() {
                    let s = &account.smtp;
                    w.tried.push((s.host.clone(), s.port, s.security));
                    w.stage = Stage::Verify;
                    let secret = w.secret();
                    self.start_test(account, secret);
                }
            }
            WizardAction::SignIn(a) => self.on_signin(a),
            WizardAction::CancelVerify => {
                w.stage = Stage::Review;
                self.cancel_test();
            }
            WizardAction::Save => {
                if let Some(account) = w.account() {
                    w.saving = true;
                    let secret = w.secret();
                    self.notice = None;
                    self.core.send(Command::Save { account, secret });
                }
            }
            WizardAction::SendTestMessage => {
                if let Some(account) = w.saved.clone() {
                    let ticket = self.next_ticket;
                    self.next_ticket += 1;
                    w.test_message = Some(TestMessage::Queueing(ticket));
                    let draft = crate::message::Draft {
                        from: account.email.clone(),
                        from_name: account.display_name.clone(),
                        to: vec![account.email.clone()],
                        subject: "Outpost test message".into(),
                        body: format!(
                            "This message was sent by Outpost to check that {} can send mail \
                             through {}:{}.\n\nIf you can read it, everything works.\n",
                            account.email, account.smtp.host, account.smtp.port
                        ),
                        ..Default::default()
                    };
                    self.core.send(Command::Queue {
                        ticket,
                        account,
                        draft,
                    });
                }
            }
            WizardAction::Finish => {
                let saved = w.saved.clone();
                self.wizard = None;
                self.test = None;
                self.detect = None;
                self.form = saved.as_ref().map(AccountForm::edit);
            }
        }
    }

    fn on_form(&mut self, action: FormAction) {
        let Some(form) = &self.form else { return };
        match action {
            FormAction::Save => {
                if let Some(account) = form.account() {
                    let secret = Some(form.password.clone())
                        .filter(|p| !p.is_empty() && account.smtp.auth.needs_secret())
                        .map(Secret::new);
                    self.saving = true;
                    self.notice = None;
                    self.core.send(Command::Save { account, secret });
                }
            }
            FormAction::Test => {
                if let Some(account) = form.account() {
                    let secret = Some(form.password.clone())
                        .filter(|p| !p.is_empty())
                        .map(Secret::new);
                    self.start_test(account, secret);
                }
            }
            FormAction::CancelTest => self.cancel_test(),
            FormAction::Remove => {
                let email = form.email.trim().to_string();
                let id = form.editing.as_ref().map(|i| i.as_str().to_string());
                let waiting = match (&self.outbox, id) {
                    (Some(view), Some(id)) => view.waiting_for(&id),
                    _ => 0,
                };
                self.confirm_remove = Some(ConfirmRemove { email, waiting });
            }
            FormAction::Detect => {
                let email = form.email.trim().to_string();
                self.start_detect(email);
            }
            FormAction::SignIn(a) => self.on_signin(a),
            FormAction::UseAlternative(i) => {
                let found = self.detect.as_ref().and_then(|d| d.found.clone());
                if let (Some(found), Some(form)) = (found, self.form.as_mut())
                    && let Some(alt) = found.alternatives.get(i)
                {
                    apply_candidate(form, alt, &found);
                }
            }
        }
    }

    /// The sign-in panel of the wizard or the form.
    fn on_signin(&mut self, action: SignInAction) {
        let target = match (&self.wizard, &self.form) {
            (Some(w), _) => w
                .settings
                .as_ref()
                .map(|c| (w.email.trim().to_string(), c.smtp.host.clone())),
            (None, Some(f)) => Some((f.email.trim().to_string(), f.host.trim().to_string())),
            (None, None) => None,
        };
        match action {
            SignInAction::Start => {
                let Some((email, host)) = target else { return };
                self.cancel_signin();
                let ticket = self.ticket();
                let provider = self
                    .issuers
                    .as_ref()
                    .and_then(|i| i.for_host(&host))
                    .map_or_else(|| host.clone(), |i| i.name.clone());
                self.signin = Some(SignInView::new(ticket, &provider));
                self.core.send(Command::SignIn {
                    ticket,
                    email,
                    host,
                });
            }
            SignInAction::Cancel => self.cancel_signin(),
            SignInAction::UsePassword => {
                self.cancel_signin();
                self.signin = None;
                if let Some(w) = &mut self.wizard {
                    w.use_password();
                } else if let Some(f) = &mut self.form {
                    f.auth = AuthMethod::Password;
                    f.password.clear();
                }
            }
            SignInAction::OpenSettings => self.view = View::Settings,
        }
    }

    fn cancel_signin(&mut self) {
        if let Some(v) = self.signin.as_mut().filter(|v| v.running()) {
            self.core.send(Command::CancelTest { ticket: v.ticket });
            v.cancel();
        }
    }

    /// The browser came back signed in: the wizard checks the connection with it at once;
    /// the form keeps it to save and tests it.
    fn signed_in(&mut self, secret: Secret) {
        if let Some(w) = &mut self.wizard {
            w.grant = Some(secret);
            self.on_wizard(WizardAction::Verify);
        } else if let Some(f) = &mut self.form {
            f.password = secret.expose().to_string();
            self.on_form(FormAction::Test);
        }
    }

    fn on_list(&mut self, action: ListAction) {
        match action {
            ListAction::Add => {
                self.leave_account_screen();
                self.wizard = Some(Wizard::default());
            }
            ListAction::Select(id) => {
                if let Some(a) = self.accounts_ok().and_then(|a| a.by_id(&id)).cloned() {
                    self.leave_account_screen();
                    self.form = Some(AccountForm::edit(&a));
                }
            }
            ListAction::MakeDefault(id) => self.core.send(Command::SetDefault { id }),
        }
    }

    /// Stops what the wizard or the form had running, and closes them.
    fn leave_account_screen(&mut self) {
        self.cancel_signin();
        self.signin = None;
        self.cancel_test();
        self.test = None;
        self.cancel_detect();
        self.notice = None;
        self.form_notice = None;
        self.wizard = None;
        self.form = None;
    }

    fn open_compose(&mut self, compose: Compose) {
        if let Some(id) = &compose.from {
            self.want_size_limit(id.clone());
        }
        self.compose = Some(compose);
        self.view = View::Compose;
    }

    fn want_size_limit(&mut self, id: AccountId) {
        if self.size_limits.contains_key(&id) {
            return;
        }
        if let Some(account) = self.accounts_ok().and_then(|a| a.by_id(&id)).cloned() {
            self.size_limits.insert(id, SizeLimit::Asking);
            self.core.send(Command::ServerSize { account });
        }
    }

    fn on_compose(&mut self, action: ComposeAction) {
        match action {
            ComposeAction::Send => {
                let Some(c) = &mut self.compose else { return };
                let account = c
                    .from
                    .as_ref()
                    .and_then(|id| self.accounts.as_ref()?.as_ref().ok()?.by_id(id))
                    .cloned();
                if let Some(account) = account {
                    let draft = c.draft(&account);
                    c.sending = true;
                    c.error = None;
                    let ticket = self.next_ticket;
                    self.next_ticket += 1;
                    self.compose_ticket = Some(ticket);
                    self.core.send(Command::Queue {
                        ticket,
                        account,
                        draft,
                    });
                }
            }
            ComposeAction::PickFiles => {
                if self.picking.is_none() {
                    self.picking = Some(Pending::start(self.picker.clone()));
                }
            }
            ComposeAction::Discard => {
                self.compose = self.parked.take();
                if self.compose.is_none() {
                    self.view = View::Outbox;
                }
            }
            ComposeAction::AccountChanged(id) => self.want_size_limit(id),
        }
    }

    fn select_message(&mut self, id: i64) {
        self.outbox_screen.selected = Some(id);
        self.outbox_screen.detail = None;
        self.core.send(Command::Detail { id });
    }

    fn on_outbox(&mut self, action: OutboxAction) {
        match action {
            OutboxAction::Select(id) => self.select_message(id),
            OutboxAction::Act(id, a) => {
                self.outbox_screen.notice = None;
                if a == crate::runtime::MessageAction::Delete {
                    self.outbox_screen.selected = None;
                    self.outbox_screen.detail = None;
                }
                self.core.send(Command::Act { id, action: a });
            }
            OutboxAction::EditAndResend(id) => {
                self.outbox_screen.notice = None;
                self.core.send(Command::Reopen { id });
            }
            OutboxAction::OpenAccount(id) => {
                let account = self
                    .accounts_ok()
                    .and_then(|a| a.accounts.iter().find(|a| a.id.as_str() == id))
                    .map(|a| a.id.clone());
                if let Some(account) = account {
                    self.view = View::Accounts;
                    self.on_list(ListAction::Select(account));
                }
            }
        }
    }

    /// Applies the remembered settings once, and follows changes made by keyboard zoom.
    fn sync_settings(&mut self, ui: &Ui) {
        let ctx = ui.ctx();
        if !self.settings_applied {
            self.settings_applied = true;
            self.apply_settings(ctx);
        } else if (ctx.zoom_factor() - self.settings.zoom).abs() > f32::EPSILON {
            self.settings.zoom = ctx.zoom_factor();
        }
    }

    fn apply_settings(&self, ctx: &egui::Context) {
        ctx.set_theme(self.settings.theme);
        ctx.set_zoom_factor(self.settings.zoom);
        self.core
            .send(Command::Notifications(self.settings.notify_failures));
    }

    /// Draws the window's contents; call once per frame.
    pub fn show(&mut self, ui: &mut Ui) {
        while let Some(event) = self.core.try_recv() {
            self.apply(event);
        }
        while let Some(r) = self.requests.as_ref().and_then(|r| r.try_recv().ok()) {
            self.handle(r);
        }
        if std::mem::take(&mut self.bring_forward) {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        self.sync_settings(ui);
        if let Some(p) = &self.picking {
            match p.poll() {
                None => ui
                    .ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100)),
                Some(picked) => {
                    self.picking = None;
                    if let Some(c) = &mut self.compose {
                        match picked {
                            Picked::Files(files) => {
                                c.dialog_problem = None;
                                c.add_files(files);
                            }
                            Picked::Cancelled => {}
                            Picked::Unavailable(why) => c.dialog_problem = Some(why),
                        }
                    }
                }
            }
        }
        let dropped = ui.input(|i| !i.raw.dropped_files.is_empty());
        if dropped && self.view != View::Compose {
            // Files dropped anywhere start a message with them (compose reads the drop).
            let from = self.accounts_ok().and_then(|a| a.default.clone());
            let compose = self.compose.take().unwrap_or_else(|| Compose::new(from));
            self.open_compose(compose);
        }
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::N)) {
            self.new_message();
        }
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        egui::Panel::top("title").show(ui, |ui| self.nav(ui));
        match self.view {
            View::Accounts => self.accounts_screen(ui),
            View::Compose => {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| self.compose_screen(ui));
                });
            }
            View::Outbox => {
                if let Some(a) = self.outbox_screen.show_details(ui, &self.emails) {
                    self.on_outbox(a);
                }
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    if let Some(e) = &self.outbox_problem {
                        widgets::explanation(ui, e);
                    }
                    let action = self
                        .outbox_screen
                        .show(ui, self.outbox.as_ref(), &self.emails);
                    let wanted = self.outbox_screen.take_wanted();
                    if !wanted.is_empty() {
                        self.core.send(Command::Rows(wanted));
                    }
                    if let Some(a) = action {
                        self.on_outbox(a);
                    }
                });
            }
            View::Settings => {
                egui::CentralPanel::default_margins().show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        if self.settings.show(ui) {
                            self.apply_settings(ui.ctx());
                        }
                        ui.add_space(10.0);
                        if let Some(save) = self.providers.show(ui, self.issuers.as_ref()) {
                            self.core.send(Command::SetClient {
                                provider: save.provider,
                                client_id: save.client_id,
                                client_secret: save.client_secret,
                            });
                        }
                    });
                });
            }
        }
        self.confirm_dialog(ui);
    }

    fn new_message(&mut self) {
        match self.compose.take() {
            Some(c) => self.open_compose(c),
            None => {
                let from = self.accounts_ok().and_then(|a| {
                    a.default
                        .clone()
                        .or_else(|| a.accounts.first().map(|a| a.id.clone()))
                });
                self.open_compose(Compose::new(from));
            }
        }
    }

    fn nav(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.heading("Outpost");
            ui.add_space(16.0);
            let waiting = self
                .outbox
                .as_ref()
                .map_or(0, |v| Filter::Waiting.count_in(v));
            let outbox = if waiting > 0 {
                format!("Outbox ({waiting} waiting)")
            } else {
                "Outbox".into()
            };
            for (view, label) in [
                (View::Accounts, "Accounts".to_string()),
                (View::Compose, "Write".to_string()),
                (View::Outbox, outbox),
                (View::Settings, "Settings".to_string()),
            ] {
                if ui.selectable_label(self.view == view, label).clicked() {
                    if view == View::Compose {
                        self.new_message();
                    } else {
                        self.view = view;
                    }
                }
            }
        });
    }

    fn status_line(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            match &self.outbox {
                Some(v) if !v.offline.is_empty() => {
                    ui.label(
                        RichText::new("• Offline: messages wait for the network")
                            .color(ui.visuals().warn_fg_color),
                    );
                }
                Some(_) => {
                    ui.label(RichText::new("• Online").color(widgets::ok_color(ui)));
                }
                None => {}
            }
            ui.separator();
            ui.label(RichText::new(format!("Outbox: {}", self.sender_status)).weak());
        });
    }

    fn compose_screen(&mut self, ui: &mut Ui) {
        let Some(Ok(accounts)) = &self.accounts else {
            ui.spinner();
            return;
        };
        if accounts.accounts.is_empty() {
            ui.heading("New message");
            ui.label("Add an account first: Outpost needs one to send from.");
            if ui.button("Add account").clicked() {
                self.view = View::Accounts;
                self.on_list(ListAction::Add);
            }
            return;
        }
        if self.parked.is_some() {
            ui.horizontal(|ui| {
                ui.label(RichText::new("Your earlier draft is set aside.").weak());
                if ui.button("Switch to the earlier draft").clicked() {
                    std::mem::swap(&mut self.compose, &mut self.parked);
                }
            });
        }
        let mut compose = self.compose.take().unwrap_or_default();
        let limit = compose
            .from
            .as_ref()
            .and_then(|id| self.size_limits.get(id));
        let action = compose.show(ui, accounts, limit);
        self.compose = Some(compose);
        if let Some(a) = action {
            self.on_compose(a);
        }
    }

    fn accounts_screen(&mut self, ui: &mut Ui) {
        let selected = self.form.as_ref().and_then(|f| f.editing.clone());
        let mut list_action = None;
        egui::Panel::left("accounts")
            .resizable(true)
            .default_size(240.0)
            .min_size(200.0)
            .show(ui, |ui| match &self.accounts {
                None => {
                    ui.spinner();
                }
                Some(Ok(accounts)) => {
                    list_action = accounts::show(ui, accounts, selected.as_ref());
                }
                Some(Err(e)) => widgets::explanation(ui, e),
            });
        if let Some(a) = list_action {
            self.on_list(a);
        }
        egui::CentralPanel::default_margins().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.account_content(ui));
        });
    }

    fn account_content(&mut self, ui: &mut Ui) {
        match &self.notice {
            Some(Notice::Info(text)) => {
                ui.label(RichText::new(text).color(widgets::ok_color(ui)));
                ui.add_space(6.0);
            }
            Some(Notice::Problem(e)) => {
                widgets::explanation(ui, e);
                ui.add_space(6.0);
            }
            Some(Notice::NoKeyring(e)) => {
                widgets::explanation(ui, e);
                if ui
                    .button("Keep the password for this session only")
                    .clicked()
                {
                    if let Some(w) = &mut self.wizard {
                        w.session_only = true;
                        self.on_wizard(WizardAction::Save);
                    } else if let Some(form) = &mut self.form {
                        form.session_only = true;
                        self.on_form(FormAction::Save);
                    }
                }
                ui.add_space(6.0);
            }
            None => {}
        }
        if let Some(w) = &mut self.wizard {
            let live = Live {
                detect: self.detect.as_ref(),
                test: self.test.as_ref(),
                signin: self.signin.as_ref(),
                issuers: self.issuers.as_ref(),
            };
            if let Some(a) = w.show(ui, live) {
                self.on_wizard(a);
            }
            return;
        }
        let testing = self.test.as_ref().is_some_and(TestView::running);
        let saving = self.saving;
        let Some(form) = &mut self.form else {
            ui.heading("Welcome to Outpost");
            ui.label("Choose an account on the left, or add one to start sending.");
            if ui.button("Add account").clicked() {
                self.on_list(ListAction::Add);
            }
            return;
        };
        if let Some(e) = &self.form_notice {
            widgets::explanation(ui, e);
            ui.label("The usual settings are filled in below; check them with your provider.");
            ui.add_space(8.0);
        }
        let live = FormLive {
            testing,
            busy: saving,
            issuers: self.issuers.as_ref(),
            signin: self.signin.as_ref(),
        };
        let action = form.show(ui, live);
        if let Some(d) = &self.detect {
            ui.add_space(10.0);
            ui.separator();
            ui.heading("Finding settings");
            widgets::sources(ui, &d.sources);
            if let Some(e) = d.failure.as_ref().filter(|_| self.form_notice.is_none()) {
                widgets::explanation(ui, e);
            }
        }
        if let Some(t) = &self.test {
            ui.add_space(12.0);
            ui.separator();
            ui.heading("Connection test");
            widgets::steps(ui, &t.steps);
            match &t.outcome {
                Some(Ok(())) => {
                    ui.label(
                        RichText::new("All steps passed: this account can send mail.")
                            .color(widgets::ok_color(ui))
                            .strong(),
                    );
                }
                Some(Err(e)) if t.failed_step().is_none() => widgets::explanation(ui, e),
                _ => {}
            }
        }
        if let Some(a) = action {
            self.on_form(a);
        }
    }

    fn confirm_dialog(&mut self, ui: &mut Ui) {
        let Some(c) = &self.confirm_remove else {
            return;
        };
        let (email, waiting) = (c.email.clone(), c.waiting);
        let mut close = false;
        egui::Modal::new(egui::Id::unique("confirm-remove")).show(ui.ctx(), |ui| {
            ui.heading(format!("Remove {email}?"));
            ui.label("Its settings and its password in the keyring will be deleted.");
            if waiting > 0 {
                ui.label(
                    RichText::new(format!(
                        "{waiting} message(s) from this account are still waiting to be sent; \
                         removing it cancels them."
                    ))
                    .color(widgets::error_color(ui)),
                );
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let remove = if waiting > 0 {
                    format!("Remove and cancel {waiting} message(s)")
                } else {
                    "Remove".into()
                };
                if ui.button(remove).clicked() {
                    self.core.send(Command::Remove {
                        email: email.clone(),
                    });
                    close = true;
                }
                if ui.button("Keep it").clicked() {
                    close = true;
                }
            });
        });
        if close {
            self.confirm_remove = None;
        }
    }
}

/// The manual form, filled with what the wizard knows (and the usual server guess).
fn manual_form(w: &Wizard) -> AccountForm {
    let mut form = AccountForm {
        email: w.email.trim().to_string(),
        username: w.email.trim().to_string(),
        name: w.name.clone(),
        password: w.password.clone(),
        session_only: w.session_only,
        ..Default::default()
    };
    if let Ok(t) = crate::detect::parse_address(&w.email) {
        form.host = format!("smtp.{}", t.domain);
    }
    form
}

/// Fills the form with one of detection's candidates, saying where it came from.
fn apply_candidate(form: &mut AccountForm, c: &Candidate, found: &Detection) {
    form.host = c.smtp.host.clone();
    form.port = c.smtp.port.to_string();
    form.security = c.smtp.security;
    form.username = c.smtp.username.clone();
    form.auth = c.smtp.auth;
    let chosen = c.key() == found.chosen.key();
    let mut warnings = c.warnings.clone();
    if chosen {
        warnings = found.warnings.clone();
    }
    form.detected = Some(Detected {
        source: c.origin(),
        trusted: if chosen { found.trusted } else { c.trusted },
        warnings,
        alternatives: found
            .alternatives
            .iter()
            .map(|a| format!("{} from {}", a.describe(), a.source.label()))
            .collect(),
    });
    form.trust_confirmed = false;
}

fn sender_status(e: &crate::outbox::worker::WorkerEvent) -> String {
    use crate::outbox::worker::WorkerEvent as W;
    match e {
        W::Sending(id) => format!("sending message #{id}…"),
        W::Sent { id, .. } => format!("message #{id} sent."),
        W::Retry { id, reason, .. } => format!("message #{id} will be retried ({reason})."),
        W::Failed { id, reason } => format!("message #{id} failed: {reason}"),
        W::RecipientRefused { id, recipient, .. } => {
            format!("message #{id}: {recipient} was refused.")
        }
        W::Paused { reason, .. } => format!("sending paused: {reason}"),
    }
}

impl eframe::App for OutpostApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.remembered());
    }
}
