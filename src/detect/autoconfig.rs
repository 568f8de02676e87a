//! Autoconfig documents fetched over the network: the provider's own server
//! (`autoconfig.<d>`), the domain's `/.well-known/` path, Thunderbird's online ISPDB, and the
//! same provider URLs over plain HTTP. Trust follows the source: over verified HTTPS from the
//! domain itself a document is the domain's own word, whatever servers it names; over plain
//! HTTP it is never trusted.

use super::config_xml::{self, MAX_BYTES};
use super::model::{Candidate, Outcome, Source};
use super::providers::ProviderTable;
use super::target::Target;
use crate::account::SmtpSettings;
use crate::net::Net;

/// Environment variable replacing the online ISPDB's base URL (for tests and mirrors).
pub const ISPDB_URL_ENV: &str = "OUTPOST_ISPDB_URL";
/// Thunderbird's online ISPDB.
pub const ISPDB_URL: &str = "https://autoconfig.thunderbird.net/v1.1";

/// The URLs a source asks, in order.
pub fn urls(source: Source, target: &Target, share_address: bool) -> Vec<String> {
    let d = &target.domain;
    let query = if share_address {
        format!(
            "?emailaddress={}",
            target.email.replace('@', "%40").replace('+', "%2B")
        )
    } else {
        String::new()
    };
    let provider = |scheme: &str| format!("{scheme}://autoconfig.{d}/mail/config-v1.1.xml{query}");
    let wellknown =
        |scheme: &str| format!("{scheme}://{d}/.well-known/autoconfig/mail/config-v1.1.xml{query}");
    match source {
        Source::Autoconfig => vec![provider("https")],
        Source::Wellknown => vec![wellknown("https")],
        Source::Http => vec![provider("http"), wellknown("http")],
        Source::Ispdb => {
            let base = std::env::var(ISPDB_URL_ENV).unwrap_or_else(|_| ISPDB_URL.to_string());
            vec![format!("{}/{d}", base.trim_end_matches('/'))]
        }
        _ => vec![],
    }
}

/// Candidates from an autoconfig document about `target`, learned through `source`.
pub fn candidates(xml: &str, source: Source, target: &Target) -> Result<Vec<Candidate>, String> {
    let config = config_xml::parse(xml).map_err(|e| e.to_string())?;
    let table = ProviderTable::builtin();
    let mut out = Vec::new();
    for p in &config.providers {
        let oauth2_known = config.oauth2.is_some()
            || p.domains
                .iter()
                .any(|d| table.lookup(d).is_some_and(|t| t.oauth2.is_some()));
        for s in &p.outgoing {
            let host = s.host_for(&target.email);
            let mut warnings = Vec::new();
            let trusted = match source {
                Source::Http => {
                    warnings.push(
                        "learned over unencrypted HTTP, where anyone on the way can change it"
                            .to_string(),
                    );
                    false
                }
                // Thunderbird's curated database vouches for its own entries; a document over
                // verified HTTPS from the domain itself (autoconfig.<domain>, its well-known
                // path) is the domain owner's own word, whatever servers it names: many ISPs
                // send mail through their parent company's or mail host's servers.
                _ => true,
            };
            out.push(Candidate {
                smtp: SmtpSettings {
                    host,
                    port: s.port,
                    security: s.security,
                    username: if s.username.is_empty() {
                        target.email.clone()
                    } else {
                        config_xml::expand_username(&s.username, &target.email)
                    },
                    auth: s.auth_method(oauth2_known),
                },
                source,
                trusted,
                warnings,
                provider: Some(p.display_name.clone()).filter(|n| !n.is_empty()),
                username_default: s.username.is_empty(),
                auth_default: s.auth.is_empty(),
            });
        }
    }
    Ok(out)
}

/// Asks each URL of `source` in turn; the first document with SMTP servers wins.
pub async fn find(
    net: &Net,
    target: &Target,
    source: Source,
    share_address: bool,
) -> (Vec<Candidate>, Outcome) {
    let mut problems = Vec::new();
    for url in urls(source, target, share_address) {
        match net.http.get(&url, MAX_BYTES).await {
            Ok(resp) => match candidates(&resp.body, source, target) {
                Ok(c) if !c.is_empty() => {
                    let n = c.len();
                    return (c, Outcome::Found(n));
                }
                Ok(_) => problems.push(format!("{url}: no SMTP server in it")),
                Err(e) => problems.push(format!("{url}: {e}")),
            },
            Err(e) => problems.push(format!("{url}: {e}")),
        }
    }
    (vec![], Outcome::Nothing(problems.join("; ")))
}
