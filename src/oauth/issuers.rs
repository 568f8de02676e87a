//! The OAuth2 issuers Outpost can sign in with, keyed by SMTP host: the provider table's
//! issuers (from Thunderbird's ISPDB), with the settings files on top.

use std::path::PathBuf;

use super::config::{ConfigError, OauthConfig, ProviderConfig, value};
use super::error::OauthError;
use super::token::Client;
use crate::account::AuthMethod;
use crate::detect::Detection;
use crate::detect::config_xml::OAuth2Issuer;
use crate::detect::providers::ProviderTable;
use crate::paths::Paths;

/// One issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Short id used in settings (`google`, `microsoft`, …).
    pub id: String,
    /// The name on the sign-in button.
    pub name: String,
    /// The authorization endpoint.
    pub auth_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// Scopes for sending mail, space-separated.
    pub scope: String,
    /// SMTP hosts that accept its tokens, lower case.
    pub hosts: Vec<String>,
    /// The client id, when one is set.
    pub client_id: Option<String>,
    /// The client secret, when the provider gives one.
    pub client_secret: Option<String>,
    /// Where a client id is registered.
    pub register_url: Option<&'static str>,
    /// The issuer identifier whose metadata describes it (RFC 8414), for issuers found by
    /// detection: Outpost registers with those by itself (RFC 7591). For a sign-in, kept
    /// only when the metadata confirmed it: answers must then come from it (RFC 9207).
    pub identifier: Option<String>,
    /// The resource to ask tokens for (RFC 8707), as its metadata names it.
    pub resource: Option<String>,
    /// Its authorization responses must name it (RFC 9207), as its metadata says.
    pub names_itself: bool,
}

/// Issuers known by their ISPDB name: short id, name, where apps are registered.
const KNOWN: &[(&str, &str, &str, &str)] = &[
    (
        "accounts.google.com",
        "google",
        "Google",
        "https://console.cloud.google.com/apis/credentials",
    ),
    (
        "login.microsoftonline.com",
        "microsoft",
        "Microsoft",
        "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
    ),
    (
        "login.yahoo.com",
        "yahoo",
        "Yahoo",
        "https://developer.yahoo.com/apps/",
    ),
    (
        "login.aol.com",
        "aol",
        "AOL",
        "https://developer.yahoo.com/apps/",
    ),
    (
        "oauth.yandex.com",
        "yandex",
        "Yandex",
        "https://oauth.yandex.com/client/new",
    ),
    ("o2.mail.ru", "mailru", "Mail.ru", "https://o2.mail.ru/app/"),
    (
        "comcast.net",
        "comcast",
        "Comcast",
        "https://developer.comcast.com/",
    ),
];

/// All issuers, built-in and configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Issuers {
    list: Vec<Issuer>,
}

impl Issuers {
    /// The provider table's issuers, without client ids.
    pub fn builtin() -> Self {
        let mut list: Vec<Issuer> = Vec::new();
        for p in ProviderTable::builtin().providers() {
            let Some(o) = &p.oauth2 else { continue };
            let known = KNOWN.iter().find(|k| k.0 == o.issuer);
            let id = known.map_or(o.issuer.as_str(), |k| k.1);
            let hosts = p
                .outgoing
                .iter()
                .map(|s| s.hostname.to_ascii_lowercase())
                .filter(|h| !h.contains('%'));
            match list.iter_mut().find(|i| i.id == id) {
                Some(i) => i.hosts.extend(hosts),
                None => list.push(Issuer {
                    id: id.to_string(),
                    name: known.map_or(p.name.clone(), |k| k.2.to_string()),
                    auth_url: o.auth_url.clone(),
                    token_url: o.token_url.clone(),
                    scope: o.scope.clone(),
                    hosts: hosts.collect(),
                    client_id: None,
                    client_secret: None,
                    register_url: known.map(|k| k.3),
                    identifier: None,
                    resource: None,
                    names_itself: false,
                }),
            }
        }
        for i in &mut list {
            i.hosts.sort();
            i.hosts.dedup();
        }
        Self { list }
    }

    /// The built-in issuers with the settings files of `paths` applied.
    pub fn load(paths: &Paths) -> Result<Self, ConfigError> {
        let mut issuers = Self::builtin();
        for (path, layer) in OauthConfig::layers(paths)? {
            issuers.apply(&path, &layer)?;
        }
        Ok(issuers)
    }

    /// Applies one settings file: fields given replace the issuer's; a new id must give
    /// endpoints, scopes and hosts.
    pub fn apply(
        &mut self,
        path: &std::path::Path,
        config: &OauthConfig,
    ) -> Result<(), ConfigError> {
        for (id, c) in &config.providers {
            let issuer = match self.list.iter_mut().find(|i| i.id == *id) {
                Some(i) => i,
                None => {
                    self.list.push(new_issuer(path.into(), id, c)?);
                    #[expect(clippy::expect_used, reason = "an issuer was pushed a line above")]
                    let last = self.list.last_mut().expect("just pushed");
                    last
                }
            };
            let set = |field: &mut String, typed: &Option<String>| {
                if let Some(v) = typed.as_deref().and_then(value) {
                    *field = v;
                }
            };
            set(&mut issuer.name, &c.name);
            set(&mut issuer.auth_url, &c.auth_url);
            set(&mut issuer.token_url, &c.token_url);
            set(&mut issuer.scope, &c.scope);
            if let Some(v) = c.client_id.as_deref().and_then(value) {
                issuer.client_id = Some(v);
            }
            if let Some(v) = c.client_secret.as_deref().and_then(value) {
                issuer.client_secret = Some(v);
            }
            if let Some(v) = c.issuer.as_deref().and_then(value) {
                issuer.identifier = Some(v);
            }
            for h in &c.hosts {
                let h = h.trim().to_ascii_lowercase();
                if !issuer.hosts.contains(&h) {
                    issuer.hosts.push(h);
                }
            }
        }
        Ok(())
    }

    /// All issuers, the table's first.
    pub fn all(&self) -> &[Issuer] {
        &self.list
    }

    /// The issuer with this id.
    pub fn get(&self, id: &str) -> Option<&Issuer> {
        self.list.iter().find(|i| i.id == id)
    }

    /// The issuer whose tokens the SMTP server `host` accepts.
    pub fn for_host(&self, host: &str) -> Option<&Issuer> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        // Settings files come last and win over the table.
        self.list.iter().rev().find(|i| i.hosts.contains(&host))
    }
}

impl Issuers {
    /// A source that does not say how to log in leaves "password" as a default; a server
    /// that a sign-in provider names signs in with that provider instead.
    pub fn prefer_sign_in(&self, detection: &mut Detection) {
        let candidates = std::iter::once(&mut detection.chosen).chain(&mut detection.alternatives);
        for c in candidates {
            if c.auth_default
                && c.smtp.auth == AuthMethod::Password
                && self.for_host(&c.smtp.host).is_some()
            {
                c.smtp.auth = AuthMethod::Oauth2;
            }
        }
    }
}

fn new_issuer(path: PathBuf, id: &str, c: &ProviderConfig) -> Result<Issuer, ConfigError> {
    let need = |v: &Option<String>, what: &str| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ConfigError::Invalid {
                path: path.clone(),
                problem: tr!("provider-needs", id = id, what = what),
            })
    };
    if c.hosts.is_empty() {
        return Err(ConfigError::Invalid {
            path,
            problem: tr!("provider-no-hosts", id = id),
        });
    }
    Ok(Issuer {
        id: id.to_string(),
        name: c.name.clone().unwrap_or_else(|| id.to_string()),
        auth_url: need(&c.auth_url, "auth_url")?,
        token_url: need(&c.token_url, "token_url")?,
        scope: need(&c.scope, "scope")?,
        hosts: vec![],
        client_id: None,
        client_secret: None,
        register_url: None,
        identifier: None,
        resource: None,
        names_itself: false,
    })
}

impl Issuer {
    /// The issuer a domain's configuration named for the SMTP server `host`, before it is
    /// kept in the settings (signing in keeps it): named by the provider, else by itself.
    pub fn found(found: &OAuth2Issuer, host: &str) -> Self {
        let identifier = super::metadata::identifier(&found.issuer);
        let id = identifier
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string();
        Self {
            name: Some(found.name.trim())
                .filter(|n| !n.is_empty())
                .map_or_else(|| id.clone(), String::from),
            id,
            auth_url: found.auth_url.clone(),
            token_url: found.token_url.clone(),
            scope: found.scope.clone(),
            hosts: vec![host.to_ascii_lowercase()],
            client_id: None,
            client_secret: None,
            register_url: None,
            identifier: Some(identifier),
            resource: None,
            names_itself: false,
        }
    }

    /// Whether signing in can start: a client id is set, or the issuer was found by
    /// detection and Outpost registers with it as it signs in.
    pub fn can_sign_in(&self) -> bool {
        self.client_id.is_some() || self.identifier.is_some()
    }

    /// The registered client, or what to do to get one.
    pub fn client(&self) -> Result<Client, OauthError> {
        let client_id = self
            .client_id
            .clone()
            .ok_or_else(|| OauthError::NoClientId {
                id: self.id.clone(),
                name: self.name.clone(),
                register_url: self.register_url.unwrap_or_default().to_string(),
            })?;
        Ok(Client {
            issuer: self.id.clone(),
            token_url: self.token_url.clone(),
            client_id,
            client_secret: self.client_secret.clone(),
            resource: self.resource.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_big_four_are_found_by_their_smtp_host() {
        let all = Issuers::builtin();
        for (host, id, scope) in [
            ("smtp.gmail.com", "google", "https://mail.google.com/"),
            (
                "smtp.office365.com",
                "microsoft",
                "https://outlook.office365.com/SMTP.Send offline_access",
            ),
            (
                "SMTP-MAIL.outlook.com.",
                "microsoft",
                "https://outlook.office365.com/SMTP.Send offline_access",
            ),
            ("smtp.mail.yahoo.com", "yahoo", "mail-w"),
            ("smtp.aol.com", "aol", "mail-w"),
        ] {
            let i = all.for_host(host).unwrap_or_else(|| panic!("{host}"));
            assert_eq!((i.id.as_str(), i.scope.as_str()), (id, scope), "{host}");
            assert!(i.auth_url.starts_with("https://") && i.token_url.starts_with("https://"));
            assert!(i.client_id.is_none(), "no client id is built in");
        }
        assert!(all.for_host("smtp.example.org").is_none());
    }

    #[test]
    fn settings_add_client_ids_and_new_providers_and_refuse_plain_http() {
        let mut all = Issuers::builtin();
        let config: OauthConfig = serde_json::from_str(
            r#"{"providers": {
                "google": {"client_id": "123.apps", "client_secret": "GOCSPX"},
                "lab": {"name": "Lab", "auth_url": "https://a.test/auth",
                        "token_url": "https://a.test/token", "scope": "smtp",
                        "hosts": ["Mail.Lab.Test"]}}}"#,
        )
        .unwrap();
        all.apply(std::path::Path::new("x.json"), &config).unwrap();
        let google = all.get("google").unwrap().client().unwrap();
        assert_eq!(google.client_id, "123.apps");
        assert_eq!(all.for_host("mail.lab.test").unwrap().name, "Lab");
        let no_id = all.get("yahoo").unwrap().client().unwrap_err();
        assert!(no_id.to_string().contains("client id"), "{no_id}");

        let incomplete: OauthConfig =
            serde_json::from_str(r#"{"providers": {"x": {"hosts": ["h"]}}}"#).unwrap();
        let e = all
            .apply(std::path::Path::new("x.json"), &incomplete)
            .unwrap_err();
        assert!(e.to_string().contains("auth_url"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oauth2.json");
        std::fs::write(
            &path,
            r#"{"providers": {"google": {"token_url": "http://t/"}}}"#,
        )
        .unwrap();
        let e = OauthConfig::read(&path).unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
    }
}
