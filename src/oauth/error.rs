//! Why a sign-in or a token failed, and what to do about it.

use std::time::Duration;

use super::config::ConfigError;

use crate::account::SecretError;
use crate::account::verify::TokenProblem;
use crate::explain::{Explain, Explanation};
use crate::net::http::HttpError;

/// Why a sign-in or a token failed. Never contains a token.
#[derive(Debug, thiserror::Error)]
pub enum OauthError {
    /// No issuer is known for this SMTP server.
    #[error("Outpost knows no OAuth2 sign-in for {host}")]
    NoIssuer {
        /// The SMTP host.
        host: String,
    },
    /// The issuer is known, but no client id is set for it.
    #[error("no OAuth2 client id is set for {name}")]
    NoClientId {
        /// The issuer's id in settings.
        id: String,
        /// Its name.
        name: String,
        /// Where a client id is registered (may be empty).
        register_url: String,
    },
    /// A settings file is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The loopback redirect could not listen.
    #[error("could not listen for the browser on 127.0.0.1: {0}")]
    Listen(String),
    /// The provider did not sign the person in (RFC 6749 §4.1.2.1).
    #[error("the provider did not sign you in: {error}{}", describe(.description))]
    Denied {
        /// The OAuth2 error code, e.g. `access_denied`.
        error: String,
        /// The provider's words.
        description: String,
    },
    /// Nobody came back from the browser in time.
    #[error("no answer from the browser within {} minutes", .0.as_secs() / 60)]
    Timeout(Duration),
    /// The token endpoint refused (RFC 6749 §5.2).
    #[error("the provider refused the token request: {error}{}", describe(.description))]
    Refused {
        /// The OAuth2 error code, e.g. `invalid_grant`.
        error: String,
        /// The provider's words.
        description: String,
    },
    /// The access token expired and there is no refresh token.
    #[error("the sign-in expired and cannot be renewed without you")]
    SignInAgain,
    /// The token endpoint failed with a server error.
    #[error("the provider's token service failed (HTTP {0})")]
    Unavailable(u16),
    /// The token endpoint answered something that is not OAuth2.
    #[error("the provider's answer is not usable: {0}")]
    BadResponse(String),
    /// The token endpoint could not be reached.
    #[error("the provider's token service cannot be reached: {0}")]
    Http(HttpError),
    /// The keyring failed.
    #[error(transparent)]
    Secret(SecretError),
}

fn describe(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(" ({description})")
    }
}

impl OauthError {
    /// The person must sign in again: the grant was revoked, expired or lost.
    pub fn needs_sign_in(&self) -> bool {
        match self {
            OauthError::SignInAgain => true,
            OauthError::Refused { error, .. } => error == "invalid_grant",
            _ => false,
        }
    }

    /// A failure that may pass by itself (network, provider trouble).
    pub fn is_transient(&self) -> bool {
        matches!(self, OauthError::Http(_) | OauthError::Unavailable(_))
    }

    /// A stable machine-readable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            OauthError::NoIssuer { .. } => "oauth2_unknown_provider",
            OauthError::NoClientId { .. } => "oauth2_no_client_id",
            OauthError::Config(_) => "oauth2_settings",
            OauthError::Listen(_) => "oauth2_listen",
            OauthError::Denied { .. } => "oauth2_denied",
            OauthError::Timeout(_) => "oauth2_timeout",
            e if e.needs_sign_in() => "oauth2_sign_in_again",
            OauthError::Refused { .. } => "oauth2_refused",
            OauthError::Unavailable(_) | OauthError::Http(_) => "oauth2_unreachable",
            OauthError::Secret(e) => e.kind(),
            _ => "oauth2_bad_response",
        }
    }
}

impl TokenProblem for OauthError {
    fn kind(&self) -> &'static str {
        OauthError::kind(self)
    }
}

/// What a person can do instead of OAuth2, and how.
pub const PASSWORD_FALLBACK: &str = "Or log in with a password instead: many providers accept \
an app password (Google and Yahoo: create one in the account's security settings, with 2-step \
verification on), chosen as login method 'password'.";

impl Explain for OauthError {
    fn explain(&self) -> Explanation {
        let e = |problem: String, advice: String| Explanation { problem, advice };
        match self {
            OauthError::NoClientId {
                id,
                name,
                register_url,
            } => {
                let register = if register_url.is_empty() {
                    format!("Register Outpost as a desktop app with {name}")
                } else {
                    format!("Register Outpost as a desktop app with {name} at {register_url}")
                };
                // Outlook.com takes no password of any kind from mail apps any more (see
                // assets/provider-facts.toml); Microsoft 365 may, if its administrator allows.
                let instead = if id == "microsoft" {
                    "Outlook.com and Hotmail accept no password from mail apps, not even an app \
                     password; a Microsoft 365 mailbox may, if its administrator allows SMTP \
                     AUTH (login method 'password')."
                } else {
                    PASSWORD_FALLBACK
                };
                e(
                    format!("Signing in with {name} needs an OAuth2 client id, and none is set."),
                    format!(
                        "{register} (redirect address http://127.0.0.1, any port), then enter \
                         its client id under Sign-in providers on the Settings page, or run \
                         'outpost oauth2 set {id} --client-id ID [--client-secret SECRET]'. \
                         {instead}"
                    ),
                )
            }
            OauthError::NoIssuer { host } => e(
                self.to_string(),
                format!(
                    "Add the provider's endpoints with 'outpost oauth2 set NAME --host {host} \
                     --auth-url … --token-url … --scope … --client-id …', or use a password."
                ),
            ),
            OauthError::Denied { error, .. } if error == "access_denied" => e(
                "You did not allow Outpost to send mail in the browser.".into(),
                format!("Sign in again and allow access. {PASSWORD_FALLBACK}"),
            ),
            OauthError::Timeout(_) => e(
                self.to_string(),
                "Sign in again; if no browser opened, open the address Outpost shows yourself."
                    .into(),
            ),
            err if err.needs_sign_in() => e(
                format!("The sign-in is no longer valid: {self}."),
                "Sign in again (in the window: open the account and press Sign in again; on the \
                 command line: \
                 'outpost account signin ADDRESS'). Messages wait meanwhile and are sent after."
                    .into(),
            ),
            OauthError::Refused { error, .. } if error.contains("client") => e(
                self.to_string(),
                "Check the client id and secret under Sign-in providers on the Settings page."
                    .into(),
            ),
            err if err.is_transient() => e(
                self.to_string(),
                "Outpost tries again by itself; check that this computer is online.".into(),
            ),
            OauthError::Secret(s) => s.explain(),
            OauthError::Config(_) => e(
                self.to_string(),
                "Correct the file, or remove the provider from it.".into(),
            ),
            _ => e(
                self.to_string(),
                format!("Try signing in again. {PASSWORD_FALLBACK}"),
            ),
        }
    }
}
