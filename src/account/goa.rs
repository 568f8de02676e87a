//! GNOME Online Accounts (GOA): the mail accounts added in GNOME Settings → Online Accounts,
//! read over the session D-Bus (`org.gnome.OnlineAccounts`, its `Account` and `Mail`
//! interfaces), and their credentials asked for at each use — the password
//! (`PasswordBased.GetPassword("smtp-password")`) or a fresh access token
//! (`OAuth2Based.GetAccessToken`). Outpost stores none of them: GOA manages them.

#[cfg(target_os = "linux")]
use std::collections::HashMap;

#[cfg(target_os = "linux")]
use zbus::blocking::Connection;
#[cfg(target_os = "linux")]
use zbus::zvariant::OwnedValue;

use super::keyring::SecretError;
#[cfg(target_os = "linux")]
use super::model::Security;
use super::model::{AuthMethod, SmtpSettings};
use crate::secret::Secret;

#[cfg(target_os = "linux")]
const SERVICE: &str = "org.gnome.OnlineAccounts";
#[cfg(target_os = "linux")]
const ROOT: &str = "/org/gnome/OnlineAccounts";
#[cfg(target_os = "linux")]
const ACCOUNT: &str = "org.gnome.OnlineAccounts.Account";
#[cfg(target_os = "linux")]
const MAIL: &str = "org.gnome.OnlineAccounts.Mail";

/// A GOA account that sends mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoaAccount {
    /// GOA's id for it (e.g. `account_1700000000_0`).
    pub id: String,
    /// Its provider (`google`, `ms365`, `imap_smtp`, …).
    pub provider: String,
    /// The address it sends from.
    pub email: String,
    /// The sender's name.
    pub name: Option<String>,
    /// Its SMTP settings.
    pub smtp: SmtpSettings,
    /// Its IMAP server (host, port, security), where GOA has one: copies of sent messages
    /// go there.
    pub imap: Option<(String, u16, Security)>,
    /// GOA says the person must sign in again.
    pub attention_needed: bool,
}

#[cfg(target_os = "linux")]
type Properties = HashMap<String, OwnedValue>;

#[cfg(target_os = "linux")]
fn text(p: &Properties, key: &str) -> Option<String> {
    p.get(key)
        .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
        .filter(|s| !s.is_empty())
}

#[cfg(target_os = "linux")]
fn flag(p: &Properties, key: &str) -> bool {
    p.get(key)
        .and_then(|v| bool::try_from(v).ok())
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
/// The encryption GOA sets for the `Smtp` or `Imap` server: `…UseSsl`, `…UseTls` or neither.
fn encryption(p: &Properties, server: &str) -> Security {
    if flag(p, &format!("{server}UseSsl")) {
        Security::Tls
    } else if flag(p, &format!("{server}UseTls")) {
        Security::Starttls
    } else {
        Security::None
    }
}

#[cfg(target_os = "linux")]
fn unavailable(e: zbus::Error) -> SecretError {
    SecretError::NoService {
        detail: format!("GNOME Online Accounts: {e}"),
    }
}

#[cfg(target_os = "linux")]
/// `host[:port]` as GOA writes it, with the usual port for `security` when none is given.
fn server(host: &str, security: Security) -> (String, u16) {
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => match p.parse() {
            Ok(port) => (h.trim_matches(['[', ']']).to_string(), port),
            Err(_) => (host.to_string(), security.default_port()),
        },
        _ => (host.to_string(), security.default_port()),
    }
}

#[cfg(target_os = "linux")]
/// The GOA accounts that send mail. Blocks on the session bus; with no GOA running, none.
pub fn list() -> Result<Vec<GoaAccount>, SecretError> {
    let conn = Connection::session().map_err(unavailable)?;
    let manager = zbus::blocking::fdo::ObjectManagerProxy::builder(&conn)
        .destination(SERVICE)
        .and_then(|b| b.path(ROOT))
        .and_then(|b| b.build())
        .map_err(unavailable)?;
    let objects = match manager.get_managed_objects() {
        Ok(o) => o,
        // GOA is not installed or not running: nothing to find.
        Err(zbus::fdo::Error::ServiceUnknown(_)) => return Ok(vec![]),
        Err(e) => return Err(unavailable(e.into())),
    };
    let mut out = vec![];
    for interfaces in objects.values() {
        let get = |name: &str| {
            interfaces
                .iter()
                .find(|(i, _)| i.as_str() == name)
                .map(|(_, p)| p)
        };
        let (Some(account), Some(mail)) = (get(ACCOUNT), get(MAIL)) else {
            continue;
        };
        if !flag(mail, "SmtpSupported") || flag(account, "MailDisabled") {
            continue;
        }
        let (Some(id), Some(host), Some(email)) = (
            text(account, "Id"),
            text(mail, "SmtpHost"),
            text(mail, "EmailAddress"),
        ) else {
            continue;
        };
        let security = encryption(mail, "Smtp");
        let (host, port) = server(&host, security);
        let imap = text(mail, "ImapHost")
            .filter(|_| flag(mail, "ImapSupported"))
            .map(|h| {
                let security = encryption(mail, "Imap");
                // `server` fills in the SMTP port when none is written: IMAP's instead.
                let (host, port) = match server(&h, security) {
                    (host, _) if host == h => (host, security.imap_port()),
                    written => written,
                };
                (host.to_ascii_lowercase(), port, security)
            });
        let auth = if flag(mail, "SmtpAuthXoauth2") {
            AuthMethod::Oauth2
        } else if flag(mail, "SmtpUseAuth") {
            AuthMethod::Password
        } else {
            AuthMethod::None
        };
        out.push(GoaAccount {
            id,
            provider: text(account, "ProviderType").unwrap_or_default(),
            email: email.clone(),
            name: text(mail, "Name"),
            smtp: SmtpSettings {
                host: host.to_ascii_lowercase(),
                port,
                security,
                username: text(mail, "SmtpUserName").unwrap_or(email),
                auth,
            },
            imap,
            attention_needed: flag(account, "AttentionNeeded"),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

#[cfg(target_os = "linux")]
/// What GOA hands out for account `id` to log in with `auth` to `service` (`smtp` or `imap`):
/// its password for that server, or a fresh access token. Blocks on the session bus.
pub fn credential(id: &str, auth: AuthMethod, service: &str) -> Result<Secret, SecretError> {
    let conn = Connection::session().map_err(unavailable)?;
    let path = format!("{ROOT}/Accounts/{id}");
    let gone = || SecretError::GoaGone { id: id.to_string() };
    // GOA (through GDBus) answers a removed account's path with UnknownMethod, "Object does
    // not exist at path …".
    let refused = |e: zbus::Error| match e {
        zbus::Error::MethodError(name, _, _)
            if name.as_str().contains("UnknownObject")
                || name.as_str().contains("UnknownMethod") =>
        {
            gone()
        }
        zbus::Error::FDO(ref f)
            if matches!(
                **f,
                zbus::fdo::Error::UnknownObject(_) | zbus::fdo::Error::UnknownMethod(_)
            ) =>
        {
            gone()
        }
        zbus::Error::MethodError(_, detail, _) => SecretError::GoaAttention {
            id: id.to_string(),
            detail: detail.unwrap_or_default(),
        },
        other => unavailable(other),
    };
    let reply = if auth == AuthMethod::Oauth2 {
        conn.call_method(
            Some(SERVICE),
            path.as_str(),
            Some("org.gnome.OnlineAccounts.OAuth2Based"),
            "GetAccessToken",
            &(),
        )
        .map_err(refused)?
        .body()
        .deserialize::<(String, i32)>()
        .map(|(token, _)| token)
    } else {
        conn.call_method(
            Some(SERVICE),
            path.as_str(),
            Some("org.gnome.OnlineAccounts.PasswordBased"),
            "GetPassword",
            &(format!("{service}-password"),),
        )
        .map_err(refused)?
        .body()
        .deserialize::<String>()
    };
    reply.map(Secret::new).map_err(unavailable)
}

/// GNOME Online Accounts exists on Linux desktops only: elsewhere there is none to read.
#[cfg(not(target_os = "linux"))]
pub fn list() -> Result<Vec<GoaAccount>, SecretError> {
    Ok(vec![])
}

/// GNOME Online Accounts exists on Linux desktops only.
#[cfg(not(target_os = "linux"))]
pub fn credential(_id: &str, _auth: AuthMethod, _service: &str) -> Result<Secret, SecretError> {
    Err(SecretError::Unsupported {
        backend: super::keyring::SecretBackend::Goa,
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn goa_servers_are_read_with_or_without_a_port() {
        assert_eq!(
            server("smtp.example.org:2525", Security::Starttls),
            ("smtp.example.org".into(), 2525)
        );
        assert_eq!(
            server("smtp.gmail.com", Security::Tls),
            ("smtp.gmail.com".into(), 465)
        );
    }
}
