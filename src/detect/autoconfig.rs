//! Autoconfig documents fetched over the network: the provider's own server
//! (`autoconfig.<d>`), the domain's `/.well-known/` path, Thunderbird's online ISPDB, and the
//! same provider URLs over plain HTTP. Trust follows the source: over verified HTTPS from the
//! domain itself a document is the domain's own word, whatever servers it names; over plain
//! HTTP it is never trusted.

use super::config_xml::{self, AuthKind, MAX_BYTES, OAuth2Issuer};
use super::model::{Candidate, IncomingServer, Outcome, Source};
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
        let imap = |trusted| {
            IncomingServer::best(
                p.incoming
                    .iter()
                    .map(|i| IncomingServer {
                        host: i.host_for(&target.email),
                        port: i.port,
                        security: i.security,
                        source,
                        trusted,
                    })
                    .collect(),
            )
        };
        for s in &p.outgoing {
            let host = s.host_for(&target.email);
            let mut warnings = Vec::new();
            let trusted = match source {
                Source::Http => {
                    warnings.push(tr!("warn-http"));
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
                // Sign-in endpoints only from a source trusted with the servers, and only
                // over HTTPS: they receive the person's password in the browser.
                oauth2: config
                    .oauth2
                    .clone()
                    .filter(|o| trusted && o.is_https() && s.auth.contains(&AuthKind::OAuth2))
                    .map(|o| OAuth2Issuer {
                        name: p.display_name.clone(),
                        ..o
                    }),
                imap: imap(trusted),
                signed: false,
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
                Ok(_) => problems.push(tr!("no-smtp-in-it", url = url.as_str())),
                Err(e) => problems.push(format!("{url}: {e}")),
            },
            Err(e) => problems.push(format!("{url}: {e}")),
        }
    }
    (vec![], Outcome::Nothing(problems.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::target::parse_address;

    fn config(auth_url: &str) -> String {
        format!(
            r#"<clientConfig version="1.2"><emailProvider id="d"><domain>d.test</domain>
<outgoingServer type="smtp"><hostname>smtp.d.test</hostname><port>465</port>
<socketType>SSL</socketType><authentication>OAuth2</authentication></outgoingServer>
</emailProvider><oAuth2><issuer>login.d.test</issuer><scope>smtp</scope>
<authURL>{auth_url}</authURL><tokenURL>https://login.d.test/token</tokenURL></oAuth2>
</clientConfig>"#
        )
    }

    #[test]
    fn sign_in_endpoints_are_kept_only_from_https_sources_and_https_addresses() {
        let target = parse_address("ann@d.test").unwrap();
        let oauth2 =
            |xml: &str, source| candidates(xml, source, &target).unwrap()[0].oauth2.clone();
        let found = oauth2(
            &config("https://login.d.test/authorize"),
            Source::Autoconfig,
        );
        assert_eq!(found.map(|o| o.issuer), Some("login.d.test".into()));
        // Over plain HTTP anyone on the way could point the browser elsewhere.
        assert_eq!(
            oauth2(&config("https://login.d.test/authorize"), Source::Http),
            None
        );
        assert_eq!(
            oauth2(&config("http://login.d.test/authorize"), Source::Autoconfig),
            None
        );
    }
}
