//! Account errors in plain words: the failed step of a check, the keyring, the account file,
//! invalid fields.

use super::model::InvalidAccount;
use super::secrets::{SecretBackend, SecretError};
use super::store::StoreError;
use super::verify::{Step, VerifyError};
use crate::explain::{Explain, Explanation, capitalise};
use crate::net::smtp::{Meaning, Reply};
use crate::net::tls::{CertProblem, CertReason, shorten_names};

/// Where submission servers listen, for advice about ports.
pub const PORTS: &str =
    "Submission servers use port 465 with security 'tls', or 587 with 'starttls'.";

/// The explanation of a failed check step.
pub fn verify_failure(step: Step, err: &VerifyError) -> Explanation {
    use VerifyError as E;
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
        E::Local { detail } => Explanation::new(
            format!("{} (during '{step}').", capitalise(detail)),
            "Try again; if it keeps happening, check this computer's network connection.",
        ),
    }
}

/// The server could not be reached.
fn connection(err: &VerifyError) -> Explanation {
    use VerifyError as E;
    match err {
        // The name and port the person gave, not where a test's port map led.
        E::Refused { host, port, .. } => Explanation::new(
            format!("{host} refused the connection: nothing accepts mail on port {port}."),
            format!("The port is probably wrong. {PORTS}"),
        ),
        E::ConnectTimeout {
            host,
            port,
            after,
            tried,
        } => Explanation::new(
            format!(
                "{host} did not answer on port {port} within {} seconds: the connection \
                 attempts were dropped without any reply, probably by a firewall ({tried}).",
                after.as_secs()
            ),
            format!(
                "This network may block port {port}: try {} instead, or another network. \
                 A wrong server name can look like this too.",
                if *port == 465 { "587" } else { "465" }
            ),
        ),
        E::Unreachable { host, port, detail } => Explanation::new(
            format!("{host} cannot be reached on port {port} ({detail})."),
            "Check that this computer is online and that no firewall blocks mail ports.",
        ),
        _ => unreachable!("sorted by verify_failure"),
    }
}

/// What a provider's reply means, briefly, and what to do; `Meaning::Other` says only that
/// the server refused.
fn meaning_words(meaning: Meaning) -> (String, &'static str) {
    let (summary, advice) = match meaning {
        Meaning::AppPasswordRequired => (
            "the server wants an app password, not your account's password",
            "Switch on 2-step verification for your account, create an app password in its \
             security settings, and enter that app password instead of your password.",
        ),
        Meaning::BadCredentials => (
            "the server refused the user name or password",
            "Check both. Many providers (Gmail, Yahoo, iCloud, Outlook.com) refuse the \
             account's own password in mail apps: create an app password in your account's \
             security settings, or sign in with the provider.",
        ),
        Meaning::SmtpAuthDisabled { tenant } => {
            let whose = if tenant { "organisation" } else { "mailbox" };
            return (
                format!(
                    "logging in to send mail (SMTP AUTH) is switched off for your {whose} by \
                     its administrator"
                ),
                "Your password is not the problem. Your administrator must allow SMTP AUTH \
                 for this mailbox (Microsoft 365: Exchange admin center → the mailbox → Manage \
                 email apps → Authenticated SMTP); or sign in with Microsoft instead.",
            );
        }
        Meaning::TooManyBadLogins => (
            "the provider blocks logins for now after too many failed attempts",
            "Wait an hour or so before trying again, and check the password first (an app \
             password, if your provider needs one): every failed try prolongs the block.",
        ),
        Meaning::NotAuthenticated => (
            "the server wants a login before it takes mail",
            "Set the account's login to 'password' (or sign in with the provider), with \
             security tls or starttls.",
        ),
        Meaning::SenderNotAllowed => (
            "the server does not let this login send from this From address",
            "Send from the address you log in with, or have it added as an alias (a \
             'send as' permission) with your provider first.",
        ),
        Meaning::NetworkBlocked => (
            "the server refuses mail from this network's address",
            "Send from another network (not a VPN or a shared hosting address), or ask your \
             provider to unblock it.",
        ),
        Meaning::DailyLimit => (
            "the account reached its daily sending limit",
            "Sending from this account waits until the provider's limit resets (about 24 \
             hours); the messages stay in the outbox.",
        ),
        Meaning::RateLimited => (
            "the server asks to slow down",
            "Outpost waits longer before trying again from this account.",
        ),
        Meaning::TooManyRecipients => (
            "the server takes fewer recipients at once",
            "Outpost sends the message to the others in further rounds.",
        ),
        Meaning::TooLarge => (
            "the message is larger than the server accepts",
            "Send large files as a link, or split the attachments over several messages.",
        ),
        Meaning::Unauthenticated => (
            "the message was refused as unauthenticated for its sender's domain",
            "Send through the server of the domain in your From address, or send from an \
             address of this account.",
        ),
        Meaning::RelayDenied => (
            "the server does not pass mail on for this connection",
            "Log in (login 'password', or sign in), and use your provider's submission server \
             on port 465 or 587.",
        ),
        Meaning::Other => (
            "the server refused",
            "The server's own words above say why; your provider's support can help.",
        ),
    };
    (summary.to_string(), advice)
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

/// How a person can go on with their own server's certificate.
const OWN_SERVER: &str = "If this is your own server, compare the SHA-256 of its key (shown \
     with the certificate) with the one the server itself gives (see SECURITY.md), then trust \
     this certificate for this account.";

/// The certificate was refused: why, and what to do without helping an attacker.
fn certificate(problem: &CertProblem) -> Explanation {
    let names = shorten_names(&problem.names);
    let advice = match &problem.reason {
        CertReason::WrongName { .. } if !names.is_empty() => format!(
            "If {names} is your provider's server, use that name as the server. \
             Otherwise someone may be intercepting the connection: do not go on."
        ),
        CertReason::WrongName { .. } => "The server name may be wrong; otherwise \
             someone may be intercepting the connection: do not go on."
            .into(),
        CertReason::Expired { .. } => "The server's administrator must renew the \
             certificate. Also check that this computer's date and time are right."
            .into(),
        CertReason::NotYetValid { .. } => {
            "Check that this computer's date and time are right.".into()
        }
        CertReason::UnknownIssuer => format!(
            "The certificate is self-signed or from an authority this computer does not \
             trust. If your organisation runs its own authority, install its certificate \
             (or name it in SSL_CERT_FILE). {OWN_SERVER} Otherwise someone may be \
             intercepting the connection: do not go on."
        ),
        CertReason::Revoked => "The certificate was withdrawn by its issuer: \
             do not go on, and tell the server's administrator."
            .into(),
        CertReason::SelfSigned => format!(
            "A self-signed certificate proves nothing by itself: anyone can make one. \
             {OWN_SERVER} Otherwise ask the server's administrator for a certificate from an \
             authority (Let's Encrypt is free)."
        ),
        CertReason::WrongPurpose => "The server's administrator must install a certificate \
             made for servers. Do not go on."
            .into(),
        CertReason::Unacceptable => "Do not go on; tell the server's administrator.".into(),
        CertReason::Changed { .. } => "Nothing was sent, not even the login. If the \
             server's certificate was replaced on purpose, compare the new key's SHA-256 with \
             the server's and trust the new certificate for this account. Otherwise someone \
             may be intercepting the connection: do not go on."
            .into(),
    };
    Explanation::new(format!("{}.", capitalise(&problem.to_string())), advice)
}

/// Encryption could not be set up.
fn encryption(err: &VerifyError) -> Explanation {
    use VerifyError as E;
    match err {
        E::TlsFailed { detail } => Explanation::new(
            format!("The encrypted connection could not be set up ({detail})."),
            format!(
                "The server may not expect TLS at the start on this port, or may speak only \
                 TLS older than 1.2, which Outpost refuses as no longer safe. {PORTS} \
                 Nothing was sent."
            ),
        ),
        E::NoStartTls => Explanation::new(
            "The server did not offer encryption (STARTTLS); someone may be stripping it.",
            "Nothing was sent. Try security 'tls' on port 465. If this server truly has no \
             encryption, ask your provider for one that does; do not send a password over it.",
        ),
        E::StartTlsRefused(reply) => Explanation::new(
            format!("The server refused to start encryption: {reply}."),
            "Nothing was sent. Try security 'tls' on port 465, or try again later.",
        ),
        E::StartTlsInjection => Explanation::new(
            "The server sent data before encryption began, which a genuine server never does; \
             someone may be tampering with the connection.",
            "Nothing was sent. Try another network, or security 'tls' on port 465.",
        ),
        _ => unreachable!("sorted by verify_failure"),
    }
}

/// The exchange broke off or was refused.
fn exchange(err: &VerifyError) -> Explanation {
    use VerifyError as E;
    match err {
        // Some servers stay silent instead of refusing a wrong password.
        E::Timeout {
            step: Step::Auth,
            after,
        } => Explanation::new(
            format!(
                "The server gave no answer to the login (waited {} seconds).",
                after.as_secs()
            ),
            "Some servers say nothing instead of refusing a wrong password. Check the password \
             (or the app password, if your provider asks for one), then test again.",
        ),
        E::Timeout { step, after } => Explanation::new(
            format!(
                "The server stopped answering during '{step}' (waited {} seconds).",
                after.as_secs()
            ),
            if *step == Step::Greeting {
                format!("The port may expect TLS from the first byte: try security 'tls'. {PORTS}")
            } else {
                "The server may be overloaded, or a firewall interferes. Try again later, or \
                 another port."
                    .to_string()
            },
        ),
        E::Closed { step } => Explanation::new(
            format!("The server closed the connection during '{step}'."),
            "It may refuse connections from this network, or expect a different security \
             setting on this port. Try again later, or another port.",
        ),
        E::Protocol { step, detail } => Explanation::new(
            format!("The answer during '{step}' is not SMTP ({detail})."),
            format!(
                "Check the server name and port: this may not be a mail server, or it may \
                 expect TLS from the first byte. {PORTS}"
            ),
        ),
        E::Rejected { step, reply } => match Meaning::of(reply) {
            Meaning::Other => Explanation::new(
                format!("The server refused '{step}': {reply}."),
                if reply.is_transient() {
                    "The server says this is temporary: try again in a few minutes."
                } else {
                    "The server's own words above say why; your provider's support can help."
                },
            ),
            m => reply_meaning(m, reply),
        },
        _ => unreachable!("sorted by verify_failure"),
    }
}

/// The login could not be made.
fn login(err: &VerifyError) -> Explanation {
    use VerifyError as E;
    match err {
        E::NoAuthOffered => Explanation::new(
            "The server offers no login on this connection.",
            format!(
                "This may be a server for server-to-server mail (port 25), or it offers a login \
                 only over encryption. Use your provider's submission server. {PORTS} If this \
                 server accepts mail from your network without a login, set login to 'none'."
            ),
        ),
        E::NoCommonMechanism { offered } => Explanation::new(
            format!(
                "The server offers only login methods Outpost does not speak: {}.",
                offered.join(", ")
            ),
            "Outpost logs in with PLAIN, LOGIN or XOAUTH2 (OAuth2). Ask your provider \
             whether another server or port offers one of these.",
        ),
        E::PlaintextRefused => Explanation::new(
            "Outpost did not send your password: the connection is not encrypted.",
            "Choose security 'tls' or 'starttls'. Only for a server on a network you trust, \
             confirm sending the password unencrypted in the account settings.",
        ),
        E::Token(e) => e.0.explain(),
        E::NoSecret => Explanation::new(
            "No password or token is stored for this account.",
            "Enter the password in the account form, or add the account again with \
             --password-stdin.",
        ),
        E::AuthFailed(reply) if reply.is_transient() => Explanation::new(
            format!("The server refused the login: {reply}."),
            "The server says this is temporary: try again in a few minutes.",
        ),
        E::AuthFailed(reply) => match Meaning::of(reply) {
            Meaning::Other => reply_meaning(Meaning::BadCredentials, reply),
            m => reply_meaning(m, reply),
        },
        E::EncryptionRequired(reply) => Explanation::new(
            format!("The server requires encryption before a login: {reply}."),
            format!("Choose an encrypted connection. {PORTS}"),
        ),
        _ => unreachable!("sorted by verify_failure"),
    }
}

impl Explain for SecretError {
    fn explain(&self) -> Explanation {
        match self {
            SecretError::NoService { detail } => Explanation::new(
                format!("No keyring service is running ({detail})."),
                "Start your desktop's keyring (GNOME Keyring or KWallet) and try again. Or keep \
                 the password for this session only, in the kernel keyring, forgotten at logout \
                 or reboot: choose 'this session only' in the window, or pass --session-keyring. \
                 Outpost never writes passwords to a file.",
            ),
            SecretError::Locked { detail } => Explanation::new(
                format!("The keyring is locked or refused access ({detail})."),
                "Unlock your keyring (log in to the desktop, or open Passwords and Keys) and \
                 try again.",
            ),
            SecretError::NotFound { backend } => Explanation::new(
                format!(
                    "The {} holds no password for this account.",
                    backend.label()
                ),
                match backend {
                    SecretBackend::Session => {
                        "The session keyring forgets at logout and reboot: enter the password \
                         again (edit the account, or add it again with --password-stdin)."
                    }
                    SecretBackend::System => {
                        "Enter the password again: edit the account in the window, or add it \
                         again with --password-stdin."
                    }
                    SecretBackend::Goa => "Check the account in GNOME Settings → Online Accounts.",
                },
            ),
            SecretError::Unsupported { backend } => Explanation::new(
                format!("The {} does not exist on this system.", backend.label()),
                "Use the system keyring instead.",
            ),
            SecretError::Platform { detail } => Explanation::new(
                format!("The keyring failed ({detail})."),
                "Try again; if it keeps failing, restart the keyring service or log in again.",
            ),
            SecretError::GoaGone { .. } => Explanation::new(
                "The account was removed from GNOME Online Accounts, which kept its password.",
                "Add it again in GNOME Settings → Online Accounts, or give this account a \
                 password of its own (edit it in the window).",
            ),
            SecretError::GoaAttention { detail, .. } => Explanation::new(
                format!("GNOME Online Accounts needs you to sign in again ({detail})."),
                "Sign in again in GNOME Settings → Online Accounts; the messages waiting are \
                 sent afterwards.",
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
                format!("Could not {action} {} ({source}).", path.display()),
                "Check that the folder exists, that you may write to it and that the disk is \
                 not full.",
            ),
            StoreError::Corrupt { path, detail } => Explanation::new(
                format!("The account file {} is damaged ({detail}).", path.display()),
                "Outpost left it as it is. Repair it in a text editor, or move it away to \
                 start again with no accounts (your passwords stay in the keyring).",
            ),
            StoreError::TooNew { path, found, .. } => Explanation::new(
                format!(
                    "The account file {} comes from a newer Outpost (format {found}).",
                    path.display()
                ),
                "Outpost left it as it is. Update Outpost, or move the file away to start \
                 again with no accounts.",
            ),
        }
    }
}

impl Explain for InvalidAccount {
    fn explain(&self) -> Explanation {
        let advice = match self {
            InvalidAccount::Email(_) => "Write the address as name@example.org.",
            InvalidAccount::DisplayName | InvalidAccount::Username => {
                "Remove the line break or control character."
            }
            InvalidAccount::Host(_) => "Write the server as smtp.example.org, or an IP address.",
            InvalidAccount::Port => PORTS,
            InvalidAccount::Proxy(_) => {
                "Write the proxy as socks5h://host:port (Tor: socks5h://127.0.0.1:9050), or \
                 leave it empty."
            }
            InvalidAccount::PlaintextAuthNotConfirmed => {
                "Choose security 'tls' or 'starttls'. Only for a server on a network you \
                 trust, confirm sending the password unencrypted (--allow-plaintext-password)."
            }
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
        let err = VerifyError::Certificate(CertProblem {
            reason: CertReason::WrongName {
                expected: "smtp.example.org".into(),
            },
            names: vec!["mail.example.net".into()],
            certificate: None,
        });
        let e = verify_failure(Step::Tls, &err);
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
        let e = verify_failure(Step::Auth, &VerifyError::AuthFailed(reply));
        assert!(e.problem.contains("535 5.7.8"), "{e:?}");
        assert!(e.advice.contains("app password"), "{e:?}");
    }

    #[test]
    fn a_silent_port_suggests_the_other_port() {
        let err = VerifyError::ConnectTimeout {
            host: "smtp.example.org".into(),
            port: 587,
            after: std::time::Duration::from_secs(10),
            tried: "192.0.2.1 did not answer".into(),
        };
        let e = verify_failure(Step::Connect, &err);
        assert!(e.advice.contains("try 465"), "{e:?}");
        assert!(e.problem.contains("probably by a firewall"), "{e:?}");
    }
}
