//! What can go wrong with an IMAP server, kept as data: the server's own words and response
//! code (RFC 3501 §7.1, RFC 5530) until a person reads them.

use std::time::Duration;

use crate::net::{CertProblem, OpenError};

/// A response code the server gave with a refusal, by name (`OVERQUOTA`, `TRYCREATE`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCode(pub String);

impl ResponseCode {
    /// Whether it is this code (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }
}

/// What went wrong with an IMAP server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapError {
    /// It could not be reached.
    #[error(transparent)]
    Open(Box<OpenError>),
    /// Its certificate is not one to trust.
    #[error(transparent)]
    Certificate(CertProblem),
    /// The encryption could not be set up.
    #[error("{}", tr!("imap-tls", error = .0.as_str()))]
    Tls(String),
    /// It offers no STARTTLS although the settings ask for it.
    #[error("{}", tr!("imap-no-starttls"))]
    NoStarttls,
    /// It allows no login Outpost can do (over this connection).
    #[error("{}", tr!("imap-no-login"))]
    NoLogin,
    /// It refused the login.
    #[error("{}", tr!("imap-login-refused", text = .text.as_str()))]
    LoginRefused {
        /// The code it gave, if any (`AUTHENTICATIONFAILED`, `UNAVAILABLE`, …).
        code: Option<ResponseCode>,
        /// Its words.
        text: String,
    },
    /// It refused a command.
    #[error("{}", tr!("imap-refused", command = *.command, text = .text.as_str()))]
    Refused {
        /// The command (`APPEND`, `CREATE`, `LIST`).
        command: &'static str,
        /// The code it gave, if any.
        code: Option<ResponseCode>,
        /// Its words.
        text: String,
    },
    /// It said goodbye (BYE) in the middle of the work.
    #[error("{}", tr!("imap-bye", text = .0.as_str()))]
    Bye(String),
    /// It closed the connection.
    #[error("{}", tr!("imap-closed"))]
    Closed,
    /// Reading or writing failed.
    #[error("{}", tr!("imap-io", error = .0.as_str()))]
    Io(String),
    /// It sent something that is not IMAP.
    #[error("{}", tr!("imap-malformed"))]
    Malformed,
    /// It did not answer in time.
    #[error("{}", tr!("imap-timeout", seconds = .0.as_secs()))]
    Timeout(Duration),
}

impl From<OpenError> for ImapError {
    fn from(e: OpenError) -> Self {
        ImapError::Open(Box::new(e))
    }
}

impl ImapError {
    /// The response code of a refusal, if it gave one.
    pub fn code(&self) -> Option<&ResponseCode> {
        match self {
            ImapError::LoginRefused { code, .. } | ImapError::Refused { code, .. } => code.as_ref(),
            _ => None,
        }
    }

    /// Whether the same work may succeed later without anyone changing anything: the network,
    /// a server busy or down for a while (RFC 5530 `UNAVAILABLE`, `INUSE`, `SERVERBUG`).
    pub fn is_transient(&self) -> bool {
        match self {
            ImapError::Open(_)
            | ImapError::Tls(_)
            | ImapError::Bye(_)
            | ImapError::Closed
            | ImapError::Io(_)
            | ImapError::Timeout(_) => true,
            ImapError::LoginRefused { code, .. } | ImapError::Refused { code, .. } => {
                code.as_ref().is_some_and(|c| {
                    ["UNAVAILABLE", "INUSE", "SERVERBUG", "LIMIT"]
                        .iter()
                        .any(|n| c.is(n))
                })
            }
            ImapError::Certificate(_)
            | ImapError::NoStarttls
            | ImapError::NoLogin
            | ImapError::Malformed => false,
        }
    }

    /// The mailbox is full (RFC 5530 `OVERQUOTA`, or RFC 9208's words for it).
    pub fn is_over_quota(&self) -> bool {
        self.code().is_some_and(|c| c.is("OVERQUOTA"))
    }

    /// The folder does not exist (RFC 3501 `TRYCREATE`, RFC 5530 `NONEXISTENT`).
    pub fn is_no_folder(&self) -> bool {
        self.code()
            .is_some_and(|c| c.is("TRYCREATE") || c.is("NONEXISTENT"))
    }
}
