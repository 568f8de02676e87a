//! Why a sign-in or a token failed, and what to do about it.

use std::time::Duration;

use super::config::ConfigError;

use crate::account::SecretError;
use crate::account::check::TokenProblem;
use crate::explain::{Explain, Explanation};
use crate::net::http::HttpError;

/// Why a sign-in or a token failed. Never contains a token.
#[derive(Debug, thiserror::Error)]
pub enum OauthError {
    /// No issuer is known for this SMTP server.
    #[error("{}", tr!("oauth-no-issuer", host = .host.as_str()))]
    NoIssuer {
        /// The SMTP host.
        host: String,
    },
    /// The issuer is known, but no client id is set for it.
    #[error("{}", tr!("oauth-no-client-id", provider = .name.as_str()))]
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
    #[error("{}", tr!("oauth-listen", error = .0.as_str()))]
    Listen(String),
    /// The provider did not sign the person in (RFC 6749 §4.1.2.1).
    #[error("{}", tr!(
        "oauth-denied",
        error = .error.as_str(),
        description = describe(.description)
    ))]
    Denied {
        /// The OAuth2 error code, e.g. `access_denied`.
        error: String,
        /// The provider's words.
        description: String,
    },
    /// Nobody came back from the browser in time.
    #[error("{}", tr!("oauth-timeout", minutes = .0.as_secs() / 60))]
    Timeout(Duration),
    /// The token endpoint refused (RFC 6749 §5.2).
    #[error("{}", tr!(
        "oauth-refused",
        error = .error.as_str(),
        description = describe(.description)
    ))]
    Refused {
        /// The OAuth2 error code, e.g. `invalid_grant`.
        error: String,
        /// The provider's words.
        description: String,
    },
    /// The access token expired and there is no refresh token.
    #[error("{}", tr!("oauth-sign-in-again"))]
    SignInAgain,
    /// The token endpoint failed with a server error.
    #[error("{}", tr!("oauth-unavailable", status = *.0))]
    Unavailable(u16),
    /// The token endpoint answered something that is not OAuth2.
    #[error("{}", tr!("oauth-bad-response", detail = .0.as_str()))]
    BadResponse(String),
    /// The token endpoint could not be reached.
    #[error("{}", tr!("oauth-http", error = .0.to_string()))]
    Http(HttpError),
    /// The keyring failed.
    #[error(transparent)]
    Secret(SecretError),
    /// A configuration named as issuer something that is not an `https://` address.
    #[error("{}", tr!("oauth-not-an-issuer", issuer = .0.as_str()))]
    NotAnIssuer(String),
    /// The issuer's description of itself (RFC 8414) could not be read or used.
    #[error("{}", tr!("oauth-metadata", issuer = .issuer.as_str(), detail = .detail.as_str()))]
    Metadata {
        /// The issuer.
        issuer: String,
        /// What went wrong.
        detail: String,
    },
    /// An answer came from, or named, another issuer than the one asked (RFC 8414 §3.3,
    /// RFC 9207): a mix-up, possibly an attack.
    #[error("{}", tr!("oauth-issuer-mismatch", expected = .expected.as_str(), found = .found.as_str()))]
    IssuerMismatch {
        /// The issuer asked.
        expected: String,
        /// The issuer named (empty: none).
        found: String,
    },
    /// The issuer refused to register Outpost (RFC 7591 §3.2.2).
    #[error("{}", tr!(
        "oauth-registration-refused",
        issuer = .issuer.as_str(),
        error = .error.as_str(),
        description = describe(.description)
    ))]
    Registration {
        /// The issuer.
        issuer: String,
        /// The error code, e.g. `invalid_redirect_uri`.
        error: String,
        /// The issuer's words.
        description: String,
    },
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
            OauthError::Registration { .. } => "oauth2_registration_refused",
            OauthError::IssuerMismatch { .. } => "oauth2_issuer_mismatch",
            OauthError::NotAnIssuer(_) | OauthError::Metadata { .. } => "oauth2_issuer_unusable",
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
pub fn password_fallback() -> String {
    tr!("password-fallback")
}

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
                    tr!("register-desktop-app", provider = name.as_str())
                } else {
                    tr!(
                        "register-desktop-app-at",
                        provider = name.as_str(),
                        url = register_url.as_str()
                    )
                };
                // Outlook.com takes no password of any kind from mail apps any more (see
                // assets/provider-facts.toml); Microsoft 365 may, if its administrator allows.
                let instead = if id == "microsoft" {
                    tr!("microsoft-no-password")
                } else {
                    password_fallback()
                };
                e(
                    tr!("no-client-id", provider = name.as_str()),
                    tr!(
                        "no-client-id-advice",
                        register = register,
                        id = id.as_str(),
                        instead = instead
                    ),
                )
            }
            OauthError::NoIssuer { host } => e(
                self.to_string(),
                tr!("no-issuer-advice", host = host.as_str()),
            ),
            OauthError::Denied { error, .. } if error == "access_denied" => {
                e(tr!("denied-access"), tr!("denied-access-advice"))
            }
            OauthError::Timeout(_) => e(self.to_string(), tr!("oauth-timeout-advice")),
            err if err.needs_sign_in() => e(
                tr!("signin-invalid", error = self.to_string()),
                tr!("signin-invalid-advice"),
            ),
            OauthError::Refused { error, .. } if error.contains("client") => {
                e(self.to_string(), tr!("client-refused-advice"))
            }
            err if err.is_transient() => e(self.to_string(), tr!("oauth-transient-advice")),
            OauthError::Secret(s) => s.explain(),
            OauthError::Config(_) => e(self.to_string(), tr!("oauth-config-advice")),
            OauthError::Registration { .. } | OauthError::Metadata { .. } => e(
                self.to_string(),
                tr!("oauth-registration-advice", instead = password_fallback()),
            ),
            OauthError::IssuerMismatch { .. } => {
                e(self.to_string(), tr!("oauth-issuer-mismatch-advice"))
            }
            _ => e(self.to_string(), tr!("oauth-other-advice")),
        }
    }
}
