//! An account: the address it sends from, its submission server's settings, which keyring
//! holds its secret, and the checks its fields must pass.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::keyring::SecretBackend;
use crate::address::{self, EmailAddress};
use crate::net::{BadProxy, CertificatePin, Proxy};

/// A stable identifier for an account, independent of its address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// A new random identifier (16 hex digits).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 8];
        // The OS random source failing is not something a caller can handle; fall back to time.
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            bytes = (nanos as u64 ^ u64::from(std::process::id())).to_be_bytes();
        }
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the connection to the server is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (RFC 8314 "implicit TLS", usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which must be offered (usually port 587).
    Starttls,
    /// No encryption at all.
    None,
}

impl Security {
    /// All values, in the order a form offers them.
    pub const ALL: [Security; 3] = [Security::Tls, Security::Starttls, Security::None];

    /// The name used in files, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }

    /// The port a server usually listens on for this kind of security.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        }
    }

    /// The port an IMAP server usually listens on for this kind of security (RFC 8314).
    pub fn imap_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        }
    }

    /// A label for people.
    pub fn label(self) -> String {
        match self {
            Security::Tls => tr!("security-tls"),
            Security::Starttls => "STARTTLS".into(),
            Security::None => tr!("security-none"),
        }
    }

    /// The label inside a sentence: "TLS", "STARTTLS", "no encryption".
    pub fn short_label(self) -> String {
        match self {
            Security::Tls => "TLS".into(),
            Security::Starttls => "STARTTLS".into(),
            Security::None => tr!("security-none-short"),
        }
    }
}

impl From<Security> for crate::net::imap::Encryption {
    fn from(s: Security) -> Self {
        match s {
            Security::Tls => Self::Tls,
            Security::Starttls => Self::Starttls,
            Security::None => Self::None,
        }
    }
}

/// How Outpost logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// A password (AUTH PLAIN or LOGIN).
    Password,
    /// OAuth2: a sign-in through the browser, or an access token (AUTH XOAUTH2).
    Oauth2,
    /// No login.
    None,
}

impl AuthMethod {
    /// All values, in the order a form offers them.
    pub const ALL: [AuthMethod; 3] = [AuthMethod::Password, AuthMethod::Oauth2, AuthMethod::None];

    /// The name used in files, on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Oauth2 => "oauth2",
            AuthMethod::None => "none",
        }
    }

    /// A label for people.
    pub fn label(self) -> String {
        match self {
            AuthMethod::Password => tr!("field-password"),
            AuthMethod::Oauth2 => tr!("auth-oauth2"),
            AuthMethod::None => tr!("auth-none"),
        }
    }

    /// Whether this method needs a secret from the keyring.
    pub fn needs_secret(self) -> bool {
        self != AuthMethod::None
    }
}

macro_rules! from_str_by_name {
    ($ty:ty, $what:literal) => {
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| {
                        let names: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        tr!(
                            "not-one-of",
                            text = s,
                            what = $what,
                            names = names.join(", ")
                        )
                    })
            }
        }
    };
}
from_str_by_name!(Security, "security");
from_str_by_name!(AuthMethod, "login");

/// Where and how to submit mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    /// Server host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Encryption of the connection.
    pub security: Security,
    /// Login name (often the e-mail address).
    pub username: String,
    /// Login method.
    pub auth: AuthMethod,
}

/// Where a copy of each sent message is filed: the account's IMAP server, logged in to with
/// the same name and secret as the submission server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImapSettings {
    /// Server host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Encryption of the connection.
    pub security: Security,
    /// Whether sent messages are filed there (off where the provider files its own copy).
    pub sent_copy: bool,
    /// The folder the copies go to, once found (SPECIAL-USE `\Sent` or its usual name); found
    /// again, or made, when it is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_folder: Option<String>,
}

/// One sending identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Stable identifier; also names the keyring entry.
    pub id: AccountId,
    /// The address mail is sent from.
    pub email: String,
    /// The name shown to recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The submission server.
    pub smtp: SmtpSettings,
    /// The IMAP server the copies of sent messages are filed on, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imap: Option<ImapSettings>,
    /// Which keyring holds the secret.
    #[serde(default)]
    pub secret_backend: SecretBackend,
    /// The person confirmed sending the password without encryption (`security = none`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_plaintext_auth: bool,
    /// The GNOME Online Accounts account whose credential this one uses (with
    /// `secret_backend = goa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goa_id: Option<String>,
    /// The SOCKS5 proxy this account's connections go through (instead of `ALL_PROXY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
    /// The one server certificate key accepted for this account, instead of the usual
    /// authorities: a certificate of the person's own server they chose to trust.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_certificate: Option<CertificatePin>,
    /// Reply-To and signature of its own address, and the other addresses it sends as.
    #[serde(flatten)]
    pub senders: Senders,
}

/// A field of an account that failed validation, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAccount {
    /// Not a usable e-mail address.
    #[error("{}", tr!("invalid-email", text = .0.as_str()))]
    Email(String),
    /// The display name contains a line break or control character.
    #[error("{}", tr!("invalid-display-name"))]
    DisplayName,
    /// Not a usable host name.
    #[error("{}", tr!("invalid-host", text = .0.as_str()))]
    Host(String),
    /// Port 0.
    #[error("{}", tr!("invalid-port"))]
    Port,
    /// The login name contains a line break or control character.
    #[error("{}", tr!("invalid-username"))]
    Username,
    /// A password would cross the network unencrypted without the person's consent.
    #[error("{}", tr!("invalid-plaintext"))]
    PlaintextAuthNotConfirmed,
    /// The Sent folder's name contains a line break or control character.
    #[error("{}", tr!("invalid-folder"))]
    Folder,
    /// The proxy cannot be used as written.
    #[error(transparent)]
    Proxy(BadProxy),
}

/// Checks an e-mail address ([`EmailAddress::parse`]) and returns it trimmed.
pub fn parse_email(s: &str) -> Result<String, InvalidAccount> {
    EmailAddress::parse(s)
        .map(|a| a.as_str().to_string())
        .map_err(|_| InvalidAccount::Email(s.trim().to_string()))
}

/// Checks a server host name or IP address ([`address::parse_host`]); its ASCII form.
pub fn parse_host(s: &str) -> Result<String, InvalidAccount> {
    address::parse_host(s).map_err(|e| InvalidAccount::Host(e.0))
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

impl Account {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), InvalidAccount> {
        parse_email(&self.email)?;
        if self.display_name.as_deref().is_some_and(has_control) {
            return Err(InvalidAccount::DisplayName);
        }
        parse_host(&self.smtp.host)?;
        if self.smtp.port == 0 {
            return Err(InvalidAccount::Port);
        }
        if let Some(imap) = &self.imap {
            parse_host(&imap.host)?;
            if imap.port == 0 {
                return Err(InvalidAccount::Port);
            }
            if imap.security == Security::None
                && self.smtp.auth.needs_secret()
                && !self.allow_plaintext_auth
            {
                return Err(InvalidAccount::PlaintextAuthNotConfirmed);
            }
            if imap.sent_folder.as_deref().is_some_and(has_control) {
                return Err(InvalidAccount::Folder);
            }
        }
        if has_control(&self.smtp.username) {
            return Err(InvalidAccount::Username);
        }
        if self.smtp.security == Security::None
            && self.smtp.auth.needs_secret()
            && !self.allow_plaintext_auth
        {
            return Err(InvalidAccount::PlaintextAuthNotConfirmed);
        }
        if let Some(r) = &self.senders.reply_to {
            parse_email(r)?;
        }
        self.senders
            .identities
            .iter()
            .try_for_each(|i| i.validate())
    }
}

/// An address mail is sent as, with what goes with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The From address.
    pub email: String,
    /// The name shown to recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Where replies go, when not to `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Added under messages written in Outpost, after the usual "-- " line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The server refused to send as this address, in its own words (from the last message
    /// it refused for that reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// What an account sends as besides its own address and name: a Reply-To and a signature
/// for that address, and its other identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Senders {
    /// Reply-To for the account's own address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The signature for the account's own address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Other addresses the account sends as.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Identity>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: AccountId::generate(),
            email: "ann@example.org".into(),
            display_name: Some("Ann".into()),
            smtp: SmtpSettings {
                host: "smtp.example.org".into(),
                port: 465,
                security: Security::Tls,
                username: "ann@example.org".into(),
                auth: AuthMethod::Password,
            },
            imap: None,
            secret_backend: SecretBackend::System,
            allow_plaintext_auth: false,
            goa_id: None,
            proxy: None,
            pinned_certificate: None,
            senders: Senders::default(),
        }
    }

    #[test]
    fn a_complete_account_is_valid() {
        assert_eq!(account().validate(), Ok(()));
    }

    #[test]
    fn plaintext_password_needs_consent() {
        let mut a = account();
        a.smtp.security = Security::None;
        assert_eq!(a.validate(), Err(InvalidAccount::PlaintextAuthNotConfirmed));
        a.allow_plaintext_auth = true;
        assert_eq!(a.validate(), Ok(()));
        a.allow_plaintext_auth = false;
        a.smtp.auth = AuthMethod::None;
        assert_eq!(a.validate(), Ok(()));
    }

    #[test]
    fn names_with_line_breaks_are_refused() {
        let mut a = account();
        a.display_name = Some("Ann\r\nBcc: x@y".into());
        assert_eq!(a.validate(), Err(InvalidAccount::DisplayName));
    }

    #[test]
    fn hosts_and_addresses_are_checked() {
        assert_eq!(
            parse_host("SMTP.Example.ORG"),
            Ok("smtp.example.org".into())
        );
        assert!(parse_host("smtp example.org").is_err());
        assert_eq!(
            parse_email(" ann@example.org"),
            Ok("ann@example.org".into())
        );
        assert!(parse_email("ann@").is_err());
        assert!(parse_email("ann example.org").is_err());
    }

    #[test]
    fn security_and_auth_parse_by_name() {
        assert_eq!("STARTTLS".parse::<Security>(), Ok(Security::Starttls));
        assert_eq!("oauth2".parse::<AuthMethod>(), Ok(AuthMethod::Oauth2));
        let err = "ssl".parse::<Security>().unwrap_err();
        assert!(err.contains("tls, starttls, none"), "{err}");
    }

    #[test]
    fn generated_ids_differ() {
        assert_ne!(AccountId::generate(), AccountId::generate());
        assert_eq!(AccountId::generate().as_str().len(), 16);
    }
}
