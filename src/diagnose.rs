//! Every error a person can meet → what happened, and what to do next. The window and the
//! command line both show these words.

use crate::account::verify::{Step, VerifyError};
use crate::account::{InvalidAccount, SecretBackend, SecretError, StoreError};
use crate::detect::DetectError;
use crate::net::NetSetupError;
use crate::net::resolver::DnsError;
use crate::net::tls::CertReason;

/// A problem in plain words, and the next thing to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What happened.
    pub problem: String,
    /// What to do about it.
    pub advice: String,
}

impl Explanation {
    fn new(problem: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            advice: advice.into(),
        }
    }
}

/// Errors that can explain themselves.
pub trait Explain {
    /// The explanation of this error.
    fn explain(&self) -> Explanation;
}

const PORTS: &str = "Submission servers use port 465 with security 'tls', or 587 with 'starttls'.";

/// `s` with its first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Explain for DnsError {
    fn explain(&self) -> Explanation {
        match self {
            DnsError::NotFound { host } => Explanation::new(
                format!("The server name {host} does not exist."),
                "Check the spelling of the server name (for example smtp.example.org); \
                 your provider's help pages give the exact name.",
            ),
            DnsError::NoRecords { host, .. } => Explanation::new(
                format!("The name {host} exists but has no address."),
                "Check the server name: it may be the mail domain rather than the server \
                 (smtp.example.org rather than example.org).",
            ),
            DnsError::Timeout { host } => Explanation::new(
                format!("No DNS server answered for {host}."),
                "Check that this computer is online. Behind a hotel or train Wi-Fi, sign in \
                 to its page first; with a VPN, check that it is connected.",
            ),
            DnsError::Failed { host, detail } => Explanation::new(
                format!("Looking up {host} failed ({detail})."),
                "Check this computer's network connection and DNS settings.",
            ),
        }
    }
}

/// The explanation of a failed check step.
pub fn verify_failure(step: Step, err: &VerifyError) -> Explanation {
    use VerifyError as E;
    match err {
        E::Dns(e) => e.explain(),
        E::Refused { addr } => Explanation::new(
            format!(
                "{} refused the connection: nothing accepts mail on port {}.",
                addr.ip(),
                addr.port()
            ),
            format!("The port is probably wrong. {PORTS}"),
        ),
        E::ConnectTimeout { host, port, after } => Explanation::new(
            format!(
                "{host} did not answer on port {port} within {} seconds.",
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
        E::Certificate(problem) => {
            let names = problem.names.join(", ");
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
                CertReason::UnknownIssuer => "The certificate is self-signed or from an \
                     authority this computer does not trust. If your organisation runs its own \
                     authority, install its certificate (or name it in SSL_CERT_FILE); \
                     otherwise someone may be intercepting the connection: do not go on."
                    .into(),
                CertReason::Revoked => "The certificate was withdrawn by its issuer: \
                     do not go on, and tell the server's administrator."
                    .into(),
                CertReason::Other(_) => "Do not go on; tell the server's administrator.".into(),
            };
            Explanation::new(format!("{}.", capitalise(&problem.to_string())), advice)
        }
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
        E::Rejected { step, reply } => Explanation::new(
            format!("The server refused '{step}': {reply}."),
            if reply.is_transient() {
                "The server says this is temporary: try again in a few minutes."
            } else {
                "The server's own words above say why; your provider's support can help."
            },
        ),
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
        E::Token {
            problem, advice, ..
        } => Explanation::new(problem.clone(), advice.clone()),
        E::NoSecret => Explanation::new(
            "No password or token is stored for this account.",
            "Enter the password in the account form, or add the account again with \
             --password-stdin.",
        ),
        E::AuthFailed(reply) => Explanation::new(
            format!("The server refused the login: {reply}."),
            if reply.is_transient() {
                "The server says this is temporary: try again in a few minutes."
            } else {
                "Check the user name and password. Many providers (Gmail, Yahoo, iCloud, \
                 Outlook.com) refuse the normal password for mail programs: create an app \
                 password in your account's security settings, or use OAuth2 sign-in."
            },
        ),
        E::EncryptionRequired(reply) => Explanation::new(
            format!("The server requires encryption before a login: {reply}."),
            format!("Choose an encrypted connection. {PORTS}"),
        ),
        E::Local { detail } => Explanation::new(
            format!("{} (during '{step}').", capitalise(detail)),
            "Try again; if it keeps happening, check this computer's network connection.",
        ),
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
            InvalidAccount::PlaintextAuthNotConfirmed => {
                "Choose security 'tls' or 'starttls'. Only for a server on a network you \
                 trust, confirm sending the password unencrypted (--allow-plaintext-password)."
            }
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

impl Explain for DetectError {
    fn explain(&self) -> Explanation {
        let advice = match self {
            DetectError::BadAddress { .. } => "Write the address as name@example.org.".to_string(),
            DetectError::NothingFound { domain } => format!(
                "Your provider's help pages give its SMTP server (often smtp.{domain}, port 465 \
                 or 587). Enter it by hand: in the window, or with outpost account add --host …"
            ),
            DetectError::ProbesBlocked { .. } => "This network seems to block mail ports (some \
                 hotels, schools and companies do). Try another network, or ask your provider \
                 for its server and enter it by hand."
                .to_string(),
            DetectError::DnsUnreachable { .. } => "Check that this computer is online; behind \
                 a hotel or train Wi-Fi, sign in to its page first. You can also enter the \
                 server by hand."
                .to_string(),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

impl Explain for crate::message::MessageError {
    fn explain(&self) -> Explanation {
        use crate::message::MessageError as E;
        let advice = match self {
            E::BadAddress { .. } => {
                "Write addresses as name@example.org or Name <name@example.org>."
            }
            E::NoRecipient => "Add at least one recipient (To, Cc or Bcc).",
            E::LineBreak { .. } => "Remove the line break.",
            E::Attachment { .. } => "Check that the file exists and that you may read it.",
            E::TooLarge { .. } => {
                "Send fewer or smaller attachments, or share large files by link."
            }
            E::Build(_) => "Check the addresses and try again.",
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

impl Explain for crate::outbox::OutboxError {
    fn explain(&self) -> Explanation {
        use crate::outbox::OutboxError as E;
        let advice = match self {
            E::Db { .. } => {
                "Check free disk space and the folder's permissions. Outpost changed \
                 nothing; the messages already queued are kept."
            }
            E::TooNew { .. } => "Update Outpost; the queued messages are kept.",
            E::Damaged { .. } => {
                "To start with an empty outbox, move the file aside (for example rename it \
                 to outbox-damaged.sqlite); Outpost then makes a new one. The messages in the \
                 old file may be saved with sqlite3's .recover command."
            }
            E::NotFound(_) => "'outpost queue list' shows the messages there are.",
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}

impl Explain for crate::outbox::SubmitError {
    fn explain(&self) -> Explanation {
        match self {
            crate::outbox::SubmitError::Message(e) => e.explain(),
            crate::outbox::SubmitError::Outbox(e) => e.explain(),
        }
    }
}

impl Explain for crate::mailto::MailtoError {
    fn explain(&self) -> Explanation {
        Explanation::new(
            format!("{}.", capitalise(&self.to_string())),
            "Write the message by hand, or ask whoever made the link to fix it.",
        )
    }
}

impl Explain for NetSetupError {
    fn explain(&self) -> Explanation {
        Explanation::new(
            format!("{}.", capitalise(&self.to_string())),
            match self {
                NetSetupError::Resolver(_) => {
                    "Fix or unset OUTPOST_DNS, or check /etc/resolv.conf."
                }
                NetSetupError::Tls(_) => "Fix or unset SSL_CERT_FILE.",
                NetSetupError::PortMap(_) => "Fix or unset OUTPOST_PORT_MAP.",
                NetSetupError::Http(_) => "Report this as a bug, with the message above.",
            },
        )
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
        };
        let e = verify_failure(Step::Connect, &err);
        assert!(e.advice.contains("try 465"), "{e:?}");
    }
}
