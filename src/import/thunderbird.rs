//! Thunderbird: each profile of `profiles.ini` (in `~/.thunderbird`, and the Flatpak's and the
//! Snap's folders), its `prefs.js`: `mail.smtpserver.KEY.hostname`, `.port`, `.try_ssl` (0 none,
//! 1 and 2 STARTTLS, 3 TLS from the start), `.username`, `.authMethod` (1 none, 10 OAuth2,
//! others a password), and the identities (`mail.identity.ID.useremail`, `.fullName`,
//! `.smtpServer`; without one, `mail.smtp.defaultserver`). Saved passwords are never read.

use std::collections::BTreeMap;
use std::path::Path;

use super::ini;
use super::model::{Found, Places};
use super::reader::{Reader, port, settings};
use crate::account::{AuthMethod, Security};

/// `user_pref("NAME", VALUE);` lines: name → value (strings unquoted, numbers as written).
fn prefs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(inner) = line
            .trim()
            .strip_prefix("user_pref(")
            .and_then(|l| l.strip_suffix(");"))
        else {
            continue;
        };
        let Ok(serde_json::Value::Array(pair)) = serde_json::from_str(&format!("[{inner}]")) else {
            continue;
        };
        if let [serde_json::Value::String(k), v] = pair.as_slice() {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.insert(k.clone(), v);
        }
    }
    out
}

/// Where Thunderbird keeps its profiles: its own folder, the Flatpak's and the Snap's.
fn roots(places: &Places) -> [std::path::PathBuf; 3] {
    [
        places.home.join(".thunderbird"),
        places
            .home
            .join(".var/app/org.mozilla.Thunderbird/.thunderbird"),
        places.home.join("snap/thunderbird/common/.thunderbird"),
    ]
}

/// The profiles a `profiles.ini` in `root` lists: each one's name and folder.
fn profiles(root: &Path, index: &str) -> Vec<(String, std::path::PathBuf)> {
    ini::parse(index)
        .iter()
        .filter(|s| s.name.starts_with("Profile"))
        .filter_map(|s| {
            let path = s.get("Path")?;
            let dir = if s.get("IsRelative") == Some("0") {
                Path::new(path).to_path_buf()
            } else {
                root.join(path)
            };
            Some((s.get("Name").unwrap_or(path).to_string(), dir))
        })
        .collect()
}

/// Every Thunderbird profile's folder on this computer.
pub fn profile_dirs(places: &Places) -> Vec<std::path::PathBuf> {
    roots(places)
        .iter()
        .filter_map(|root| {
            let index = std::fs::read_to_string(root.join("profiles.ini")).ok()?;
            Some(profiles(root, &index))
        })
        .flatten()
        .map(|(_, dir)| dir)
        .collect()
}

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    for root in roots(places) {
        let Some(text) = r.read(&root.join("profiles.ini")) else {
            continue;
        };
        for (profile, dir) in profiles(&root, &text) {
            profile_servers(r, &dir.join("prefs.js"), &profile);
        }
    }
}

fn profile_servers(r: &mut Reader<'_>, place: &Path, profile: &str) {
    let Some(text) = r.read(place) else {
        return;
    };
    let p = prefs(&text);
    let get = |key: String| p.get(&key).map(String::as_str);
    let default_server = get("mail.smtp.defaultserver".into());
    // Identities: id → (address, name, server key).
    let mut identities: Vec<(String, Option<String>, Option<String>)> = vec![];
    for (k, v) in &p {
        if let Some(id) = k
            .strip_prefix("mail.identity.")
            .and_then(|r| r.strip_suffix(".useremail"))
        {
            identities.push((
                v.clone(),
                get(format!("mail.identity.{id}.fullName")).map(str::to_string),
                get(format!("mail.identity.{id}.smtpServer"))
                    .or(default_server)
                    .map(str::to_string),
            ));
        }
    }
    let keys: Vec<String> = match get("mail.smtpservers".into()) {
        Some(list) => list.split(',').map(|k| k.trim().to_string()).collect(),
        None => p
            .keys()
            .filter_map(|k| {
                k.strip_prefix("mail.smtpserver.")?
                    .strip_suffix(".hostname")
                    .map(str::to_string)
            })
            .collect(),
    };
    for key in keys.into_iter().filter(|k| !k.is_empty()) {
        let field = |f: &str| get(format!("mail.smtpserver.{key}.{f}"));
        let Some(host) = field("hostname").filter(|h| !h.is_empty()) else {
            r.note(place, tr!("import-tb-no-host", key = key.as_str()));
            continue;
        };
        let security = match field("try_ssl") {
            Some("3") => Security::Tls,
            Some("1" | "2") => Security::Starttls,
            _ => Security::None,
        };
        let port = match port(field("port").filter(|p| *p != "0")) {
            Ok(p) => p.or(Some(if security == Security::Tls { 465 } else { 587 })),
            Err(e) => {
                r.note(place, tr!("import-tb-error", key = key.as_str(), error = e));
                continue;
            }
        };
        let auth = match field("authMethod") {
            Some("1") => AuthMethod::None,
            Some("10") => AuthMethod::Oauth2,
            _ => AuthMethod::Password,
        };
        let identity = identities
            .iter()
            .find(|(_, _, server)| server.as_deref() == Some(key.as_str()));
        r.found(Found {
            program: r.program,
            name: format!("{profile}/{key}"),
            place: place.to_path_buf(),
            email: identity.map(|i| i.0.clone()),
            display_name: identity.and_then(|i| i.1.clone()),
            smtp: settings(host, port, security, field("username"), auth),
            goa_id: None,
            imap: None,
        });
    }
}
