//! PACC, the IETF's automatic configuration (draft-ietf-mailmaint-pacc, from
//! draft-eggert-mailmaint-uaautoconf): the provider publishes a JSON document at
//! `https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json` and its SHA-256
//! in the DNS (`_ua-auto-config.<domain> TXT "v=UAAC1; a=sha256; d=<base64>"`). The document is
//! used only when a record's digest matches its exact bytes: then it is the domain's own word,
//! as the domain's HTTPS autoconfig is; a mismatch is reported and the document set aside.
//!
//! Servers are named by host only, on the implicit-TLS port of their protocol (RFC 8314:
//! submission on 465, IMAP on 993). The submission server's key is `smtp` in the uaautoconf
//! drafts and in pacc-00 to -02, `submit` from pacc-03 on: both are read.

use base64::Engine;
use serde::Deserialize;

use super::config_xml::OAuth2Issuer;
use super::model::{Candidate, IncomingServer, Outcome, Source};
use super::target::Target;
use crate::account::{AuthMethod, Security, SmtpSettings, parse_host};
use crate::net::Net;

/// Largest document accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// The port of submission with implicit TLS (RFC 8314), the only one PACC names.
const SUBMISSIONS_PORT: u16 = 465;
/// The port of IMAP with implicit TLS.
const IMAPS_PORT: u16 = 993;

/// Where the document of `domain` is published.
pub fn url(domain: &str) -> String {
    format!("https://ua-auto-config.{domain}/.well-known/user-agent-configuration.json")
}

/// The DNS name holding the document's digest.
pub fn digest_name(domain: &str) -> String {
    format!("_ua-auto-config.{domain}")
}

fn sha256(body: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA256, body)
}

/// The TXT record that vouches for `body` (what a provider publishes).
pub fn digest_record(body: &[u8]) -> String {
    let digest = base64::engine::general_purpose::STANDARD.encode(sha256(body));
    format!("v=UAAC1; a=sha256; d={digest}")
}

/// The digest one TXT record gives, when it is a UAAC1 record for SHA-256.
fn published_digest(record: &str) -> Option<Vec<u8>> {
    let (mut v, mut a, mut d) = (None, None, None);
    for tag in record.split(';') {
        let Some((name, value)) = tag.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "v" => v = Some(value),
            "a" => a = Some(value),
            "d" => d = Some(value),
            _ => {}
        }
    }
    if !v?.eq_ignore_ascii_case("UAAC1") || !a?.eq_ignore_ascii_case("sha256") {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(d?).ok()
}

/// Whether one of `records` carries the SHA-256 of `body`.
pub fn vouched_for(body: &[u8], records: &[String]) -> bool {
    let digest = sha256(body);
    records
        .iter()
        .filter_map(|r| published_digest(r))
        .any(|d| d.as_slice() == digest.as_ref())
}

#[derive(Debug, Deserialize)]
struct Document {
    protocols: Protocols,
    #[serde(default)]
    authentication: Authentication,
    #[serde(default)]
    info: Info,
}

#[derive(Debug, Deserialize)]
struct Protocols {
    #[serde(default, alias = "smtp")]
    submit: Option<Server>,
    #[serde(default)]
    imap: Option<Server>,
}

#[derive(Debug, Deserialize)]
struct Server {
    host: String,
}

#[derive(Debug, Default, Deserialize)]
struct Authentication {
    #[serde(default, rename = "oauth-public")]
    oauth_public: Option<OauthPublic>,
    #[serde(default)]
    password: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct OauthPublic {
    issuer: String,
}

#[derive(Debug, Default, Deserialize)]
struct Info {
    #[serde(default)]
    provider: Option<Provider>,
}

#[derive(Debug, Deserialize)]
struct Provider {
    name: String,
}

/// What a document (already vouched for) says about `target`: its submission server, signing
/// in with its open OAuth issuer when it names one (an HTTPS address), else with a password.
pub fn candidates(body: &str, target: &Target) -> Result<Vec<Candidate>, String> {
    let doc: Document =
        serde_json::from_str(body).map_err(|e| tr!("pacc-not-json", error = e.to_string()))?;
    let Some(submit) = doc.protocols.submit else {
        return Ok(vec![]);
    };
    let host = parse_host(&submit.host).map_err(|e| e.to_string())?;
    let issuer = doc
        .authentication
        .oauth_public
        .map(|o| o.issuer)
        .filter(|i| url::Url::parse(i).is_ok_and(|u| u.scheme() == "https"));
    let auth = match (&issuer, doc.authentication.password) {
        (Some(_), _) => AuthMethod::Oauth2,
        (None, Some(false)) => AuthMethod::None,
        (None, _) => AuthMethod::Password,
    };
    let imap = doc
        .protocols
        .imap
        .and_then(|s| parse_host(&s.host).ok())
        .map(|host| IncomingServer {
            host,
            port: IMAPS_PORT,
            security: Security::Tls,
            source: Source::Pacc,
            trusted: true,
        });
    let provider = doc
        .info
        .provider
        .map(|p| p.name.trim().to_string())
        .filter(|n| !n.is_empty());
    Ok(vec![Candidate {
        smtp: SmtpSettings {
            host,
            port: SUBMISSIONS_PORT,
            security: Security::Tls,
            username: target.email.clone(),
            auth,
        },
        source: Source::Pacc,
        trusted: true,
        warnings: vec![],
        // Only the issuer is published: its endpoints come from its metadata (RFC 8414)
        // when the person signs in.
        oauth2: issuer.map(|issuer| OAuth2Issuer {
            issuer,
            name: provider.clone().unwrap_or_default(),
            ..OAuth2Issuer::default()
        }),
        provider,
        username_default: true,
        auth_default: false,
        imap,
        signed: false,
    }])
}

/// Fetches the document and its digest at once; uses the document only when the digest
/// matches.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let url = url(&target.domain);
    let name = digest_name(&target.domain);
    let (document, records) = tokio::join!(net.http.get(&url, MAX_BYTES), net.resolver.txt(&name));
    let document = match document {
        Ok(d) => d,
        Err(e) => return (vec![], Outcome::Nothing(format!("{url}: {e}"))),
    };
    // JSON is UTF-8 (RFC 8259): a body that is not would not match its digest either.
    let records = records.unwrap_or_default();
    if !vouched_for(document.body.as_bytes(), &records) {
        let why = if records.iter().any(|r| published_digest(r).is_some()) {
            tr!(
                "pacc-digest-differs",
                url = url.as_str(),
                name = name.as_str()
            )
        } else {
            tr!("pacc-no-digest", url = url.as_str(), name = name.as_str())
        };
        return (vec![], Outcome::Failed(why));
    }
    match candidates(&document.body, target) {
        Ok(c) if !c.is_empty() => {
            let n = c.len();
            (c, Outcome::Found(n))
        }
        Ok(_) => (
            vec![],
            Outcome::Nothing(tr!("no-smtp-in-it", url = url.as_str())),
        ),
        Err(e) => (vec![], Outcome::Failed(format!("{url}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::target::parse_address;

    const DOC_02: &str = r#"{"protocols":{"smtp":{"host":"smtp.d.test"},
        "imap":{"host":"imap.d.test"}},
        "authentication":{"oauth-public":{"issuer":"https://login.d.test"},"password":true},
        "info":{"provider":{"name":"D Mail","shortName":"D"}}}"#;

    #[test]
    fn a_digest_vouches_only_for_the_exact_bytes() {
        let body = br#"{"protocols":{}}"#;
        let record = digest_record(body);
        assert!(record.starts_with("v=UAAC1; a=sha256; d="));
        assert!(vouched_for(body, &["v=spf1 -all".into(), record.clone()]));
        assert!(!vouched_for(
            br#"{"protocols":{} }"#,
            std::slice::from_ref(&record)
        ));
        // Tags in any order and case, spaces around them.
        let d = record.rsplit_once("d=").unwrap().1;
        assert!(vouched_for(body, &[format!(" d={d} ;A=SHA256;v=uaac1")]));
        // Another algorithm or version is not this one.
        assert!(!vouched_for(body, &[format!("v=UAAC2; a=sha256; d={d}")]));
        assert!(!vouched_for(body, &[format!("v=UAAC1; a=sha512; d={d}")]));
        assert!(!vouched_for(body, &[]));
    }

    #[test]
    fn both_revisions_name_the_submission_server() {
        let target = parse_address("ann@d.test").unwrap();
        let old = candidates(DOC_02, &target).unwrap();
        let new = candidates(&DOC_02.replace("\"smtp\"", "\"submit\""), &target).unwrap();
        assert_eq!(old, new);
        let c = &old[0];
        assert_eq!(
            (c.smtp.host.as_str(), c.smtp.port, c.smtp.security),
            ("smtp.d.test", 465, Security::Tls)
        );
        assert_eq!(c.smtp.auth, AuthMethod::Oauth2);
        assert_eq!(c.provider.as_deref(), Some("D Mail"));
        assert_eq!(c.oauth2.as_ref().unwrap().issuer, "https://login.d.test");
        assert_eq!(c.imap.as_ref().unwrap().port, 993);
        assert!(c.trusted);
    }

    #[test]
    fn a_password_provider_and_a_document_without_submission() {
        let target = parse_address("ann@d.test").unwrap();
        let doc = r#"{"protocols":{"submit":{"host":"smtp.d.test"}},
            "authentication":{"password":true,"oauth-public":{"issuer":"http://login.d.test"}},
            "info":{"provider":{"name":"D"}}}"#;
        let c = candidates(doc, &target).unwrap();
        // An issuer over plain HTTP would take the sign-in where anyone could read it.
        assert_eq!(c[0].smtp.auth, AuthMethod::Password);
        assert_eq!(c[0].oauth2, None);
        let only_imap = r#"{"protocols":{"imap":{"host":"imap.d.test"}}}"#;
        assert_eq!(candidates(only_imap, &target).unwrap(), vec![]);
        assert!(candidates("not json", &target).is_err());
        let bad_host = r#"{"protocols":{"submit":{"host":"smtp d.test"}}}"#;
        assert!(candidates(bad_host, &target).is_err());
    }
}
