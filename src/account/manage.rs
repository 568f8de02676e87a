//! What the window and the command line do to accounts: save (file + keyring), remove, and
//! test with the stored secret. Blocking calls; run them off the UI thread.

use super::secrets;
use super::store::Accounts;
use super::verify::{self, Check, Progress, Report, Step, StepRecord, Timeouts, VerifyError};
use super::{Account, AccountStore, AuthMethod, InvalidAccount, Secret, SecretError, StoreError};
use crate::diagnose::{Explain, Explanation};
use crate::net::Net;
use crate::oauth;

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
    #[error("an account for {email} exists already")]
    Duplicate {
        /// The address.
        email: String,
    },
    /// No account has this address.
    #[error("there is no account for {email}")]
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
                problem: format!("An account for {email} exists already."),
                advice: "Edit that account instead, or add it again with --replace to replace \
                         its settings."
                    .into(),
            },
            ManageError::NotFound { email } => Explanation {
                problem: format!("There is no account for {email}."),
                advice: "'outpost account list' shows the accounts there are.".into(),
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

/// Validates and saves `account`; a given `secret` goes to its keyring first, so a file never
/// names an account whose new secret was lost. Returns the saved account (its id may be the
/// existing one's when replacing).
pub fn save(
    store: &AccountStore,
    mut account: Account,
    secret: Option<&Secret>,
    on_duplicate: OnDuplicate,
) -> Result<Account, ManageError> {
    account.validate()?;
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
            OnDuplicate::Replace => account.id = existing.id.clone(),
        }
    }
    let previous_backend = current.by_id(&account.id).map(|a| a.secret_backend);
    if let Some(secret) = secret {
        secrets::store(account.secret_backend, &account.id, secret)?;
    }
    let saved = account.clone();
    store.update(|accs| {
        accs.upsert(account);
        Ok::<_, ManageError>(())
    })??;
    // A secret that moved to another keyring, or is no longer needed, is removed from the old.
    if let Some(old) = previous_backend
        && (old != saved.secret_backend || !saved.smtp.auth.needs_secret())
    {
        let _ = secrets::delete(old, &saved.id);
    }
    Ok(saved)
}

/// Removes the account with this address and its secret. A keyring that cannot be reached
/// does not keep the account; the returned error (if any) says the secret may remain.
pub fn remove(
    store: &AccountStore,
    email: &str,
) -> Result<(Account, Option<SecretError>), ManageError> {
    let removed = store.update(|accs: &mut Accounts| {
        let id =
            accs.by_email(email)
                .map(|a| a.id.clone())
                .ok_or_else(|| ManageError::NotFound {
                    email: email.trim().to_string(),
                })?;
        Ok::<_, ManageError>(accs.remove(&id).expect("the account was just found"))
    })??;
    let secret_error = secrets::delete(removed.secret_backend, &removed.id).err();
    Ok((removed, secret_error))
}

/// The account with this address.
pub fn find(store: &AccountStore, email: &str) -> Result<Account, ManageError> {
    store
        .load()?
        .by_email(email)
        .cloned()
        .ok_or_else(|| ManageError::NotFound {
            email: email.trim().to_string(),
        })
}

/// Reads the account's secret from its keyring, if it logs in at all. Blocks.
pub fn load_secret(account: &Account) -> Result<Option<Secret>, SecretError> {
    if !account.smtp.auth.needs_secret() {
        return Ok(None);
    }
    secrets::load(account.secret_backend, &account.id).map(Some)
}

/// Runs the connection check for `account` with `secret`. An OAuth2 sign-in first gets a
/// fresh access token (the "Sign-in token" step).
pub async fn test(
    net: &Net,
    account: &Account,
    secret: Option<&Secret>,
    timeouts: Timeouts,
    mut progress: impl FnMut(Progress),
) -> Report {
    let (mut token_record, mut token) = (None, None);
    if let Some(s) = secret.filter(|_| account.smtp.auth == AuthMethod::Oauth2)
        && let Some((record, fresh)) = token_step(net, account, s, &mut progress).await
    {
        if record.outcome.is_err() {
            return Report {
                steps: vec![record],
                ..Report::default()
            };
        }
        (token_record, token) = (Some(record), fresh);
    }
    let mut report = verify::run(
        Check {
            net,
            settings: &account.smtp,
            secret: token.as_ref().or(secret),
            allow_plaintext_auth: account.allow_plaintext_auth,
            timeouts,
        },
        progress,
    )
    .await;
    if let Some(record) = token_record {
        report.steps.insert(0, record);
    }
    report
}

/// For a stored OAuth2 sign-in: the access token, refreshed when due, as a timed step.
async fn token_step(
    net: &Net,
    account: &Account,
    secret: &Secret,
    progress: &mut impl FnMut(Progress),
) -> Option<(StepRecord, Option<Secret>)> {
    let oauth::Stored::Grant(grant) = oauth::Stored::parse(secret) else {
        return None;
    };
    progress(Progress::Started(Step::Token));
    let start = std::time::Instant::now();
    let fresh = grant.is_fresh(oauth::grant::now_secs());
    let result = oauth::access_token(net, account, secret).await;
    let outcome = match &result {
        Ok(_) if fresh => Ok(format!("the stored {} token is still valid", grant.issuer)),
        Ok(_) => Ok(format!("renewed with {}", grant.issuer)),
        Err(e) => {
            let x = e.explain();
            Err(VerifyError::Token {
                problem: x.problem,
                advice: x.advice,
                kind: e.kind(),
            })
        }
    };
    let record = StepRecord {
        step: Step::Token,
        elapsed: start.elapsed(),
        outcome,
    };
    progress(Progress::Finished(record.clone()));
    Some((record, result.ok()))
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
