//! The token endpoint (RFC 6749 §4.1.3, §6): exchanging an authorization code with its PKCE
//! verifier, and refreshing an access token.

use serde::Deserialize;

use super::error::OauthError;
use super::grant::Grant;
use crate::clock::now_secs;
use crate::net::http::HttpClient;

/// Largest token response read.
const MAX_BYTES: usize = 64 * 1024;

/// A registered client: who asks for tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    /// The issuer's id in the sign-in table.
    pub issuer: String,
    /// The token endpoint.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret, if the provider issued one.
    pub client_secret: Option<String>,
    /// The resource the tokens are for (RFC 8707), when the issuer names its resources.
    pub resource: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("issuer", &self.issuer)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Reads a token endpoint's answer: tokens on 200, the RFC 6749 §5.2 error otherwise.
fn read(status: u16, body: &str) -> Result<TokenResponse, OauthError> {
    if status == 200 {
        let t: TokenResponse = serde_json::from_str(body)
            .map_err(|e| OauthError::BadResponse(tr!("token-not-json", error = e.to_string())))?;
        if !t.token_type.eq_ignore_ascii_case("bearer") {
            return Err(OauthError::BadResponse(tr!(
                "token-not-bearer",
                kind = t.token_type.as_str()
            )));
        }
        if t.access_token.is_empty() {
            return Err(OauthError::BadResponse(tr!("token-empty")));
        }
        return Ok(t);
    }
    match serde_json::from_str::<ErrorResponse>(body) {
        Ok(e) => Err(OauthError::Refused {
            error: e.error,
            description: e.error_description.unwrap_or_default(),
        }),
        Err(_) if status >= 500 => Err(OauthError::Unavailable(status)),
        Err(_) => Err(OauthError::BadResponse(tr!("token-http", status = status))),
    }
}

async fn post(
    http: &HttpClient,
    client: &Client,
    fields: &[(&str, &str)],
) -> Result<TokenResponse, OauthError> {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("client_id", &client.client_id));
    if let Some(secret) = &client.client_secret {
        all.push(("client_secret", secret));
    }
    if let Some(resource) = &client.resource {
        all.push(("resource", resource));
    }
    let (status, body) = http
        .post_form(&client.token_url, &all, MAX_BYTES)
        .await
        .map_err(OauthError::Http)?;
    read(status, &body)
}

fn grant_from(client: &Client, t: TokenResponse, previous_refresh: Option<String>) -> Grant {
    Grant {
        outpost_oauth2: 1,
        issuer: client.issuer.clone(),
        token_url: client.token_url.clone(),
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
        resource: client.resource.clone(),
        // A provider that does not rotate refresh tokens sends none with a refresh.
        refresh_token: t.refresh_token.or(previous_refresh),
        access_token: t.access_token,
        expires_at: t.expires_in.map_or(0, |s| now_secs() + s.max(0)),
    }
}

/// Exchanges an authorization `code` for tokens (RFC 6749 §4.1.3 with RFC 7636 §4.5).
pub async fn exchange(
    http: &HttpClient,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Grant, OauthError> {
    let t = post(
        http,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
    )
    .await?;
    Ok(grant_from(client, t, None))
}

/// A new access token for `grant` (RFC 6749 §6).
pub async fn refresh(http: &HttpClient, grant: &Grant) -> Result<Grant, OauthError> {
    let refresh_token = grant.refresh_token.clone().ok_or(OauthError::SignInAgain)?;
    let client = Client {
        issuer: grant.issuer.clone(),
        token_url: grant.token_url.clone(),
        client_id: grant.client_id.clone(),
        client_secret: grant.client_secret.clone(),
        resource: grant.resource.clone(),
    };
    let t = post(
        http,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ],
    )
    .await?;
    Ok(grant_from(&client, t, Some(refresh_token)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_rfc_6749_says() {
        let ok = read(
            200,
            r#"{"access_token":"a","token_type":"bearer","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!((ok.access_token.as_str(), ok.expires_in), ("a", Some(3600)));
        let mac = read(200, r#"{"access_token":"a","token_type":"mac"}"#);
        assert!(matches!(mac, Err(OauthError::BadResponse(_))));
        let revoked = read(
            400,
            r#"{"error":"invalid_grant","error_description":"revoked"}"#,
        );
        assert!(revoked.err().is_some_and(|e| e.needs_sign_in()));
        assert!(matches!(
            read(503, "<html>busy</html>"),
            Err(OauthError::Unavailable(503))
        ));
    }
}
