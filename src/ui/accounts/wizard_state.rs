//! What the "Add account" wizard keeps besides the account draft: where it is, what it tried,
//! the saved account and the test message.

use crate::account::{Account, Security};
use crate::explain::Explanation;
use crate::runtime::Ticket;
use crate::usecases::import::Offer;

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
    Check,
    /// Saved.
    Done,
}

/// The test message sent at the end, as far as it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestMessage {
    /// Being queued.
    Queueing(Ticket),
    /// Queued with this id.
    Queued(i64),
    /// Not queued.
    Refused(Explanation),
}

/// What the wizard itself keeps (the account is in the draft).
#[derive(Debug, Clone)]
pub struct Wizard {
    /// Where it is.
    pub stage: Stage,
    /// Settings tried already, so the way-out button offers something new.
    pub tried: Vec<(String, u16, Security)>,
    /// A message shown on the first page (e.g. "cancelled").
    pub notice: Option<String>,
    /// The saved account.
    pub saved: Option<Account>,
    /// The test message.
    pub test_message: Option<TestMessage>,
    /// The review asks for the password (none was typed on the first page).
    pub(super) password_in_review: bool,
    /// What other mail programs on this computer send with, once looked for.
    pub elsewhere: Option<Vec<Offer>>,
}

impl Default for Wizard {
    fn default() -> Self {
        Self {
            stage: Stage::Identity,
            tried: vec![],
            notice: None,
            saved: None,
            test_message: None,
            password_in_review: false,
            elsewhere: None,
        }
    }
}
