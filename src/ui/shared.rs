//! What every screen reads and how it reaches the core: the accounts, the sign-in
//! providers, the outbox's counts, and the command channel with its tickets. Owned by the
//! app, lent to the screen being drawn.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::account::store::Accounts;
use crate::account::{Account, AccountId};
use crate::explain::Explanation;
use crate::import::Places;
use crate::oauth::Issuers;
use crate::runtime::{Command, Core, OutboxView, Ticket};

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
    /// Messages being written, kept.
    Drafts,
    /// Preferences.
    Settings,
}

impl View {
    /// The screen's name, as its tab and the window's title say it.
    pub fn name(self) -> String {
        match self {
            View::Accounts => tr!("view-accounts"),
            View::Compose => tr!("view-write"),
            View::Outbox => tr!("view-outbox"),
            View::Drafts => tr!("view-drafts"),
            View::Settings => tr!("view-settings"),
        }
    }
}

/// Where a screen asks the app to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// Show a screen.
    To(View),
    /// Start adding an account.
    AddAccount,
    /// Open an account's settings.
    OpenAccount(AccountId),
    /// Open an account's settings and find them again (its server has moved, maybe).
    Redetect(AccountId),
    /// Show a message in the outbox.
    ShowMessage(i64),
}

/// The state the screens share.
pub struct Shared {
    core: Core,
    next_ticket: Ticket,
    /// The accounts as last read, or why they cannot be read.
    pub accounts: Option<Result<Accounts, Explanation>>,
    /// Account id → address, for the outbox table.
    pub emails: HashMap<String, String>,
    /// The sign-in providers (OAuth2) and their client ids.
    pub issuers: Option<Issuers>,
    /// The outbox as last read.
    pub outbox: Option<Arc<OutboxView>>,
    /// Where other mail programs keep their settings ("Found on this computer").
    pub places: Option<Places>,
}

impl Shared {
    /// The state of a window driven by `core`.
    pub fn new(core: Core) -> Self {
        Self {
            core,
            next_ticket: 1,
            accounts: None,
            emails: HashMap::new(),
            issuers: None,
            outbox: None,
            places: Places::from_env(),
        }
    }

    /// Asks the core; never blocks.
    pub fn send(&self, command: Command) {
        self.core.send(command);
    }

    /// The core's next event, if one waits.
    pub fn next_event(&self) -> Option<crate::runtime::Event> {
        self.core.try_recv()
    }

    /// A ticket no other request of this window has.
    pub fn ticket(&mut self) -> Ticket {
        let t = self.next_ticket;
        self.next_ticket += 1;
        t
    }

    /// The accounts, when they could be read.
    pub fn accounts_ok(&self) -> Option<&Accounts> {
        self.accounts.as_ref().and_then(|a| a.as_ref().ok())
    }

    /// The account with this id.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts_ok()?.by_id(id)
    }

    /// The account a new message is sent from ([`Accounts::default_sender`]).
    pub fn sender(&self) -> Option<AccountId> {
        Some(self.accounts_ok()?.default_sender()?.id.clone())
    }

    /// Takes the accounts as read; true on the first read that found none (first run).
    pub fn set_accounts(&mut self, accounts: Result<Accounts, Explanation>) -> bool {
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
        first_run
    }

    /// The unfinished messages of the account with this id.
    pub fn waiting_for(&self, id: &AccountId) -> usize {
        self.outbox
            .as_ref()
            .map_or(0, |v| v.waiting_for(id.as_str()) as usize)
    }
}
