//! Accounts: the SMTP settings a person sends through, where their secret lives, and the live
//! connection check.

pub mod explain;
pub mod goa;
mod identity;
mod model;
pub mod secrets;
pub mod store;
pub mod verify;

pub use identity::{Identity, Senders};
pub use model::{
    Account, AccountId, AuthMethod, InvalidAccount, Security, SmtpSettings, parse_email, parse_host,
};
pub use secrets::{SecretBackend, SecretError};
pub use store::{AccountStore, StoreError};
