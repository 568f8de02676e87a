//! KMail: `$XDG_CONFIG_HOME/mailtransports`, one `[Transport ID]` group each with `host`,
//! `port`, `encryption` (`SSL`: TLS from the start; `TLS`: STARTTLS; `None`), `user`,
//! `requiresAuthentication`, `name`; the identity that sends through it comes from
//! `$XDG_CONFIG_HOME/emailidentities` (`[Identity #N]`: `Email Address`, `Name`,
//! `Transport`). Passwords live in KWallet and are never read.

use super::ini;
use super::model::{Found, Places};
use super::reader::{Reader, port, settings};
use crate::account::{AuthMethod, Security};

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    let place = places.config.join("mailtransports");
    let Some(text) = r.read(&place) else { return };
    let identities = r
        .read(&places.config.join("emailidentities"))
        .map(|t| ini::parse(&t))
        .unwrap_or_default();
    for s in ini::parse(&text) {
        let Some(id) = s.name.strip_prefix("Transport ") else {
            continue;
        };
        let Some(host) = s.get("host").filter(|h| !h.is_empty()) else {
            r.note(&place, tr!("import-kmail-no-host", id = id));
            continue;
        };
        let security = match s.get("encryption").map(str::to_ascii_uppercase).as_deref() {
            Some("SSL") => Security::Tls,
            Some("TLS") => Security::Starttls,
            _ => Security::None,
        };
        let port = match port(s.get("port")) {
            Ok(p) => p,
            Err(e) => {
                r.note(&place, tr!("import-kmail-error", id = id, error = e));
                continue;
            }
        };
        let auth = if s.get("requiresAuthentication") == Some("true") {
            match s.get("authenticationType") {
                Some("XOAUTH2") | Some("8") => AuthMethod::Oauth2,
                _ => AuthMethod::Password,
            }
        } else {
            AuthMethod::None
        };
        let identity = identities
            .iter()
            .find(|i| i.name.starts_with("Identity") && i.get("Transport") == Some(id));
        r.found(Found {
            program: r.program,
            name: s.get("name").unwrap_or(id).to_string(),
            place: place.clone(),
            email: identity
                .and_then(|i| i.get("Email Address"))
                .map(str::to_string),
            display_name: identity.and_then(|i| i.get("Name")).map(str::to_string),
            smtp: settings(host, port, security, s.get("user"), auth),
            goa_id: None,
            imap: None,
        });
    }
}
