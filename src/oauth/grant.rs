//! What the keyring holds for an account that signed in with OAuth2: the refresh token, the
//! current access token and when it expires, and the client it belongs to. Accounts given a
//! bare access token (`--token`) keep that instead.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// A sign-in kept in the keyring.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Marks the format (version 1).
    pub outpost_oauth2: u32,
    /// The issuer's id in the sign-in table (e.g. `google`).
    pub issuer: String,
    /// Where tokens are refreshed.
    pub token_url: String,
    /// The client the tokens were issued to.
    pub client_id: String,
    /// That client's secret, for providers that issue one to desktop apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The resource the tokens are for (RFC 8707), named again when refreshing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Gets new access tokens; absent when the provider gave none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// What `AUTH XOAUTH2` sends.
    pub access_token: String,
    /// When the access token expires, in seconds since 1970 (0: unknown).
    pub expires_at: i64,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// An access token this close to expiry is refreshed before use.
pub const REFRESH_MARGIN_SECS: i64 = 300;

impl Grant {
    /// Whether the access token can be used at `now` without refreshing.
    pub fn is_fresh(&self, now: i64) -> bool {
        self.expires_at == 0 || self.expires_at - REFRESH_MARGIN_SECS > now
    }

    /// The grant as the keyring keeps it.
    #[expect(
        clippy::expect_used,
        reason = "strings and numbers always serialize to JSON"
    )]
    pub fn to_secret(&self) -> Secret {
        Secret::new(serde_json::to_string(self).expect("a grant serializes"))
    }
}

/// What an OAuth2 account's keyring entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A sign-in Outpost can refresh.
    Grant(Box<Grant>),
    /// An access token given by hand, used as it is.
    Bearer(Secret),
}

impl Stored {
    /// Reads a keyring entry: a grant when it is one, else a bare token.
    pub fn parse(secret: &Secret) -> Self {
        let text = secret.expose();
        if text.starts_with('{')
            && let Ok(grant) = serde_json::from_str::<Grant>(text)
            && grant.outpost_oauth2 == 1
        {
            return Stored::Grant(Box::new(grant));
        }
        Stored::Bearer(secret.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires_at: i64) -> Grant {
        Grant {
            outpost_oauth2: 1,
            issuer: "google".into(),
            token_url: "https://oauth2.example/token".into(),
            client_id: "cid".into(),
            client_secret: None,
            resource: None,
            refresh_token: Some("rt-secret".into()),
            access_token: "at-secret".into(),
            expires_at,
        }
    }

    #[test]
    fn a_grant_reads_back_and_a_bare_token_stays_a_token() {
        let g = grant(1000);
        assert_eq!(Stored::parse(&g.to_secret()), Stored::Grant(Box::new(g)));
        let bare = Secret::new("ya29.a0AfH6SMB");
        assert_eq!(Stored::parse(&bare), Stored::Bearer(bare.clone()));
    }

    #[test]
    fn tokens_are_refreshed_five_minutes_before_expiry_and_never_shown() {
        assert!(grant(10_000).is_fresh(10_000 - 301));
        assert!(!grant(10_000).is_fresh(10_000 - 299));
        assert!(
            grant(0).is_fresh(10_000),
            "no expiry given: used until refused"
        );
        let shown = format!("{:?}", grant(1));
        assert!(!shown.contains("secret"), "{shown}");
    }
}
