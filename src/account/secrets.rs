//! Passwords and tokens, kept only in the OS keyring.
//!
//! On Linux the system keyring is the Secret Service (GNOME Keyring, KWallet) over D-Bus; the
//! session keyring is the kernel's keyutils store, which forgets everything at reboot. Secrets
//! never go to a file, and their `Debug` form is redacted.

use std::sync::Arc;

use super::keyring::{SecretBackend, SecretError};
use super::model::{Account, AccountId};
use crate::APP_ID;
use crate::secret::Secret;

type Store = Arc<keyring_core::CredentialStore>;

/// The platform's own keyring; failing to reach it means no keyring service runs.
fn system_store() -> Result<Store, SecretError> {
    #[cfg(target_os = "linux")]
    let store = zbus_secret_service_keyring_store::Store::new();
    #[cfg(target_os = "macos")]
    let store = apple_native_keyring_store::keychain::Store::new();
    #[cfg(target_os = "windows")]
    let store = windows_native_keyring_store::Store::new();
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    let store: Result<Store, keyring_core::Error> = Err(keyring_core::Error::NotSupportedByStore(
        tr!("no-system-keyring"),
    ));
    store
        .map(|s| s as Store)
        .map_err(|e| SecretError::NoService {
            detail: platform_detail(&e),
        })
}

/// The platform's own words, without any bytes of a secret (which some variants carry).
fn platform_detail(e: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match e {
        E::PlatformFailure(inner) | E::NoStorageAccess(inner) => inner.to_string(),
        E::BadEncoding(_) => tr!("secret-not-text"),
        E::BadDataFormat(_, inner) => tr!("secret-malformed", error = inner.to_string()),
        other => other.to_string(),
    }
}

fn map_system_err(e: keyring_core::Error) -> SecretError {
    use keyring_core::Error as E;
    match e {
        E::NoEntry => SecretError::NotFound {
            backend: SecretBackend::System,
        },
        E::NoStorageAccess(_) => SecretError::Locked {
            detail: platform_detail(&e),
        },
        E::NoDefaultStore => SecretError::NoService {
            detail: platform_detail(&e),
        },
        other => SecretError::Platform {
            detail: platform_detail(&other),
        },
    }
}

fn system_entry(id: &AccountId) -> Result<keyring_core::Entry, SecretError> {
    system_store()?
        .build(APP_ID, id.as_str(), None)
        .map_err(map_system_err)
}

/// Stores the secret of account `id` in `backend`, replacing any earlier one. Blocks.
pub fn store(backend: SecretBackend, id: &AccountId, secret: &Secret) -> Result<(), SecretError> {
    match backend {
        SecretBackend::System => system_entry(id)?
            .set_password(secret.expose())
            .map_err(map_system_err),
        SecretBackend::Session => session::store(id, secret),
        // GOA keeps its own credentials.
        SecretBackend::Goa => Ok(()),
    }
}

/// Reads the account's secret from its keyring, if it logs in at all. Blocks.
pub fn for_account(account: &Account) -> Result<Option<Secret>, SecretError> {
    for_service(account, "smtp")
}

/// The secret for the account's IMAP server: the same as for sending, but where GNOME Online
/// Accounts keeps a password of its own for IMAP. Blocks.
pub fn for_imap(account: &Account) -> Result<Option<Secret>, SecretError> {
    for_service(account, "imap")
}

fn for_service(account: &Account, service: &str) -> Result<Option<Secret>, SecretError> {
    if !account.smtp.auth.needs_secret() {
        return Ok(None);
    }
    if account.secret_backend == SecretBackend::Goa {
        let id = account.goa_id.as_deref().unwrap_or_default();
        return super::goa::credential(id, account.smtp.auth, service).map(Some);
    }
    load(account.secret_backend, &account.id).map(Some)
}

/// Reads the secret of account `id` from `backend`. Blocks.
pub fn load(backend: SecretBackend, id: &AccountId) -> Result<Secret, SecretError> {
    match backend {
        SecretBackend::System => system_entry(id)?
            .get_password()
            .map(Secret::new)
            .map_err(map_system_err),
        SecretBackend::Session => session::load(id),
        // Asked of GOA by the GOA account's id (`for_account`), never stored here.
        SecretBackend::Goa => Err(SecretError::NotFound { backend }),
    }
}

/// Deletes the secret of account `id`; a secret that is already gone is not an error. Blocks.
pub fn delete(backend: SecretBackend, id: &AccountId) -> Result<(), SecretError> {
    match backend {
        SecretBackend::System => match system_entry(id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_system_err(e)),
        },
        SecretBackend::Session => session::delete(id),
        SecretBackend::Goa => Ok(()),
    }
}

/// The kernel's session keyring (keyutils): memory only, shared by the login session's
/// processes, gone at logout or reboot.
#[cfg(target_os = "linux")]
mod session {
    use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

    use super::{AccountId, Secret, SecretBackend, SecretError};
    use crate::APP_ID;

    fn ring() -> Result<KeyRing, SecretError> {
        KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(fail)
    }

    fn description(id: &AccountId) -> String {
        format!("{APP_ID}:{id}")
    }

    fn fail(e: KeyError) -> SecretError {
        match e {
            KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked => {
                SecretError::NotFound {
                    backend: SecretBackend::Session,
                }
            }
            KeyError::AccessDenied => SecretError::Locked {
                detail: tr!("kernel-access"),
            },
            other => SecretError::Platform {
                detail: in_words(&other),
            },
        }
    }

    /// What went wrong, in words (the crate's own text is its variant's name).
    fn in_words(e: &KeyError) -> String {
        let what = match e {
            KeyError::QuotaExceeded => "full",
            KeyError::OutOfMemory => "memory",
            KeyError::KeyringDoesNotExist => "no-keyring",
            KeyError::KeyRejected => "rejected",
            KeyError::PermissionDenied => "permission",
            KeyError::OperationNotSupported => "unsupported",
            KeyError::Unknown(errno) => {
                let error = std::io::Error::from_raw_os_error(*errno).to_string();
                return tr!("kernel-errno", error = error);
            }
            KeyError::BadAddress
            | KeyError::InvalidArguments
            | KeyError::InvalidDescription
            | KeyError::InvalidIdentifier
            | KeyError::WriteError
            | KeyError::MissingFileOrDirectory => "request",
            KeyError::AccessDenied
            | KeyError::KeyExpired
            | KeyError::KeyRevoked
            | KeyError::KeyDoesNotExist => "missing",
        };
        tr!("kernel-failed", what = what)
    }

    pub fn store(id: &AccountId, secret: &Secret) -> Result<(), SecretError> {
        ring()?
            .add_key(&description(id), secret.expose().as_bytes())
            .map(|_| ())
            .map_err(fail)
    }

    pub fn load(id: &AccountId) -> Result<Secret, SecretError> {
        let bytes = ring()?.search(&description(id)).map_err(fail)?;
        let bytes = bytes.read_to_vec().map_err(fail)?;
        String::from_utf8(bytes)
            .map(Secret::new)
            .map_err(|_| SecretError::Platform {
                detail: tr!("secret-not-text"),
            })
    }

    pub fn delete(id: &AccountId) -> Result<(), SecretError> {
        match ring()?.search(&description(id)) {
            Ok(key) => key.invalidate().map_err(fail),
            Err(KeyError::KeyDoesNotExist) => Ok(()),
            Err(e) => Err(fail(e)),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod session {
    use super::{AccountId, Secret, SecretBackend, SecretError};

    const NONE: SecretError = SecretError::Unsupported {
        backend: SecretBackend::Session,
    };

    pub fn store(_: &AccountId, _: &Secret) -> Result<(), SecretError> {
        Err(NONE)
    }

    pub fn load(_: &AccountId) -> Result<Secret, SecretError> {
        Err(NONE)
    }

    pub fn delete(_: &AccountId) -> Result<(), SecretError> {
        Err(NONE)
    }
}
