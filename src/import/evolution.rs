//! Evolution: `$XDG_CONFIG_HOME/evolution/sources/*.source`. A mail transport source
//! (`[Mail Transport] BackendName=smtp`) holds `[Authentication] Host, Port, User, Method` and
//! `[Security] Method` (`ssl-on-alternate-port`: TLS from the start;
//! `starttls-on-standard-port`: STARTTLS); the identity that sends through it
//! (`[Mail Submission] TransportUid`) gives `[Mail Identity] Address` and `Name`. Passwords
//! live in the keyring and are never read.

use super::ini::{self, Section};
use super::model::{Found, Places};
use super::reader::{Reader, port, settings};
use crate::account::{AuthMethod, Security};

fn section<'a>(sections: &'a [Section], name: &str) -> Option<&'a Section> {
    sections.iter().find(|s| s.name == name)
}

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    let dir = places.config.join("evolution/sources");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut sources: Vec<(String, std::path::PathBuf, Vec<Section>)> = vec![];
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "source"))
        .collect();
    paths.sort();
    for path in paths {
        let Some(text) = r.read(&path) else { continue };
        let uid = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        sources.push((uid, path, ini::parse(&text)));
    }
    for (uid, path, s) in &sources {
        let is_smtp = section(s, "Mail Transport")
            .and_then(|t| t.get("BackendName"))
            .is_some_and(|b| b == "smtp");
        if !is_smtp {
            continue;
        }
        let Some(a) = section(s, "Authentication") else {
            r.note(path, tr!("import-no-auth-section"));
            continue;
        };
        let Some(host) = a.get("Host").filter(|h| !h.is_empty()) else {
            r.note(path, tr!("import-transport-no-host"));
            continue;
        };
        let security = match section(s, "Security").and_then(|x| x.get("Method")) {
            Some("ssl-on-alternate-port") => Security::Tls,
            Some("starttls-on-standard-port") => Security::Starttls,
            _ => Security::None,
        };
        let port = match port(a.get("Port").filter(|p| *p != "0")) {
            Ok(p) => p,
            Err(e) => {
                r.note(path, e);
                continue;
            }
        };
        let user = a.get("User").filter(|u| !u.is_empty());
        let auth = match (user, a.get("Method")) {
            (None, _) => AuthMethod::None,
            (Some(_), Some(m)) if m.eq_ignore_ascii_case("XOAUTH2") => AuthMethod::Oauth2,
            (Some(_), _) => AuthMethod::Password,
        };
        let identity = sources.iter().find_map(|(_, _, other)| {
            let uses = section(other, "Mail Submission")
                .and_then(|m| m.get("TransportUid"))
                .is_some_and(|t| t == uid);
            uses.then(|| section(other, "Mail Identity")).flatten()
        });
        let name = section(s, "Data Source")
            .and_then(|d| d.get("DisplayName"))
            .unwrap_or(uid);
        r.found(Found {
            program: r.program,
            name: name.to_string(),
            place: path.clone(),
            email: identity.and_then(|i| i.get("Address")).map(str::to_string),
            display_name: identity.and_then(|i| i.get("Name")).map(str::to_string),
            smtp: settings(host, port, security, user, auth),
            goa_id: None,
            imap: None,
        });
    }
}
