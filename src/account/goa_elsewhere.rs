//! GNOME Online Accounts exists on Linux desktops only: elsewhere there is none to read.

use super::model::{AuthMethod, SmtpSettings};
use super::secrets::{SecretBackend, SecretError};
use crate::secret::Secret;

/// A GOA account that sends mail (never found here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoaAccount {
    /// GOA's id for it.
    pub id: String,
    /// Its provider.
    pub provider: String,
    /// The address it sends from.
    pub email: String,
    /// The sender's name.
    pub name: Option<String>,
    /// Its SMTP settings.
    pub smtp: SmtpSettings,
    /// GOA says the person must sign in again.
    pub attention_needed: bool,
}

/// No GOA accounts on this platform.
pub fn list() -> Result<Vec<GoaAccount>, SecretError> {
    Ok(vec![])
}

/// GOA is not on this platform.
pub fn credential(_id: &str, _auth: AuthMethod) -> Result<Secret, SecretError> {
    Err(SecretError::Unsupported {
        backend: SecretBackend::Goa,
    })
}
