//! mutt and neomutt: `set smtp_url = "smtps://USER@HOST:PORT/"` (smtps: TLS from the start;
//! smtp: STARTTLS, as `ssl_starttls` is on by default), with `set from` and `set realname`,
//! in `~/.muttrc`, `~/.mutt/muttrc`, `$XDG_CONFIG_HOME/mutt/muttrc`, `~/.neomuttrc` and
//! `$XDG_CONFIG_HOME/neomutt/neomuttrc` (muttrc(5)). `smtp_pass` is never read.

use super::model::{Found, Places};
use super::reader::{Reader, sender, settings};
use crate::account::{AuthMethod, Security};

/// The value of `set NAME = VALUE` on `line`, quotes removed.
fn set<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix("set")?.trim_start();
    let rest = rest.strip_prefix(name)?.trim_start();
    let value = rest.strip_prefix('=')?.trim();
    Some(value.trim_matches(|c| c == '"' || c == '\''))
}

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    for place in [
        places.home.join(".muttrc"),
        places.home.join(".mutt/muttrc"),
        places.config.join("mutt/muttrc"),
        places.home.join(".neomuttrc"),
        places.config.join("neomutt/neomuttrc"),
    ] {
        let Some(text) = r.read(&place) else { continue };
        let (mut url, mut from, mut realname) = (None, None, None);
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some(v) = set(line, "smtp_url") {
                url = Some(v.to_string());
            } else if let Some(v) = set(line, "from") {
                from = Some(v.to_string());
            } else if let Some(v) = set(line, "realname") {
                realname = Some(v.to_string());
            }
        }
        let Some(url) = url else { continue };
        let Ok(parsed) = url::Url::parse(&url) else {
            r.note(&place, tr!("import-mutt-not-address", url = url.as_str()));
            continue;
        };
        let security = match parsed.scheme() {
            "smtps" => Security::Tls,
            "smtp" => Security::Starttls,
            other => {
                r.note(&place, tr!("import-mutt-scheme", scheme = other));
                continue;
            }
        };
        let Some(host) = parsed.host_str() else {
            r.note(&place, tr!("import-mutt-no-server", url = url.as_str()));
            continue;
        };
        let user = url::form_urlencoded::parse(format!("u={}", parsed.username()).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .filter(|u| !u.is_empty());
        let port = parsed
            .port()
            .or(Some(if security == Security::Tls { 465 } else { 25 }));
        let auth = if user.is_some() {
            AuthMethod::Password
        } else {
            AuthMethod::None
        };
        let (name, email) = from.as_deref().map(sender).unwrap_or_default();
        r.found(Found {
            program: r.program,
            name: place
                .file_name()
                .map(|f| f.to_string_lossy().trim_start_matches('.').to_string())
                .unwrap_or_default(),
            place: place.clone(),
            email,
            display_name: realname.or(name),
            smtp: settings(host, port, security, user.as_deref(), auth),
            goa_id: None,
            imap: None,
        });
    }
}
