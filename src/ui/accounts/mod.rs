//! The accounts screen: the list on the side; beside it the welcome page, the wizard or the
//! form for the account being set up or edited, the live detection and check, and the
//! question before removing an account (with what becomes of its waiting messages).

mod action;
mod certificate;
mod form;
mod identities;
mod list;
mod live;
mod provider;
mod remove;
mod sent_copy;
mod setup;
mod signin;
mod trust;
mod wizard;
mod wizard_state;

use egui::{RichText, Ui};

use crate::account::{Account, AccountId};
use crate::detect::Options;
use crate::explain::{Explain, Explanation};
use crate::runtime::{Command, Event, SaveFailure, Ticket};
use crate::ui::design;
use crate::usecases::account::Removed;
use action::SetupAction;
use list::ListAction;
use remove::ConfirmRemove;
use setup::{FormNotice, Setup, SetupView};

use super::shared::{Nav, Shared};
use super::widgets;

/// A message across the top of the screen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Notice {
    /// Something worked; a second line may say more.
    Info(String, Option<String>),
    /// Something failed.
    Problem(Explanation),
    /// Saving failed because no keyring service runs; the session keyring is offered.
    NoKeyring(Explanation),
}

/// The accounts screen's state.
#[derive(Default)]
pub struct AccountsScreen {
    /// The account being set up or edited; with none, the welcome page shows.
    setup: Option<Setup>,
    notice: Option<Notice>,
    confirm_remove: Option<ConfirmRemove>,
}

impl AccountsScreen {
    /// Starts the wizard for a new account.
    pub fn add(&mut self, shared: &mut Shared) {
        self.leave(shared);
        self.setup = Some(Setup::wizard());
        if let Some(places) = shared.places.clone() {
            shared.send(Command::FindElsewhere(places));
        }
    }

    /// Opens a saved account in the form.
    pub fn open(&mut self, id: &AccountId, shared: &mut Shared) {
        if let Some(a) = shared.account(id).cloned() {
            self.leave(shared);
            self.setup = Some(Setup::edit(&a));
        }
    }

    /// Finds the settings of the account open in the form again, as its "Find settings
    /// automatically" does.
    pub fn find_again(&mut self, shared: &mut Shared, options: &Options) {
        if let Some(s) = &mut self.setup {
            s.act(SetupAction::Find, shared, options);
        }
    }

    /// Whether nothing is being set up (the first run starts the wizard then).
    pub fn is_idle(&self) -> bool {
        self.setup.is_none()
    }

    /// Stops what the wizard or the form had running, and closes them.
    fn leave(&mut self, shared: &mut Shared) {
        if let Some(mut s) = self.setup.take() {
            s.stop(shared);
        }
        self.notice = None;
    }

    /// Folds in an event of the core about accounts; any other comes back.
    pub fn apply(&mut self, event: Event, shared: &mut Shared) -> Option<Event> {
        match event {
            Event::Saved(result) => self.saved(result),
            Event::Removed(result) => self.removed(result),
            Event::FoundElsewhere(offers) => {
                if let Some(w) = self.setup.as_mut().and_then(Setup::wizard_mut) {
                    w.elsewhere = Some(offers);
                }
            }
            other => match &mut self.setup {
                Some(s) => return s.apply(other, shared),
                None => return Some(other),
            },
        }
        None
    }

    /// The wizard's test message was queued (or refused); false when it was not this one.
    pub fn queued(&mut self, ticket: Ticket, result: Result<i64, Explanation>) -> bool {
        self.setup
            .as_mut()
            .is_some_and(|s| s.queued(ticket, result))
    }

    fn saved(&mut self, result: Result<Account, SaveFailure>) {
        let Some(s) = &mut self.setup else { return };
        s.saved(&result);
        self.notice = match result {
            // Said beside the Save button (see `Setup::confirmation`), where the person looks.
            Ok(_) => None,
            Err(f) if f.keyring_unavailable => Some(Notice::NoKeyring(f.explanation)),
            Err(f) => Some(Notice::Problem(f.explanation)),
        };
    }

    fn removed(&mut self, result: Result<Removed, Explanation>) {
        self.notice = Some(match result {
            Ok(removed) => {
                self.setup = None;
                match &removed.secret_left {
                    None => Notice::Info(
                        tr!("account-removed", email = removed.account.email.as_str()),
                        removed.what_became_of_waiting(),
                    ),
                    Some(e) => {
                        let e = e.explain();
                        let mut problem = tr!(
                            "account-removed-secret-left",
                            email = removed.account.email.as_str(),
                            problem = e.problem.as_str()
                        );
                        if let Some(more) = removed.what_became_of_waiting() {
                            problem = format!("{problem} {more}");
                        }
                        Notice::Problem(Explanation {
                            problem,
                            advice: e.advice,
                        })
                    }
                }
            }
            Err(e) => Notice::Problem(e),
        });
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, shared: &mut Shared, options: &Options) -> Option<Nav> {
        let selected = self
            .setup
            .as_ref()
            .filter(|s| s.draft.is_saved())
            .map(|s| s.draft.id.clone());
        let mut list_action = None;
        egui::Panel::left("accounts")
            .resizable(true)
            .default_size(240.0)
            .min_size(200.0)
            .show(ui, |ui| match &shared.accounts {
                None => {
                    widgets::spinner(ui, &tr!("spinner-accounts"));
                }
                Some(Ok(accounts)) => list_action = list::show(ui, accounts, selected.as_ref()),
                Some(Err(e)) => widgets::explanation(ui, e),
            });
        widgets::name_divider(ui, "accounts", &tr!("divider-account-list"));
        match list_action {
            Some(ListAction::Add) => self.add(shared),
            Some(ListAction::Select(id)) => self.open(&id, shared),
            Some(ListAction::MakeDefault(id)) => shared.send(Command::SetDefault { id }),
            None => {}
        }
        let mut nav = None;
        egui::CentralPanel::default_margins().show(ui, |ui| {
            nav = widgets::scroll(ui, &tr!("scroll-account"), |ui| {
                self.content(ui, shared, options)
            });
        });
        if let Some(c) = &self.confirm_remove
            && let Some(answer) = c.ui(ui.ctx())
        {
            if let Some(command) = answer {
                shared.send(command);
            }
            self.confirm_remove = None;
        }
        nav
    }

    fn content(&mut self, ui: &mut Ui, shared: &mut Shared, options: &Options) -> Option<Nav> {
        let mut action = self.notice_ui(ui);
        let Some(setup) = &mut self.setup else {
            // Welcome only while there is no account; then the accounts are the subject.
            let some = shared.accounts_ok().is_some_and(|a| !a.accounts.is_empty());
            if some {
                ui.heading(tr!("accounts-heading"));
                ui.label(tr!("accounts-pick"));
            } else {
                ui.heading(tr!("welcome"));
                ui.label(tr!("welcome-text"));
            }
            let add = design::primary(ui, true, tr!("add-account"));
            widgets::arrive(ui, &add, "accounts-welcome");
            if add.clicked() {
                self.add(shared);
            }
            return None;
        };
        let issuers = shared.issuers.as_ref();
        let drawn = match setup.view {
            SetupView::Wizard(_) => wizard::show(ui, setup, issuers, shared.outbox.as_deref()),
            SetupView::Form => {
                match &setup.notice {
                    Some(FormNotice::NothingFound(e)) => {
                        widgets::explanation(ui, e);
                        ui.label(tr!("usual-settings-below"));
                        ui.add_space(8.0);
                    }
                    Some(FormNotice::Imported(e)) => {
                        // Found and applied: good news, said as such.
                        design::chip(ui, design::icon::OK, &e.problem, design::ok(ui));
                        ui.label(egui::RichText::new(&e.advice).weak());
                        ui.add_space(8.0);
                    }
                    None => {}
                }
                let a = form::show(ui, setup, issuers);
                form::progress(ui, setup).or(a)
            }
        };
        action = action.or(drawn);
        self.act(action?, shared, options)
    }

    fn act(&mut self, action: SetupAction, shared: &mut Shared, options: &Options) -> Option<Nav> {
        let setup = self.setup.as_mut()?;
        match action {
            SetupAction::Save => self.notice = None,
            SetupAction::Remove => {
                let id = setup.draft.id.clone();
                let waiting = shared.waiting_for(&id);
                self.confirm_remove = Some(ConfirmRemove::new(setup.draft.email.trim(), waiting));
                return None;
            }
            SetupAction::Finish => {
                let saved = setup.wizard_mut().and_then(|w| w.saved.clone());
                self.setup = saved.as_ref().map(Setup::edit);
                return None;
            }
            _ => {}
        }
        setup.act(action, shared, options)
    }

    /// The notice across the top; "keep the password for this session only" saves again.
    fn notice_ui(&mut self, ui: &mut Ui) -> Option<SetupAction> {
        let mut action = None;
        match &self.notice {
            Some(Notice::Info(text, more)) => {
                ui.label(RichText::new(text).color(design::ok(ui)));
                if let Some(more) = more {
                    ui.label(more);
                }
            }
            Some(Notice::Problem(e)) => widgets::explanation(ui, e),
            Some(Notice::NoKeyring(e)) => {
                widgets::explanation(ui, e);
                if ui.button(tr!("keep-session-only")).clicked()
                    && let Some(s) = &mut self.setup
                {
                    s.draft.session_only = true;
                    action = Some(SetupAction::Save);
                }
            }
            None => return None,
        }
        // A notice is drawn at the top: bring it into view when it is new.
        let here = ui.allocate_response(egui::Vec2::ZERO, egui::Sense::hover());
        widgets::reveal(ui, &here, "accounts-notice", &self.notice);
        ui.add_space(6.0);
        action
    }
}
