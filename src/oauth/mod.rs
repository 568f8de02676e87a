//! OAuth2 sign-in for SMTP (`AUTH XOAUTH2`): which issuer a server takes tokens from
//! ([`issuers`], settings in [`config`]), the desktop sign-in through the browser
//! ([`signin`], RFC 8252 with PKCE), the token endpoint ([`token`]), what the keyring keeps
//! ([`grant`]) and fresh access tokens for sending ([`access`]).

pub mod access;
pub mod browser;
pub mod config;
mod error;
pub mod grant;
pub mod issuers;
pub mod metadata;
pub mod pkce;
pub mod redirect;
pub mod registration;
pub mod signin;
pub mod token;

pub use access::access_token;
pub use config::{ConfigError, OauthConfig, ProviderConfig};
pub use error::{OauthError, password_fallback};
pub use grant::{Grant, Stored};
pub use issuers::{Issuer, Issuers};
pub use signin::SignIn;
