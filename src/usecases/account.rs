//! What a person does to accounts, from the window or the command line alike: save (file,
//! keyring, and the account's waiting messages resumed), remove (keyring, and its waiting
//! messages cancelled or kept, as the caller chose), make default, find. Blocking calls; run
//! them off the UI thread.

use crate::account::store::Accounts;
use crate::account::{
    Account, AccountId, AccountStore, Identity, InvalidAccount, SecretError, StoreError, secrets,
};
use crate::explain::{Explain, Explanation};
use crate::outbox::{Outbox, OutboxError};
use crate::paths::Paths;
use crate::secret::Secret;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// A field is not valid.
    #[error(transparent)]
    Invalid(#[from] InvalidAccount),
    /// The account file could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keyring failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Another account already sends from this address.
    #[error("{}", tr!("account-exists", email = .email.as_str()))]
    Duplicate {
        /// The address.
        email: String,
    },
    /// No account has this address.
    #[error("{}", tr!("account-missing", email = .email.as_str()))]
    NotFound {
        /// The address asked for.
        email: String,
    },
}

impl Explain for ManageError {
    fn explain(&self) -> Explanation {
        match self {
            ManageError::Invalid(e) => e.explain(),
            ManageError::Store(e) => e.explain(),
            ManageError::Secret(e) => e.explain(),
            ManageError::Duplicate { email } => Explanation {
                problem: tr!("account-exists-problem", email = email.as_str()),
                advice: tr!("account-exists-advice"),
            },
            ManageError::NotFound { email } => Explanation {
                problem: tr!("account-missing-problem", email = email.as_str()),
                advice: tr!("account-missing-advice"),
            },
        }
    }
}

/// Whether saving may replace an account with the same address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Refuse with [`ManageError::Duplicate`].
    Refuse,
    /// Keep the existing account's id and replace its settings.
    Replace,
}

impl OnDuplicate {
    /// `Replace` when asked to replace, else `Refuse`.
    pub fn replace_when(replace: bool) -> Self {
        if replace {
            OnDuplicate::Replace
        } else {
            OnDuplicate::Refuse
        }
    }
}

/// Validates and saves `account`; a given `secret` goes to its keyring first, so a file never
/// names an account whose new secret was lost. Returns the saved account (its id may be the
/// existing one's when replacing).
///
/// A new secret is what a paused account waits for: its messages are let go. Messages kept
/// when an account with this address was removed are taken over by this one.
pub fn save(
    paths: &Paths,
    mut account: Account,
    secret: Option<&Secret>,
    on_duplicate: OnDuplicate,
) -> Result<Account, ManageError> {
    account.validate()?;
    let store = store(paths);
    let current = store.load()?;
    if let Some(existing) = current.by_email(&account.email)
        && existing.id != account.id
    {
        match on_duplicate {
            OnDuplicate::Refuse => {
                return Err(ManageError::Duplicate {
                    email: account.email,
                });
            }
            OnDuplicate::Replace => {
                account.id = existing.id.clone();
                // New settings for the same server keep the certificate trusted for it.
                if account.pinned_certificate.is_none()
                    && existing.smtp.host.eq_ignore_ascii_case(&account.smtp.host)
                {
                    account.pinned_certificate = existing.pinned_certificate.clone();
                }
            }
        }
    }
    let previous_backend = current.by_id(&account.id).map(|a| a.secret_backend);
    if let Some(secret) = secret {
        secrets::store(account.secret_backend, &account.id, secret)?;
    }
    let saved = account.clone();
    let known = store.update(|accs| {
        accs.upsert(account);
        Ok::<_, ManageError>(
            accs.accounts
                .iter()
                .map(|a| a.id.clone())
                .collect::<Vec<_>>(),
        )
    })??;
    // A secret that moved to another keyring, or is no longer needed, is removed from the old.
    if let Some(old) = previous_backend
        && (old != saved.secret_backend || !saved.smtp.auth.needs_secret())
    {
        // Best effort: the account is saved either way; an old keyring that cannot be
        // reached keeps an item that nothing reads any more.
        if let Err(e) = secrets::delete(old, &saved.id) {
            tracing::warn!(
                "the old secret of {} stays in {}: {e}",
                saved.email,
                old.label()
            );
        }
    }
    let known: Vec<&str> = known.iter().map(AccountId::as_str).collect();
    resume_messages(paths, &saved, secret.is_some(), &known);
    Ok(saved)
}

/// Lets the saved account's waiting messages go: those paused for a new secret, and those
/// kept from a removed account with the same address. Best effort: the account is saved
/// whatever the outbox says, and the worker tells about the messages on its next look.
fn resume_messages(paths: &Paths, saved: &Account, new_secret: bool, known: &[&str]) {
    let Ok(Some(outbox)) = existing_outbox(paths) else {
        return;
    };
    let id = saved.id.as_str();
    let adopted = outbox.adopt(&saved.email, id, known).unwrap_or(0);
    let resumed = new_secret && outbox.resume(id).is_ok();
    if adopted > 0 || resumed {
        crate::outbox::wake::notify(paths);
    }
}

/// What to do with an account's messages still waiting when it is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Cancel them: they will not be sent.
    Cancel,
    /// Keep them: they wait until an account with the same address is added again.
    Keep,
}

/// An account removed, and what became of its secret and its waiting messages.
#[derive(Debug)]
pub struct Removed {
    /// The account as it was.
    pub account: Account,
    /// The keyring could not be reached: the secret may remain there.
    pub secret_left: Option<SecretError>,
    /// How many of its messages were waiting, and what was done with them; or why the
    /// outbox could not be changed.
    pub waiting: Result<(Waiting, usize), OutboxError>,
}

impl Removed {
    /// What became of the account's waiting messages, in words; nothing when none waited.
    pub fn what_became_of_waiting(&self) -> Option<String> {
        match &self.waiting {
            Ok((_, 0)) => None,
            Ok((Waiting::Cancel, n)) => Some(tr!("removed-cancelled", count = *n)),
            Ok((Waiting::Keep, n)) => Some(tr!(
                "removed-kept",
                count = *n,
                email = self.account.email.as_str()
            )),
            Err(e) => {
                let x = e.explain();
                Some(tr!(
                    "removed-waiting-unchanged",
                    problem = x.problem.as_str(),
                    advice = x.advice.as_str()
                ))
            }
        }
    }
}

/// How many of the account's messages are not sent yet (queued, waiting to retry, being
/// sent). Nothing waits where there is no outbox yet.
pub fn waiting(paths: &Paths, account: &Account) -> Result<usize, OutboxError> {
    match existing_outbox(paths)? {
        Some(outbox) => outbox.waiting_for(account.id.as_str()),
        None => Ok(0),
    }
}

/// Removes the account with this address and its secret, and cancels or keeps its waiting
/// messages as `waiting` says. A keyring or an outbox that cannot be reached does not keep
/// the account; [`Removed`] says what remains.
pub fn remove(
    paths: &Paths,
    email: &str,
    waiting_messages: Waiting,
) -> Result<Removed, ManageError> {
    let removed = store(paths).update(|accs: &mut Accounts| {
        let id =
            accs.by_email(email)
                .map(|a| a.id.clone())
                .ok_or_else(|| ManageError::NotFound {
                    email: email.trim().to_string(),
                })?;
        #[expect(
            clippy::expect_used,
            reason = "the account was found a line above, under the file's lock"
        )]
        let removed = accs.remove(&id).expect("the account was just found");
        Ok::<_, ManageError>(removed)
    })??;
    let secret_left = secrets::delete(removed.secret_backend, &removed.id).err();
    let waiting = match waiting_messages {
        Waiting::Keep => waiting(paths, &removed).map(|n| (Waiting::Keep, n)),
        Waiting::Cancel => existing_outbox(paths)
            .and_then(|o| o.map_or(Ok(0), |o| o.cancel_account(removed.id.as_str())))
            .map(|n| (Waiting::Cancel, n)),
    };
    Ok(Removed {
        account: removed,
        secret_left,
        waiting,
    })
}

/// Makes the account with id `id` the default one.
pub fn set_default(paths: &Paths, id: &AccountId) -> Result<(), ManageError> {
    store(paths).update(|accs| {
        let email = accs.by_id(id).map(|a| a.email.clone());
        if email.is_none() {
            return Err(ManageError::NotFound {
                email: id.to_string(),
            });
        }
        accs.default = Some(id.clone());
        Ok(())
    })?
}

/// Writes the changed settings of an existing account (its secret stays as it is); the
/// account as saved.
pub fn replace(paths: &Paths, account: Account) -> Result<Account, ManageError> {
    account.validate()?;
    let saved = account.clone();
    store(paths).update(
        |accs| match accs.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(a) => {
                *a = account;
                Ok(())
            }
            None => Err(ManageError::NotFound {
                email: account.email.clone(),
            }),
        },
    )??;
    Ok(saved)
}

/// The accounts as they are on disk.
pub fn list(paths: &Paths) -> Result<Accounts, ManageError> {
    Ok(store(paths).load()?)
}

/// The outbox, when there is one yet (nothing waits without one; opening would create it).
fn existing_outbox(paths: &Paths) -> Result<Option<Outbox>, OutboxError> {
    let file = paths.outbox_file();
    if !file.exists() {
        return Ok(None);
    }
    Outbox::open(&file).map(Some)
}

pub(crate) fn store(paths: &Paths) -> AccountStore {
    AccountStore::new(paths.accounts_file())
}

/// The account that sends as `email` (its own address or one of its identities), and that
/// identity.
pub fn find_sender(paths: &Paths, email: &str) -> Result<(Account, Identity), ManageError> {
    store(paths)
        .load()?
        .sender(email)
        .map(|(a, i)| (a.clone(), i))
        .ok_or_else(|| ManageError::NotFound {
            email: email.trim().to_string(),
        })
}

/// The account with this address.
pub fn find(paths: &Paths, email: &str) -> Result<Account, ManageError> {
    store(paths)
        .load()?
        .by_email(email)
        .cloned()
        .ok_or_else(|| ManageError::NotFound {
            email: email.trim().to_string(),
        })
}

impl ManageError {
    /// A stable machine-readable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            ManageError::Invalid(_) => "invalid",
            ManageError::Store(StoreError::Io { .. }) => "file_io",
            ManageError::Store(StoreError::Corrupt { .. }) => "file_corrupt",
            ManageError::Store(StoreError::TooNew { .. }) => "file_too_new",
            ManageError::Secret(e) => e.kind(),
            ManageError::Duplicate { .. } => "duplicate",
            ManageError::NotFound { .. } => "not_found",
        }
    }

    /// True when the person's input was at fault rather than the system.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ManageError::Invalid(_) | ManageError::Duplicate { .. } | ManageError::NotFound { .. }
        )
    }
}
