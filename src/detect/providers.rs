//! The built-in provider table: mail domain → SMTP servers, generated from Thunderbird's ISPDB
//! by `tools/provider-table` into `assets/providers.tsv` and embedded in the binary. Needs no
//! network; looking a domain up is one hash lookup.
//!
//! The format is line-based and tab-separated:
//! `P id name` starts a provider, `D domain` adds a domain, `S host port security username
//! auth,auth` adds an SMTP server (preferred first), `I host port security` an IMAP server (for
//! copies of sent messages, preferred first), `O issuer scope auth-url token-url` gives
//! its OAuth2 issuer, `H url` a help page, `E url instruction` access to switch on first.
//! Lines starting with `#` are comments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::config_xml::{self, AuthKind, ClientConfig, OAuth2Issuer, OutgoingServer};

/// One provider in the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provider {
    /// Its ISPDB id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The mail domains it serves.
    pub domains: Vec<String>,
    /// Its SMTP servers, preferred first.
    pub outgoing: Vec<OutgoingServer>,
    /// Its IMAP servers, preferred first: (host, port, security).
    pub incoming: Vec<(String, u16, crate::account::Security)>,
    /// Its OAuth2 issuer, when it has one.
    pub oauth2: Option<OAuth2Issuer>,
    /// Its help pages for mail apps.
    pub help: Vec<String>,
    /// Access to switch on first: the page, and what to do.
    pub enable: Option<(String, String)>,
}

/// Providers indexed by domain.
#[derive(Debug, Default)]
pub struct ProviderTable {
    providers: Vec<Provider>,
    by_domain: HashMap<String, usize>,
}

/// A table file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("provider table line {line}: {problem}")]
pub struct TableError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// Generating the table failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A file or folder could not be read.
    #[error("could not read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A document is not a valid clientConfig.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: config_xml::ConfigXmlError,
    },
}

const EMBEDDED: &str = include_str!("../../assets/providers.tsv");

fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

impl ProviderTable {
    /// The table built into this binary.
    pub fn builtin() -> &'static ProviderTable {
        static TABLE: OnceLock<ProviderTable> = OnceLock::new();
        #[expect(
            clippy::expect_used,
            reason = "the table built in is checked by unit tests"
        )]
        TABLE.get_or_init(|| ProviderTable::parse(EMBEDDED).expect("the embedded table is valid"))
    }

    /// The provider serving `domain` (case-insensitive), if any.
    pub fn lookup(&self, domain: &str) -> Option<&Provider> {
        let key = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        self.by_domain.get(&key).map(|&i| &self.providers[i])
    }

    /// The provider one of whose SMTP servers is `host` (case-insensitive), if any.
    pub fn by_smtp_host(&self, host: &str) -> Option<&Provider> {
        let host = host.trim().trim_end_matches('.');
        self.providers.iter().find(|p| {
            p.outgoing
                .iter()
                .any(|s| s.hostname.eq_ignore_ascii_case(host))
        })
    }

    /// All providers.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// How many domains the table covers.
    pub fn domain_count(&self) -> usize {
        self.by_domain.len()
    }

    /// Reads a table in the format above.
    pub fn parse(text: &str) -> Result<Self, TableError> {
        let mut table = ProviderTable::default();
        for (i, line) in text.lines().enumerate() {
            let err = |problem: &str| TableError {
                line: i + 1,
                problem: problem.to_string(),
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let current = table.providers.len().checked_sub(1);
            match (f[0], f.len()) {
                ("P", 3) => table.providers.push(Provider {
                    id: f[1].to_string(),
                    name: f[2].to_string(),
                    ..Default::default()
                }),
                ("D", 2) => {
                    let idx = current.ok_or_else(|| err("domain before any provider"))?;
                    table.providers[idx].domains.push(f[1].to_string());
                    // The first provider to claim a domain keeps it.
                    table.by_domain.entry(f[1].to_string()).or_insert(idx);
                }
                ("S", 6) => {
                    let idx = current.ok_or_else(|| err("server before any provider"))?;
                    let port = f[2].parse().map_err(|_| err("bad port"))?;
                    let security = f[3].parse().map_err(|e: String| err(&e))?;
                    let auth = f[5]
                        .split(',')
                        .filter(|a| !a.is_empty())
                        .map(AuthKind::from_table)
                        .collect();
                    table.providers[idx].outgoing.push(OutgoingServer {
                        hostname: f[1].to_string(),
                        port,
                        security,
                        username: f[4].to_string(),
                        auth,
                    });
                }
                ("I", 4) => {
                    let idx = current.ok_or_else(|| err("server before any provider"))?;
                    let port = f[2].parse().map_err(|_| err("bad port"))?;
                    let security = f[3].parse().map_err(|e: String| err(&e))?;
                    table.providers[idx]
                        .incoming
                        .push((f[1].to_string(), port, security));
                }
                ("O", 5) => {
                    let idx = current.ok_or_else(|| err("OAuth2 before any provider"))?;
                    table.providers[idx].oauth2 = Some(OAuth2Issuer {
                        issuer: f[1].to_string(),
                        scope: f[2].to_string(),
                        auth_url: f[3].to_string(),
                        token_url: f[4].to_string(),
                        name: table.providers[idx].name.clone(),
                    });
                }
                ("H", 2) => {
                    let idx = current.ok_or_else(|| err("help before any provider"))?;
                    table.providers[idx].help.push(f[1].to_string());
                }
                ("E", 3) => {
                    let idx = current.ok_or_else(|| err("enable before any provider"))?;
                    table.providers[idx].enable = Some((f[1].to_string(), f[2].to_string()));
                }
                _ => return Err(err("unknown line")),
            }
        }
        Ok(table)
    }

    /// Writes the table for these documents, providers ordered by id.
    pub fn render(configs: &[ClientConfig], source_note: &str) -> String {
        let mut providers: Vec<(&config_xml::EmailProvider, Option<&OAuth2Issuer>)> = configs
            .iter()
            .flat_map(|c| c.providers.iter().map(move |p| (p, c.oauth2.as_ref())))
            .filter(|(p, _)| !p.outgoing.is_empty() && !p.domains.is_empty())
            .collect();
        providers.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let issuers: HashMap<&str, &OAuth2Issuer> = configs
            .iter()
            .filter_map(|c| c.oauth2.as_ref())
            .map(|o| (o.issuer.as_str(), o))
            .collect();
        let mut out = String::new();
        out.push_str("# Outpost provider table. Generated by tools/provider-table; do not edit.\n");
        for line in source_note.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        for (p, oauth) in providers {
            out.push_str(&format!(
                "P\t{}\t{}\n",
                clean(&p.id),
                clean(&p.display_name)
            ));
            for d in &p.domains {
                out.push_str(&format!("D\t{}\n", clean(d)));
            }
            for s in &p.outgoing {
                let auth: Vec<&str> = s.auth.iter().map(AuthKind::as_str).collect();
                out.push_str(&format!(
                    "S\t{}\t{}\t{}\t{}\t{}\n",
                    s.hostname,
                    s.port,
                    s.security.as_str(),
                    clean(&s.username),
                    clean(&auth.join(","))
                ));
            }
            for s in &p.incoming {
                out.push_str(&format!(
                    "I\t{}\t{}\t{}\n",
                    s.hostname,
                    s.port,
                    s.security.as_str()
                ));
            }
            let borrowed = p.outgoing.iter().find_map(|s| {
                let (_, issuer) = ISSUER_OF_HOST.iter().find(|(h, _)| *h == s.hostname)?;
                issuers.get(issuer).copied()
            });
            if let Some(o) = oauth.or(borrowed) {
                out.push_str(&format!(
                    "O\t{}\t{}\t{}\t{}\n",
                    clean(&o.issuer),
                    clean(&smtp_scope(&o.scope)),
                    clean(&o.auth_url),
                    clean(&o.token_url)
                ));
            }
            // Only HTTPS pages: they are opened in the browser from the window.
            let https = |u: &&String| u.starts_with("https://");
            for url in p.documentation.iter().filter(https) {
                out.push_str(&format!("H\t{}\n", clean(url)));
            }
            if let Some((url, instruction)) = p.enable.as_ref().filter(|(u, _)| https(&u)) {
                out.push_str(&format!("E\t{}\t{}\n", clean(url), clean(instruction)));
            }
        }
        out
    }
}

/// SMTP hosts whose ISPDB entry lists OAuth2 without an `<oAuth2>` block, and the issuer
/// Thunderbird uses for them (its `OAuth2Providers.sys.mjs`).
const ISSUER_OF_HOST: &[(&str, &str)] = &[("smtp-mail.outlook.com", "login.microsoftonline.com")];

/// The scopes needed to send mail: ISPDB's lists also ask for contacts, calendars, IMAP and
/// POP, which Outpost does not use. A list with nothing else is kept as it is.
pub fn smtp_scope(scope: &str) -> String {
    const OTHER: [&str; 5] = ["contacts", "calendar", "carddav", "imap", "pop."];
    let kept: Vec<&str> = scope
        .split_whitespace()
        .filter(|s| {
            let s = s.to_ascii_lowercase();
            !OTHER.iter().any(|o| s.contains(o))
        })
        .collect();
    if kept.is_empty() {
        scope.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        kept.join(" ")
    }
}

/// Generates the table from every `*.xml` file in `dir`, in file-name order.
pub fn generate(dir: &Path, source_note: &str) -> Result<String, GenerateError> {
    let io = |path: &Path, source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    let mut configs = Vec::with_capacity(files.len());
    for path in files {
        let xml = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let config = config_xml::parse(&xml).map_err(|source| GenerateError::Parse {
            path: path.clone(),
            source,
        })?;
        configs.push(config);
    }
    Ok(ProviderTable::render(&configs, source_note))
}

/// The note written at the top of the table generated from Thunderbird's ISPDB.
pub const ISPDB_NOTE: &str = "Source: Thunderbird's ISP database (ispdb), MPL-2.0, \
https://github.com/thunderbird/autoconfig";

use super::model::{Candidate, IncomingServer, Source};
use crate::account::SmtpSettings;

impl Provider {
    /// This provider's servers as candidates for `email`, from `source`.
    pub fn candidates(&self, email: &str, source: Source) -> Vec<Candidate> {
        self.outgoing
            .iter()
            .map(|s| Candidate {
                smtp: SmtpSettings {
                    host: s.host_for(email),
                    port: s.port,
                    security: s.security,
                    username: if s.username.is_empty() {
                        email.to_string()
                    } else {
                        config_xml::expand_username(&s.username, email)
                    },
                    auth: s.auth_method(self.oauth2.is_some()),
                },
                source,
                trusted: true,
                warnings: vec![],
                provider: Some(self.name.clone()).filter(|n| !n.is_empty()),
                username_default: s.username.is_empty(),
                auth_default: s.auth.is_empty(),
                oauth2: None,
                imap: self
                    .incoming
                    .first()
                    .map(|(host, port, security)| IncomingServer {
                        host: config_xml::expand_username(host, email),
                        port: *port,
                        security: *security,
                        source,
                        trusted: true,
                    }),
                signed: false,
            })
            .collect()
    }
}
