//! git send-email: `[sendemail]` and `[sendemail "IDENTITY"]` in `~/.gitconfig`,
//! `$XDG_CONFIG_HOME/git/config` and a repository's `.git/config` — `smtpServer`,
//! `smtpServerPort`, `smtpEncryption` (`ssl` = TLS from the start, `tls` = STARTTLS),
//! `smtpUser`, `from` (git-send-email(1)). `smtpPass` is never read.

use super::ini;
use super::model::{Found, Places};
use super::reader::{Reader, port, sender, settings};
use crate::account::{AuthMethod, Security};

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    let mut files = vec![
        places.home.join(".gitconfig"),
        places.config.join("git/config"),
    ];
    if let Some(repo) = &places.repository {
        files.push(repo.join(".git/config"));
    }
    for place in files {
        let Some(text) = r.read(&place) else { continue };
        for s in ini::parse(&text) {
            let name = s.name.trim();
            let identity = if name.eq_ignore_ascii_case("sendemail") {
                "sendemail".to_string()
            } else if let Some(rest) = name
                .get(..9)
                .filter(|p| p.eq_ignore_ascii_case("sendemail"))
                .map(|_| name[9..].trim())
            {
                format!("sendemail.{}", rest.trim_matches('"'))
            } else {
                continue;
            };
            let Some(host) = s.get("smtpServer").filter(|h| !h.starts_with('/')) else {
                // No server, or a local sendmail program: nothing to send through.
                continue;
            };
            let security = match s.get("smtpEncryption").map(str::to_ascii_lowercase) {
                Some(e) if e == "ssl" => Security::Tls,
                Some(e) if e == "tls" => Security::Starttls,
                _ => Security::None,
            };
            let port = match port(s.get("smtpServerPort")) {
                Ok(p) => p.or(Some(if security == Security::Tls { 465 } else { 25 })),
                Err(e) => {
                    r.note(&place, tr!("import-section-error", name = name, error = e));
                    continue;
                }
            };
            let user = s.get("smtpUser");
            let auth = if user.is_some() {
                AuthMethod::Password
            } else {
                AuthMethod::None
            };
            let (display_name, email) = s.get("from").map(sender).unwrap_or_default();
            r.found(Found {
                program: r.program,
                name: identity,
                place: place.clone(),
                email,
                display_name,
                smtp: settings(host, port, security, user, auth),
                goa_id: None,
                imap: None,
            });
        }
    }
}
