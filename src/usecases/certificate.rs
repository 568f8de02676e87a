//! "Trust this certificate for this account": what the account's server presents, read
//! without sending anything of the person's, and the pin kept with the account (or removed).

use crate::account::Account;
use crate::account::check::{self, Check, CheckError, Step, Timeouts};
use crate::explain::{Explain, Explanation};
use crate::net::{CertProblem, CertificateInfo, CertificatePin, Fingerprint, Net};
use crate::paths::Paths;

use super::account::{ManageError, store};
use super::check::StepFailed;

/// What a server presented, and what Outpost's usual rules say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// What the certificate says.
    pub certificate: CertificateInfo,
    /// Why the usual rules refuse it; `None` when they accept it.
    pub problem: Option<CertProblem>,
}

/// The certificate could not be had, or not trusted as asked.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The connection failed before the server showed a certificate.
    #[error(transparent)]
    Check(#[from] StepFailed),
    /// The account's connection is not encrypted: there is no certificate.
    #[error("{}", tr!("cert-not-encrypted", email = .email.as_str()))]
    NotEncrypted {
        /// The account.
        email: String,
    },
    /// The server shows another key than the one given.
    #[error("{}", tr!("cert-mismatch", shown = .shown.to_string(), given = .given.to_string()))]
    Mismatch {
        /// The fingerprint given.
        given: Fingerprint,
        /// The one the server shows.
        shown: Fingerprint,
    },
    /// The account could not be updated.
    #[error(transparent)]
    Manage(#[from] ManageError),
}

impl Explain for CertificateError {
    fn explain(&self) -> Explanation {
        match self {
            CertificateError::Check(e) => e.explain(),
            CertificateError::NotEncrypted { .. } => Explanation::new(
                format!("{}.", crate::explain::capitalise(&self.to_string())),
                tr!("cert-not-encrypted-advice"),
            ),
            CertificateError::Mismatch { given, shown } => Explanation::new(
                tr!(
                    "cert-not-trusted",
                    shown = shown.to_string(),
                    given = given.to_string()
                ),
                tr!("cert-mismatch-advice"),
            ),
            CertificateError::Manage(e) => e.explain(),
        }
    }
}

/// Connects to `account`'s server as a check does, up to and including encryption, and
/// reads its certificate under the usual rules (never the pin, so that what is wrong is
/// said). Sends no password or token: the check stops before the login.
pub async fn presented(
    net: &Net,
    account: &Account,
    timeouts: Timeouts,
) -> Result<Presented, CertificateError> {
    let net = net.via(account.proxy.as_ref());
    let report = check::run(
        Check {
            net: &net,
            settings: &account.smtp,
            secret: None,
            allow_plaintext_auth: false,
            pin: None,
            timeouts,
            transcript: None,
        },
        |_| {},
    )
    .await;
    let problem = match report.failure() {
        Some((_, CheckError::Certificate(p))) => Some(p.clone()),
        // Past encryption: the certificate was shown and accepted.
        Some(_) if report.steps.iter().any(|s| s.step == Step::Tls) => None,
        Some((step, e)) => {
            return Err(StepFailed {
                step,
                error: e.clone(),
            }
            .into());
        }
        None => None,
    };
    match report.certificate {
        Some(certificate) => Ok(Presented {
            certificate,
            problem,
        }),
        None => Err(CertificateError::NotEncrypted {
            email: account.email.clone(),
        }),
    }
}

/// Trusts `presented`'s key for the account with `id` (only if it is `expected`, when given),
/// from now on instead of the usual authorities. Returns the updated account.
pub fn trust(
    paths: &Paths,
    account: &Account,
    presented: &Presented,
    expected: Option<&Fingerprint>,
) -> Result<Account, CertificateError> {
    if let Some(given) = expected
        && *given != presented.certificate.sha256
    {
        return Err(CertificateError::Mismatch {
            given: given.clone(),
            shown: presented.certificate.sha256.clone(),
        });
    }
    let pin = CertificatePin::new(
        &presented.certificate,
        presented.problem.as_ref(),
        crate::clock::now_secs(),
    );
    Ok(set_pin(paths, account, Some(pin))?)
}

/// Sets or removes (`None`) the certificate trusted for `account`.
pub fn set_pin(
    paths: &Paths,
    account: &Account,
    pin: Option<CertificatePin>,
) -> Result<Account, ManageError> {
    store(paths).update(|accs| {
        let a = accs
            .accounts
            .iter_mut()
            .find(|a| a.id == account.id)
            .ok_or_else(|| ManageError::NotFound {
                email: account.email.clone(),
            })?;
        a.pinned_certificate = pin;
        Ok(a.clone())
    })?
}
