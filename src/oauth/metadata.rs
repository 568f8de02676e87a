//! An issuer's own description of itself (RFC 8414): where to sign in, where tokens come
//! from, where a client registers (RFC 7591), whether its answers name it (RFC 9207) and which
//! resources it issues tokens for (RFC 9728 §4).

use serde::Deserialize;

use super::error::OauthError;
use crate::net::http::HttpClient;

/// Largest metadata document read.
const MAX_BYTES: usize = 64 * 1024;

/// The scope of the open public client profile (draft-ietf-mailmaint-oauth-public) for
/// IMAP, POP, SMTP submission and JMAP Mail.
pub const MAIL_SCOPE: &str = "urn:ietf:params:oauth:scope:mail";

/// What an issuer says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerMetadata {
    /// Its identifier: must be the one asked about.
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: String,
    /// Where codes become tokens.
    pub token_endpoint: String,
    /// Where a client registers itself, when it lets clients do so.
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    /// The scopes it knows.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// The PKCE methods it takes (empty: not said).
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// Its authorization responses carry `iss` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// The resources its tokens are for (RFC 9728 §4).
    #[serde(default)]
    pub protected_resources: Vec<String>,
}

/// The issuer identifier for what a configuration gave: an `https://` address as it is, a
/// bare host name (the autoconfig format's `<issuer>`) as `https://<host>`.
pub fn identifier(issuer: &str) -> String {
    let issuer = issuer.trim();
    if issuer.contains("://") {
        issuer.to_string()
    } else {
        format!("https://{}", issuer.trim_end_matches('/'))
    }
}

/// Where the metadata of `issuer` is (RFC 8414 §3.1: the well-known segment goes between
/// the host and the issuer's path).
pub fn metadata_url(issuer: &str) -> Result<url::Url, OauthError> {
    let id = identifier(issuer);
    let mut url = url::Url::parse(&id)
        .ok()
        .filter(|u| u.scheme() == "https" && u.query().is_none() && u.fragment().is_none())
        .ok_or_else(|| OauthError::NotAnIssuer(id.clone()))?;
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    Ok(url)
}

fn https(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == "https")
}

impl ServerMetadata {
    /// Reads and checks the metadata document of `issuer`.
    pub fn parse(issuer: &str, body: &str) -> Result<Self, OauthError> {
        let id = identifier(issuer);
        let bad = |detail: String| OauthError::Metadata {
            issuer: id.clone(),
            detail,
        };
        let m: Self = serde_json::from_str(body).map_err(|e| bad(e.to_string()))?;
        // RFC 8414 §3.3: another issuer's metadata must not be used (a mix-up).
        if m.issuer != id {
            return Err(OauthError::IssuerMismatch {
                expected: id,
                found: m.issuer,
            });
        }
        let endpoints = [Some(&m.authorization_endpoint), Some(&m.token_endpoint)];
        let registration = [m.registration_endpoint.as_ref()];
        for url in endpoints.into_iter().chain(registration).flatten() {
            if !https(url) {
                return Err(bad(tr!("oauth-endpoint-not-https", url = url.as_str())));
            }
        }
        if !m.code_challenge_methods_supported.is_empty()
            && !m
                .code_challenge_methods_supported
                .iter()
                .any(|c| c == "S256")
        {
            return Err(bad(tr!("oauth-no-pkce")));
        }
        Ok(m)
    }

    /// Fetches the metadata of `issuer`.
    pub async fn fetch(http: &HttpClient, issuer: &str) -> Result<Self, OauthError> {
        let url = metadata_url(issuer)?;
        let resp = http
            .get(url.as_str(), MAX_BYTES)
            .await
            .map_err(|e| OauthError::Metadata {
                issuer: identifier(issuer),
                detail: format!("{url}: {e}"),
            })?;
        Self::parse(issuer, &resp.body)
    }

    /// The scope to ask for: the one the configuration named, else the profile's mail scope.
    pub fn scope_for(&self, configured: &str) -> String {
        match configured.trim() {
            "" => MAIL_SCOPE.to_string(),
            s => s.to_string(),
        }
    }

    /// The resource to name for the SMTP server `host` (RFC 8707), when the issuer lists the
    /// resources it serves: the one on that host, else its only one.
    pub fn resource_for(&self, host: &str) -> Option<String> {
        let on_host = |r: &&String| {
            url::Url::parse(r)
                .ok()
                .and_then(|u| u.host_str().map(|h| h.eq_ignore_ascii_case(host)))
                .unwrap_or(false)
        };
        let only = match self.protected_resources.as_slice() {
            [only] => Some(only),
            _ => None,
        };
        self.protected_resources
            .iter()
            .find(on_host)
            .or(only)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_well_known_segment_goes_before_the_issuers_path() {
        let at = |i: &str| metadata_url(i).map(String::from).unwrap_or_default();
        assert_eq!(
            at("https://login.d.test"),
            "https://login.d.test/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            at("https://d.test:8443/tenant/1/"),
            "https://d.test:8443/.well-known/oauth-authorization-server/tenant/1"
        );
        assert_eq!(
            at("login.d.test"),
            "https://login.d.test/.well-known/oauth-authorization-server"
        );
        assert!(metadata_url("http://login.d.test").is_err());
        assert!(metadata_url("https://login.d.test/?x=1").is_err());
    }

    fn doc(issuer: &str, extra: &str) -> String {
        format!(
            r#"{{"issuer":"{issuer}","authorization_endpoint":"https://l.test/auth",
            "token_endpoint":"https://l.test/token"{extra}}}"#
        )
    }

    #[test]
    fn metadata_of_another_issuer_or_over_http_is_refused() {
        let ok = ServerMetadata::parse("https://l.test", &doc("https://l.test", "")).unwrap();
        assert_eq!(ok.registration_endpoint, None);
        let other = ServerMetadata::parse("https://l.test", &doc("https://evil.test", ""));
        assert!(matches!(other, Err(OauthError::IssuerMismatch { .. })));
        let plain = doc(
            "https://l.test",
            r#","registration_endpoint":"http://l.test/reg""#,
        );
        assert!(ServerMetadata::parse("https://l.test", &plain).is_err());
        let no_s256 = doc(
            "https://l.test",
            r#","code_challenge_methods_supported":["plain"]"#,
        );
        assert!(ServerMetadata::parse("https://l.test", &no_s256).is_err());
    }

    #[test]
    fn the_resource_named_is_the_smtp_servers() {
        let m = ServerMetadata::parse(
            "https://l.test",
            &doc(
                "https://l.test",
                r#","protected_resources":["https://jmap.l.test/","smtp://mail.l.test"]"#,
            ),
        )
        .unwrap();
        assert_eq!(
            m.resource_for("MAIL.l.test").as_deref(),
            Some("smtp://mail.l.test")
        );
        assert_eq!(m.resource_for("other.test"), None);
        assert_eq!(m.scope_for(""), MAIL_SCOPE);
        assert_eq!(m.scope_for("smtp"), "smtp");
    }
}
