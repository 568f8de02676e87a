//! The application: routes between the account list and the form, turns clicks into core
//! commands, and folds core events into view state. It never touches the network, the disk or
//! the keyring itself.

use egui::{RichText, Ui};

use super::account_form::{AccountForm, Detected, FormAction};
use super::accounts::{self, ListAction};
use super::widgets::{self, StepView};
use crate::account::store::Accounts;
use crate::account::verify::{Progress, Report};
use crate::account::{AccountId, Secret};
use crate::detect::{Candidate, Detection, Progress as DetectProgress, Source, SourceReport};
use crate::diagnose::Explain;
use crate::diagnose::Explanation;
use crate::runtime::{Command, Core, Event, Ticket};

/// A check shown under the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestView {
    /// The check's ticket.
    pub ticket: Ticket,
    /// Its steps so far.
    pub steps: Vec<StepView>,
    /// How it ended, once it has.
    pub outcome: Option<Result<(), Explanation>>,
}

/// A detection shown with the form.
#[derive(Debug, Clone)]
pub struct DetectView {
    /// The detection's ticket.
    pub ticket: Ticket,
    /// Sources started, and their reports once finished.
    pub sources: Vec<(Source, Option<SourceReport>)>,
    /// What it found.
    pub found: Option<Detection>,
    /// Why it found nothing.
    pub failure: Option<Explanation>,
}

/// A message across the top of the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Something worked.
    Info(String),
    /// Something failed.
    Problem(Explanation),
    /// Saving failed because no keyring service runs; the session keyring is offered.
    NoKeyring(Explanation),
}

/// The whole window's state.
pub struct OutpostApp {
    core: Core,
    accounts: Option<Result<Accounts, Explanation>>,
    /// The form; `None` shows the welcome page.
    form: Option<AccountForm>,
    test: Option<TestView>,
    detect: Option<DetectView>,
    next_ticket: Ticket,
    notice: Option<Notice>,
    confirm_remove: Option<String>,
    saving: bool,
    /// What the background sender did last, for the status line.
    sender_status: String,
}

impl OutpostApp {
    /// A window driven by `core`.
    pub fn new(core: Core) -> Self {
        Self {
            core,
            accounts: None,
            form: None,
            test: None,
            detect: None,
            next_ticket: 1,
            notice: None,
            confirm_remove: None,
            saving: false,
            sender_status: "Outbox: nothing to send.".into(),
        }
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Accounts(accounts) => {
                let first_run =
                    self.accounts.is_none() && matches!(&accounts, Ok(a) if a.accounts.is_empty());
                self.accounts = Some(accounts);
                if first_run && self.form.is_none() {
                    self.form = Some(AccountForm::default());
                }
            }
            Event::Saved(result) => {
                self.saving = false;
                match result {
                    Ok(account) => {
                        self.notice = Some(Notice::Info(format!("Saved {}.", account.email)));
                        self.form = Some(AccountForm::edit(&account));
                    }
                    Err(f) if f.keyring_unavailable => {
                        self.notice = Some(Notice::NoKeyring(f.explanation))
                    }
                    Err(f) => self.notice = Some(Notice::Problem(f.explanation)),
                }
            }
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
                    match progress {
                        Progress::Started(step) => t.steps.push(StepView::Running(step)),
                        Progress::Finished(rec) => {
                            let running = StepView::Running(rec.step);
                            match t.steps.iter().rposition(|s| *s == running) {
                                Some(i) => t.steps[i] = StepView::Done(rec),
                                None => t.steps.push(StepView::Done(rec)),
                            }
                        }
                    }
                }
            }
            Event::TestDone { ticket, report } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.outcome = Some(outcome(&report));
                }
            }
            Event::DetectProgress { ticket, progress } => {
                if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket) {
                    match progress {
                        DetectProgress::Started(source) => d.sources.push((source, None)),
                        DetectProgress::Finished(report) => {
                            match d
                                .sources
                                .iter_mut()
                                .find(|(s, r)| *s == report.source && r.is_none())
                            {
                                Some(slot) => slot.1 = Some(report),
                                None => d.sources.push((report.source, Some(report))),
                            }
                        }
                    }
                }
            }
            Event::DetectDone { ticket, result } => {
                if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket) {
                    match *result {
                        Ok(found) => {
                            if let Some(form) = &mut self.form {
                                apply_candidate(form, &found.chosen, &found);
                            }
                            d.found = Some(found);
                        }
                        Err(f) => {
                            d.failure = Some(f.error.explain());
                            if let Some(form) = &mut self.form
                                && form.host.trim().is_empty()
                                && let Ok(t) = crate::detect::parse_address(&form.email)
                            {
                                // Nothing found: start the manual form from the usual guess.
                                form.host = format!("smtp.{}", t.domain);
                            }
                        }
                    }
                }
            }
            Event::Worker(e) => self.sender_status = sender_status(&e),
            Event::WorkerStopped(e) => {
                self.sender_status = format!("Outbox: {} {}", e.problem, e.advice)
            }
            Event::NotStarted { ticket, error } => {
                if let Some(t) = self.test.as_mut().filter(|t| t.ticket == ticket) {
                    t.outcome = Some(Err(error));
                } else if let Some(d) = self.detect.as_mut().filter(|d| d.ticket == ticket) {
                    d.failure = Some(error);
                }
            }
        }
    }

    fn testing(&self) -> bool {
        self.test.as_ref().is_some_and(|t| t.outcome.is_none())
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
                    let ticket = self.next_ticket;
                    self.next_ticket += 1;
                    self.test = Some(TestView {
                        ticket,
                        steps: vec![],
                        outcome: None,
                    });
                    self.core.send(Command::Test {
                        ticket,
                        account,
                        secret,
                    });
                }
            }
            FormAction::CancelTest => {
                if let Some(t) = &mut self.test {
                    self.core.send(Command::CancelTest { ticket: t.ticket });
                    t.outcome = Some(Err(Explanation {
                        problem: "The test was cancelled.".into(),
                        advice: "Press Test connection to start it again.".into(),
                    }));
                }
            }
            FormAction::Remove => self.confirm_remove = Some(form.email.trim().to_string()),
            FormAction::Detect => {
                if let Some(old) = self.detect.take() {
                    self.core.send(Command::CancelTest { ticket: old.ticket });
                }
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                self.detect = Some(DetectView {
                    ticket,
                    sources: vec![],
                    found: None,
                    failure: None,
                });
                self.core.send(Command::Detect {
                    ticket,
                    email: form.email.trim().to_string(),
                    options: crate::detect::Options::default(),
                });
            }
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

    fn on_list(&mut self, action: ListAction) {
        match action {
            ListAction::Add => self.open_form(AccountForm::default()),
            ListAction::Select(id) => {
                let account = self.account(&id);
                if let Some(a) = account {
                    self.open_form(AccountForm::edit(&a));
                }
            }
            ListAction::MakeDefault(id) => self.core.send(Command::SetDefault { id }),
        }
    }

    fn account(&self, id: &AccountId) -> Option<crate::account::Account> {
        match &self.accounts {
            Some(Ok(a)) => a.by_id(id).cloned(),
            _ => None,
        }
    }

    fn open_form(&mut self, form: AccountForm) {
        if let Some(t) = self.test.take().filter(|t| t.outcome.is_none()) {
            self.core.send(Command::CancelTest { ticket: t.ticket });
        }
        if let Some(d) = self.detect.take() {
            self.core.send(Command::CancelTest { ticket: d.ticket });
        }
        self.notice = None;
        self.form = Some(form);
    }

    /// Draws the window's contents; call once per frame.
    pub fn show(&mut self, ui: &mut Ui) {
        while let Some(event) = self.core.try_recv() {
            self.apply(event);
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.label(RichText::new(&self.sender_status).weak());
        });
        egui::Panel::top("title").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("Outpost");
                ui.label(RichText::new("outgoing mail").weak());
            });
        });
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
            egui::ScrollArea::vertical().show(ui, |ui| self.content(ui));
        });
        self.confirm_dialog(ui);
    }

    fn content(&mut self, ui: &mut Ui) {
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
                    && let Some(form) = &mut self.form
                {
                    form.session_only = true;
                    self.on_form(FormAction::Save);
                }
                ui.add_space(6.0);
            }
            None => {}
        }
        let testing = self.testing();
        let saving = self.saving;
        let Some(form) = &mut self.form else {
            ui.heading("Welcome to Outpost");
            ui.label("Choose an account on the left, or add one to start sending.");
            if ui.button("Add account").clicked() {
                self.open_form(AccountForm::default());
            }
            return;
        };
        let action = form.show(ui, testing, saving);
        if let Some(d) = &self.detect {
            ui.add_space(10.0);
            ui.separator();
            ui.heading("Finding settings");
            widgets::sources(ui, &d.sources);
            if let Some(e) = &d.failure {
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
                Some(Err(e)) if !t.steps.iter().any(is_failed) => widgets::explanation(ui, e),
                _ => {}
            }
        }
        if let Some(a) = action {
            self.on_form(a);
        }
    }

    fn confirm_dialog(&mut self, ui: &mut Ui) {
        let Some(email) = self.confirm_remove.clone() else {
            return;
        };
        let mut close = false;
        egui::Modal::new(egui::Id::unique("confirm-remove")).show(ui.ctx(), |ui| {
            ui.heading(format!("Remove {email}?"));
            ui.label("Its settings and its password in the keyring will be deleted.");
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Remove").clicked() {
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
        source: match &c.provider {
            Some(p) => format!("{} ({p})", c.source.label()),
            None => c.source.label().to_string(),
        },
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
        W::Sending(id) => format!("Outbox: sending message #{id}…"),
        W::Sent { id, .. } => format!("Outbox: message #{id} sent."),
        W::Retry { id, reason, .. } => format!("Outbox: message #{id} will be retried ({reason})."),
        W::Failed { id, reason } => format!("Outbox: message #{id} failed: {reason}"),
        W::RecipientRefused { id, recipient, .. } => {
            format!("Outbox: message #{id}: {recipient} was refused.")
        }
        W::Paused { reason, .. } => format!("Outbox: sending paused: {reason}"),
    }
}

fn is_failed(s: &StepView) -> bool {
    matches!(s, StepView::Done(r) if r.outcome.is_err())
}

fn outcome(report: &Report) -> Result<(), Explanation> {
    match report.failure() {
        None => Ok(()),
        Some((step, e)) => Err(crate::diagnose::verify_failure(step, e)),
    }
}

impl eframe::App for OutpostApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
