//! The desktop sign-in of RFC 8252: the system browser at the authorization endpoint with
//! PKCE (S256) and a random `state`, the code received on a loopback redirect, then exchanged
//! for tokens.

use std::time::Duration;

use super::error::OauthError;
use super::grant::Grant;
use super::issuers::Issuer;
use super::pkce::{Pkce, random_token};
use super::redirect::{IssuerCheck, Loopback};
use super::token::{self, Client};
use crate::net::http::HttpClient;

/// How long Outpost waits for the person to finish in the browser.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10 * 60);

/// A sign-in waiting for the browser. Dropping it closes the redirect port.
#[derive(Debug)]
pub struct SignIn {
    url: String,
    provider: String,
    state: String,
    pkce: Pkce,
    client: Client,
    loopback: Loopback,
    issuer: IssuerCheck,
}

impl SignIn {
    /// Prepares a sign-in with `issuer` for `login_hint` (the address): listens for the
    /// redirect and builds the address to open in the browser.
    pub async fn start(issuer: &Issuer, login_hint: &str) -> Result<Self, OauthError> {
        let client = issuer.client()?;
        let loopback = Loopback::bind().await?;
        let (state, pkce) = (random_token(16), Pkce::new());
        let mut url = url::Url::parse(&issuer.auth_url)
            .map_err(|e| OauthError::BadResponse(format!("{}: {e}", issuer.auth_url)))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &client.client_id)
            .append_pair("redirect_uri", &loopback.redirect_uri())
            .append_pair("scope", &issuer.scope)
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        if !login_hint.is_empty() {
            url.query_pairs_mut().append_pair("login_hint", login_hint);
        }
        if let Some(resource) = &issuer.resource {
            url.query_pairs_mut().append_pair("resource", resource);
        }
        Ok(Self {
            url: url.into(),
            provider: issuer.name.clone(),
            state,
            pkce,
            client,
            loopback,
            issuer: IssuerCheck {
                expected: issuer.identifier.clone(),
                required: issuer.names_itself,
            },
        })
    }

    /// The address to open in the browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The provider's name.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// Opens the system browser at [`Self::url`]; on failure the address can be copied.
    pub fn open_browser(&self) -> std::io::Result<()> {
        super::browser::open(&self.url)
    }

    /// Waits (at most `limit`) for the browser to come back, then exchanges the code.
    pub async fn finish(self, http: &HttpClient, limit: Duration) -> Result<Grant, OauthError> {
        let code = tokio::time::timeout(
            limit,
            self.loopback
                .code(&self.state, &self.provider, &self.issuer),
        )
        .await
        .map_err(|_| OauthError::Timeout(limit))??;
        token::exchange(
            http,
            &self.client,
            &code,
            &self.loopback.redirect_uri(),
            &self.pkce.verifier,
        )
        .await
    }
}
