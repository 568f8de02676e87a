//! Accounts: the SMTP settings a person sends through, where their secret lives, and the live
//! connection check.

pub mod check;
pub mod explain;
pub mod goa;
mod identity;
mod keyring;
mod model;
pub mod secrets;
pub mod store;

pub use keyring::{SecretBackend, SecretError};
pub use model::{
    Account, AccountId, AuthMethod, Identity, ImapSettings, InvalidAccount, Security, Senders,
    SmtpSettings, parse_email, parse_host,
};
pub use store::{AccountStore, StoreError};
