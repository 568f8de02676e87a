//! Where an account's secret lives (which keyring), and why one could not be stored or read:
//! the words the account's settings, the keyring code and GNOME Online Accounts share.

use serde::{Deserialize, Serialize};

/// Which keyring holds an account's secret.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretBackend {
    /// The desktop's keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    #[default]
    System,
    /// The kernel keyring: kept until logout or reboot, never on disk.
    Session,
    /// GNOME Online Accounts keeps and hands out the credential (`Account::goa_id`); Outpost
    /// stores nothing.
    Goa,
}

impl SecretBackend {
    /// A label for people.
    pub fn label(self) -> String {
        match self {
            SecretBackend::System => tr!("backend-system"),
            SecretBackend::Session => tr!("backend-session"),
            SecretBackend::Goa => tr!("backend-goa"),
        }
    }
}

/// Why a secret could not be stored or read. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No keyring service answered (no Secret Service on the session bus, or no session bus).
    #[error("{}", tr!("secret-error-no-service", detail = .detail.as_str()))]
    NoService {
        /// What the platform said.
        detail: String,
    },
    /// The keyring is locked or access was refused.
    #[error("{}", tr!("secret-error-locked", detail = .detail.as_str()))]
    Locked {
        /// What the platform said.
        detail: String,
    },
    /// The keyring holds no secret for this account.
    #[error("{}", tr!("secret-error-not-found", backend = .backend.label()))]
    NotFound {
        /// The keyring asked.
        backend: SecretBackend,
    },
    /// This keyring does not exist on this platform.
    #[error("{}", tr!("secret-error-unsupported", backend = .backend.label()))]
    Unsupported {
        /// The keyring asked for.
        backend: SecretBackend,
    },
    /// Any other failure of the keyring.
    #[error("{}", tr!("secret-error-platform", detail = .detail.as_str()))]
    Platform {
        /// What the platform said.
        detail: String,
    },
    /// The GNOME Online Accounts account is not there any more.
    #[error("{}", tr!("secret-error-goa-gone", id = .id.as_str()))]
    GoaGone {
        /// GOA's id for it.
        id: String,
    },
    /// GNOME Online Accounts gives no credential until the person signs in again there.
    #[error("{}", tr!("secret-error-goa-attention", detail = .detail.as_str()))]
    GoaAttention {
        /// GOA's id for the account.
        id: String,
        /// What GOA said.
        detail: String,
    },
}

impl SecretError {
    /// A stable machine-readable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            SecretError::NoService { .. } => "keyring_unavailable",
            SecretError::Locked { .. } => "keyring_locked",
            SecretError::NotFound { .. } => "secret_not_found",
            SecretError::Unsupported { .. } => "keyring_unsupported",
            SecretError::Platform { .. } => "keyring_failed",
            SecretError::GoaGone { .. } => "goa_account_removed",
            SecretError::GoaAttention { .. } => "goa_sign_in_again",
        }
    }
}
