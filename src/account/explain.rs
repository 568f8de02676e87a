//! Account errors in plain words: the failed step of a check, the keyring, the account file,
//! invalid fields.

use super::check::{CheckError, Step};
use super::keyring::{SecretBackend, SecretError};
use super::model::InvalidAccount;
use super::store::StoreError;
use crate::explain::{Explain, Explanation, capitalise};
use crate::net::smtp::{Meaning, Reply};
use crate::net::tls::{CertProblem, CertReason, shorten_names};

/// Where submission servers listen, for advice about ports.
pub fn ports() -> String {
    tr!("ports")
}

/// The explanation of a failed check step.
pub fn check_failure(step: Step, err: &CheckError) -> Explanation {
    use CheckError as E;
    match err {
        E::Dns(e) => e.explain(),
        E::Refused { .. } | E::ConnectTimeout { .. } | E::Unreachable { .. } => connection(err),
        E::Proxy(e) => e.explain(),
        E::Certificate(problem) => certificate(problem),
        E::TlsFailed { .. } | E::NoStartTls | E::StartTlsRefused(_) | E::StartTlsInjection => {
            encryption(err)
        }
        E::Timeout { .. } | E::Closed { .. } | E::Protocol { .. } | E::Rejected { .. } => {
            exchange(err)
        }
        E::NoAuthOffered
        | E::NoCommonMechanism { .. }
        | E::PlaintextRefused
        | E::Token(_)
        | E::NoSecret
        | E::AuthFailed(_)
        | E::EncryptionRequired(_) => login(err),
        E::Imap(crate::net::imap::ImapError::Certificate(problem)) => certificate(problem),
        E::Imap(e) => Explanation::new(
            format!("{}.", capitalise(&e.to_string())),
            match e {
                crate::net::imap::ImapError::LoginRefused { .. } => tr!("verify-imap-login-advice"),
                _ => tr!("verify-imap-advice"),
            },
        ),
        E::Local { detail } => Explanation::new(
            tr!(
                "verify-local",
                detail = capitalise(detail),
                step = step.label()
            ),
            tr!("verify-local-advice"),
        ),
    }
}

/// The server could not be reached.
fn connection(err: &CheckError) -> Explanation {
    use CheckError as E;
    match err {
        // The name and port the person gave, not where a test's port map led.
        E::Refused { host, port, .. } => Explanation::new(
            tr!("verify-refused", host = host.as_str(), port = *port),
            tr!("verify-refused-advice"),
        ),
        E::ConnectTimeout {
            host,
            port,
            after,
            tried,
        } => Explanation::new(
            tr!(
                "verify-connect-timeout",
                host = host.as_str(),
                port = *port,
                seconds = after.as_secs(),
                tried = tried.as_str()
            ),
            tr!(
                "verify-connect-timeout-advice",
                port = *port,
                other = if *port == 465 { 587 } else { 465 }
            ),
        ),
        E::Unreachable { host, port, detail } => Explanation::new(
            tr!(
                "verify-unreachable",
                host = host.as_str(),
                port = *port,
                detail = detail.as_str()
            ),
            tr!("verify-unreachable-advice"),
        ),
        _ => unreachable!("sorted by check_failure"),
    }
}

/// What a provider's reply means, briefly, and what to do; `Meaning::Other` says only that
/// the server refused.
fn meaning_words(meaning: Meaning) -> (String, String) {
    match meaning {
        Meaning::AppPasswordRequired => (
            tr!("meaning-app-password"),
            tr!("meaning-app-password-advice"),
        ),
        Meaning::BadCredentials => (
            tr!("meaning-bad-credentials"),
            tr!("meaning-bad-credentials-advice"),
        ),
        Meaning::SmtpAuthDisabled { tenant } => (
            tr!(
                "meaning-smtp-auth-disabled",
                whose = if tenant { "organisation" } else { "mailbox" }
            ),
            tr!("meaning-smtp-auth-disabled-advice"),
        ),
        Meaning::TooManyBadLogins => (
            tr!("meaning-too-many-bad-logins"),
            tr!("meaning-too-many-bad-logins-advice"),
        ),
        Meaning::NotAuthenticated => (
            tr!("meaning-not-authenticated"),
            tr!("meaning-not-authenticated-advice"),
        ),
        Meaning::SenderNotAllowed => (
            tr!("meaning-sender-not-allowed"),
            tr!("meaning-sender-not-allowed-advice"),
        ),
        Meaning::NetworkBlocked => (
            tr!("meaning-network-blocked"),
            tr!("meaning-network-blocked-advice"),
        ),
        Meaning::DailyLimit => (
            tr!("meaning-daily-limit"),
            tr!("meaning-daily-limit-advice"),
        ),
        Meaning::RateLimited => (
            tr!("meaning-rate-limited"),
            tr!("meaning-rate-limited-advice"),
        ),
        Meaning::TooManyRecipients => (
            tr!("meaning-too-many-recipients"),
            tr!("meaning-too-many-recipients-advice"),
        ),
        Meaning::TooLarge => (tr!("meaning-too-large"), tr!("meaning-too-large-advice")),
        Meaning::Unauthenticated => (
            tr!("meaning-unauthenticated"),
            tr!("meaning-unauthenticated-advice"),
        ),
        Meaning::RelayDenied => (
            tr!("meaning-relay-denied"),
            tr!("meaning-relay-denied-advice"),
        ),
        Meaning::Other => (tr!("meaning-other"), tr!("meaning-other-advice")),
    }
}

/// What a provider's reply means and what to do, for people: the meaning, the server's own
/// words, the advice.
pub fn reply_meaning(meaning: Meaning, reply: &Reply) -> Explanation {
    let (summary, advice) = meaning_words(meaning);
    Explanation::new(format!("{}: {reply}.", capitalise(&summary)), advice)
}

/// The same as one line for a message's history: the server's own words first.
pub fn reply_note(meaning: Meaning, reply: &Reply) -> String {
    let (summary, advice) = meaning_words(meaning);
    format!("{reply} — {summary}. {advice}")
}

/// The certificate was refused: why, and what to do without helping an attacker.
fn certificate(problem: &CertProblem) -> Explanation {
    let names = shorten_names(&problem.names);
    let advice = match &problem.reason {
        CertReason::WrongName { .. } if !names.is_empty() => {
            tr!("cert-wrong-name-advice", names = names)
        }
        CertReason::WrongName { .. } => tr!("cert-wrong-name-unknown-advice"),
        CertReason::Expired { .. } => tr!("cert-expired-advice"),
        CertReason::NotYetValid { .. } => tr!("cert-not-yet-valid-advice"),
        CertReason::UnknownIssuer => tr!("cert-unknown-issuer-advice"),
        CertReason::Revoked => tr!("cert-revoked-advice"),
        CertReason::SelfSigned => tr!("cert-self-signed-advice"),
        CertReason::WrongPurpose => tr!("cert-wrong-purpose-advice"),
        CertReason::Unacceptable => tr!("cert-unacceptable-advice"),
        CertReason::Changed { .. } => tr!("cert-changed-advice"),
    };
    Explanation::new(format!("{}.", capitalise(&problem.to_string())), advice)
}

/// Encryption could not be set up.
fn encryption(err: &CheckError) -> Explanation {
    use CheckError as E;
    match err {
        E::TlsFailed { detail } => Explanation::new(
            tr!("verify-tls-failed", detail = detail.as_str()),
            tr!("verify-tls-failed-advice"),
        ),
        E::NoStartTls => {
            Explanation::new(tr!("verify-no-starttls"), tr!("verify-no-starttls-advice"))
        }
        E::StartTlsRefused(reply) => Explanation::new(
            tr!("verify-starttls-refused", reply = reply.to_string()),
            tr!("verify-starttls-refused-advice"),
        ),
        E::StartTlsInjection => Explanation::new(
            tr!("verify-starttls-injection"),
            tr!("verify-starttls-injection-advice"),
        ),
        _ => unreachable!("sorted by check_failure"),
    }
}

/// The exchange broke off or was refused.
fn exchange(err: &CheckError) -> Explanation {
    use CheckError as E;
    match err {
        // Some servers stay silent instead of refusing a wrong password.
        E::Timeout {
            step: Step::Auth,
            after,
        } => Explanation::new(
            tr!("verify-login-silent", seconds = after.as_secs()),
            tr!("verify-login-silent-advice"),
        ),
        E::Timeout { step, after } => Explanation::new(
            tr!(
                "verify-timeout",
                step = step.label(),
                seconds = after.as_secs()
            ),
            if *step == Step::Greeting {
                tr!("verify-timeout-greeting-advice")
            } else {
                tr!("verify-timeout-advice")
            },
        ),
        E::Closed { step } => Explanation::new(
            tr!("verify-closed", step = step.label()),
            tr!("verify-closed-advice"),
        ),
        E::Protocol { step, detail } => Explanation::new(
            tr!(
                "verify-protocol",
                step = step.label(),
                detail = detail.as_str()
            ),
            tr!("verify-protocol-advice"),
        ),
        E::Rejected { step, reply } => match Meaning::of(reply) {
            Meaning::Other => Explanation::new(
                tr!(
                    "verify-rejected",
                    step = step.label(),
                    reply = reply.to_string()
                ),
                if reply.is_transient() {
                    tr!("temporary-advice")
                } else {
                    tr!("meaning-other-advice")
                },
            ),
            m => reply_meaning(m, reply),
        },
        _ => unreachable!("sorted by check_failure"),
    }
}

/// The login could not be made.
fn login(err: &CheckError) -> Explanation {
    use CheckError as E;
    match err {
        E::NoAuthOffered => Explanation::new(tr!("verify-no-auth"), tr!("verify-no-auth-advice")),
        E::NoCommonMechanism { offered } => Explanation::new(
            tr!("verify-no-mechanism", offered = offered.join(", ")),
            tr!("verify-no-mechanism-advice"),
        ),
        E::PlaintextRefused => Explanation::new(
            tr!("verify-plaintext-refused"),
            tr!("verify-plaintext-refused-advice"),
        ),
        E::Token(e) => e.0.explain(),
        E::NoSecret => Explanation::new(tr!("verify-no-secret"), tr!("verify-no-secret-advice")),
        E::AuthFailed(reply) if reply.is_transient() => Explanation::new(
            tr!("verify-auth-failed", reply = reply.to_string()),
            tr!("temporary-advice"),
        ),
        E::AuthFailed(reply) => match Meaning::of(reply) {
            Meaning::Other => reply_meaning(Meaning::BadCredentials, reply),
            m => reply_meaning(m, reply),
        },
        E::EncryptionRequired(reply) => Explanation::new(
            tr!("verify-encryption-required", reply = reply.to_string()),
            tr!("verify-encryption-required-advice"),
        ),
        _ => unreachable!("sorted by check_failure"),
    }
}

impl Explain for SecretError {
    fn explain(&self) -> Explanation {
        match self {
            SecretError::NoService { detail } => Explanation::new(
                tr!("secret-no-service", detail = detail.as_str()),
                tr!("secret-no-service-advice"),
            ),
            SecretError::Locked { detail } => Explanation::new(
                tr!("secret-locked", detail = detail.as_str()),
                tr!("secret-locked-advice"),
            ),
            SecretError::NotFound { backend } => Explanation::new(
                tr!("secret-not-found", backend = backend.label()),
                match backend {
                    SecretBackend::Session => tr!("secret-not-found-session-advice"),
                    SecretBackend::System => tr!("secret-not-found-system-advice"),
                    SecretBackend::Goa => tr!("secret-not-found-goa-advice"),
                },
            ),
            SecretError::Unsupported { backend } => Explanation::new(
                tr!("secret-unsupported", backend = backend.label()),
                tr!("secret-unsupported-advice"),
            ),
            SecretError::Platform { detail } => Explanation::new(
                tr!("secret-platform", detail = detail.as_str()),
                tr!("secret-platform-advice"),
            ),
            SecretError::GoaGone { .. } => {
                Explanation::new(tr!("secret-goa-gone"), tr!("secret-goa-gone-advice"))
            }
            SecretError::GoaAttention { detail, .. } => Explanation::new(
                tr!("secret-goa-attention", detail = detail.as_str()),
                tr!("secret-goa-attention-advice"),
            ),
        }
    }
}

impl Explain for StoreError {
    fn explain(&self) -> Explanation {
        match self {
            StoreError::Io {
                action,
                path,
                source,
            } => Explanation::new(
                tr!(
                    "store-io",
                    action = action.to_string(),
                    path = path.display().to_string(),
                    error = source.to_string()
                ),
                tr!("store-io-advice"),
            ),
            StoreError::Corrupt { path, detail } => Explanation::new(
                tr!(
                    "store-corrupt",
                    path = path.display().to_string(),
                    detail = detail.as_str()
                ),
                tr!("store-corrupt-advice"),
            ),
            StoreError::TooNew { path, found, .. } => Explanation::new(
                tr!(
                    "store-too-new",
                    path = path.display().to_string(),
                    found = *found
                ),
                tr!("store-too-new-advice"),
            ),
        }
    }
}

impl Explain for InvalidAccount {
    fn explain(&self) -> Explanation {
        let advice = match self {
            InvalidAccount::Email(_) => tr!("invalid-email-advice"),
            InvalidAccount::DisplayName | InvalidAccount::Username | InvalidAccount::Folder => {
                tr!("invalid-name-advice")
            }
            InvalidAccount::Host(_) => tr!("invalid-host-advice"),
            InvalidAccount::Port => ports(),
            InvalidAccount::Proxy(_) => tr!("invalid-proxy-advice"),
            InvalidAccount::PlaintextAuthNotConfirmed => tr!("invalid-plaintext-advice"),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::smtp::Reply;
    use crate::net::tls::CertProblem;

    #[test]
    fn wrong_name_advice_names_the_certificate() {
        let err = CheckError::Certificate(CertProblem {
            reason: CertReason::WrongName {
                expected: "smtp.example.org".into(),
            },
            names: vec!["mail.example.net".into()],
            certificate: None,
        });
        let e = check_failure(Step::Tls, &err);
        assert!(
            e.problem.contains("not valid for smtp.example.org"),
            "{e:?}"
        );
        assert!(e.problem.contains("mail.example.net"), "{e:?}");
        assert!(e.advice.contains("mail.example.net"), "{e:?}");
    }

    #[test]
    fn a_refused_login_suggests_app_passwords() {
        let reply: Reply = "535 5.7.8 Authentication credentials invalid"
            .parse()
            .unwrap();
        let e = check_failure(Step::Auth, &CheckError::AuthFailed(reply));
        assert!(e.problem.contains("535 5.7.8"), "{e:?}");
        assert!(e.advice.contains("app password"), "{e:?}");
    }

    #[test]
    fn a_silent_port_suggests_the_other_port() {
        let err = CheckError::ConnectTimeout {
            host: "smtp.example.org".into(),
            port: 587,
            after: std::time::Duration::from_secs(10),
            tried: "192.0.2.1 did not answer".into(),
        };
        let e = check_failure(Step::Connect, &err);
        assert!(e.advice.contains("try 465"), "{e:?}");
        assert!(e.problem.contains("probably by a firewall"), "{e:?}");
    }
}
