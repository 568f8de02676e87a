//! Registering Outpost with an issuer at run time (RFC 7591), as the open public client
//! profile (draft-ietf-mailmaint-oauth-public) has it: a native public client (no secret),
//! redirected to the loopback address on any port (RFC 8252 §7.3), proving itself with PKCE.

use serde::Deserialize;
use serde_json::json;

use super::error::OauthError;
use crate::net::http::HttpClient;

/// Largest registration answer read.
const MAX_BYTES: usize = 64 * 1024;

/// The redirect registered: the loopback address; the port is chosen at each sign-in.
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/";

/// What the issuer gave.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct Registration {
    /// The client id to use from now on.
    pub client_id: String,
    /// A secret, if the issuer insists on one (a public client should get none).
    #[serde(default)]
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Refusal {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The client metadata Outpost registers with (RFC 7591 §2).
pub fn request_body(scope: &str) -> serde_json::Value {
    json!({
        "client_name": "Outpost",
        "client_uri": env!("CARGO_PKG_REPOSITORY"),
        "software_id": crate::APP_ID,
        "software_version": env!("CARGO_PKG_VERSION"),
        "application_type": "native",
        "redirect_uris": [LOOPBACK_REDIRECT],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": scope,
    })
}

/// Reads the registration endpoint's answer (RFC 7591 §3.2).
pub fn read(issuer: &str, status: u16, body: &str) -> Result<Registration, OauthError> {
    let refused = |error: String, description: String| OauthError::Registration {
        issuer: issuer.to_string(),
        error,
        description,
    };
    if (200..300).contains(&status) {
        return match serde_json::from_str::<Registration>(body) {
            Ok(r) if !r.client_id.trim().is_empty() => Ok(r),
            Ok(_) => Err(refused(
                "invalid_response".into(),
                tr!("oauth-no-client-id-given"),
            )),
            Err(e) => Err(refused("invalid_response".into(), e.to_string())),
        };
    }
    match serde_json::from_str::<Refusal>(body) {
        Ok(r) => Err(refused(r.error, r.error_description.unwrap_or_default())),
        Err(_) => Err(refused(
            format!("HTTP {status}"),
            tr!("oauth-registration-http", status = status),
        )),
    }
}

/// Registers Outpost at `endpoint` of `issuer`, asking for `scope`.
pub async fn register(
    http: &HttpClient,
    issuer: &str,
    endpoint: &str,
    scope: &str,
) -> Result<Registration, OauthError> {
    let (status, body) = http
        .post_json(endpoint, request_body(scope).to_string(), MAX_BYTES)
        .await
        .map_err(OauthError::Http)?;
    read(issuer, status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_native_client_on_the_loopback_address_is_asked_for() {
        let body = request_body("urn:ietf:params:oauth:scope:mail");
        assert_eq!(body["token_endpoint_auth_method"], "none");
        assert_eq!(body["application_type"], "native");
        assert_eq!(body["redirect_uris"][0], "http://127.0.0.1/");
    }

    #[test]
    fn answers_are_read_and_refusals_keep_the_issuers_words() {
        let ok = read("https://l.test", 201, r#"{"client_id":"abc"}"#).unwrap();
        assert_eq!((ok.client_id.as_str(), ok.client_secret), ("abc", None));
        let refused = read(
            "https://l.test",
            400,
            r#"{"error":"invalid_redirect_uri","error_description":"loopback only"}"#,
        )
        .unwrap_err();
        let text = refused.to_string();
        assert!(
            text.contains("invalid_redirect_uri") && text.contains("loopback only"),
            "{text}"
        );
        assert!(read("https://l.test", 201, r#"{"client_id":""}"#).is_err());
        let html = read("https://l.test", 503, "<html>down</html>").unwrap_err();
        assert!(html.to_string().contains("503"), "{html}");
    }
}
