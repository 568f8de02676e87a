//! msmtp: `~/.msmtprc` or `$XDG_CONFIG_HOME/msmtp/config` — `defaults`, then `account NAME
//! [: PARENT…]` blocks of `host`, `port`, `from`, `user`, `auth`, `tls`, `tls_starttls`
//! (msmtp(1), "Configuration files"). `password` and `passwordeval` are never read.

use std::collections::HashMap;

use super::model::{Found, Places};
use super::reader::{Reader, port, sender, settings};
use crate::account::{AuthMethod, Security};

type Block = HashMap<String, String>;

fn on(value: Option<&String>, default: bool) -> bool {
    value.map_or(default, |v| matches!(v.trim(), "on" | ""))
}

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    for place in [
        places.home.join(".msmtprc"),
        places.config.join("msmtp/config"),
    ] {
        let Some(text) = r.read(&place) else { continue };
        let mut defaults = Block::new();
        let mut accounts: Vec<(String, Block)> = vec![];
        let mut current: Option<usize> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(char::is_whitespace)
                .map_or((line, ""), |(k, v)| (k, v.trim()));
            match key {
                "defaults" => current = None,
                "account" => {
                    let (name, parents) = value
                        .split_once(':')
                        .map_or((value, ""), |(n, p)| (n.trim(), p.trim()));
                    if name == "default" {
                        // `account default : NAME` names the default; it is no account of its own.
                        current = None;
                        continue;
                    }
                    let mut block = defaults.clone();
                    for parent in parents.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        if let Some((_, b)) = accounts.iter().find(|(n, _)| n == parent) {
                            block.extend(b.clone());
                        }
                    }
                    accounts.push((name.to_string(), block));
                    current = Some(accounts.len() - 1);
                }
                _ => {
                    let block = match current {
                        Some(i) => &mut accounts[i].1,
                        None => &mut defaults,
                    };
                    block.insert(key.to_string(), value.to_string());
                }
            }
        }
        for (name, b) in accounts {
            let Some(host) = b.get("host").filter(|h| !h.is_empty()) else {
                r.note(&place, tr!("import-msmtp-no-host", name = name.as_str()));
                continue;
            };
            let tls = on(b.get("tls"), false);
            let security = match (tls, on(b.get("tls_starttls"), true)) {
                (false, _) => Security::None,
                (true, true) => Security::Starttls,
                (true, false) => Security::Tls,
            };
            let port = match port(b.get("port").map(String::as_str)) {
                Ok(p) => p.or(Some(if security == Security::Tls { 465 } else { 25 })),
                Err(e) => {
                    r.note(
                        &place,
                        tr!("import-msmtp-error", name = name.as_str(), error = e),
                    );
                    continue;
                }
            };
            let auth = match b.get("auth").map(|a| a.trim().to_ascii_lowercase()) {
                None => AuthMethod::None,
                Some(a) if a == "off" => AuthMethod::None,
                Some(a) if a == "oauthbearer" || a == "xoauth2" => AuthMethod::Oauth2,
                Some(_) => AuthMethod::Password,
            };
            let user = b.get("user").map(String::as_str);
            r.found(Found {
                program: r.program,
                name,
                place: place.clone(),
                email: b.get("from").map(|f| sender(f).1).unwrap_or_default(),
                display_name: None,
                smtp: settings(host, port, security, user, auth),
                goa_id: None,
                imap: None,
            });
        }
    }
}
