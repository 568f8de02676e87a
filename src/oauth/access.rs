//! Access tokens for sending: the stored one while it is fresh, else a refreshed one, written
//! back to the keyring. One refresh at a time per account, so that a provider that rotates
//! refresh tokens never sees an old one used twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::error::OauthError;
use super::grant::{Grant, Stored};
use super::token;
use crate::account::{Account, secrets};
use crate::clock::now_secs;
use crate::net::Net;
use crate::secret::Secret;

fn lock_for(account: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(account.to_string()).or_default().clone()
}

/// The sign-in the keyring holds for `account` now, if it holds one.
async fn stored_grant(account: &Account) -> Option<Grant> {
    let (backend, id) = (account.secret_backend, account.id.clone());
    let secret = crate::blocking::run(move || secrets::load(backend, &id))
        .await
        .ok()?;
    match Stored::parse(&secret) {
        Stored::Grant(g) => Some(*g),
        Stored::Bearer(_) => None,
    }
}

/// The token `AUTH XOAUTH2` sends for `account`, whose keyring entry is `secret`.
pub async fn access_token(
    net: &Net,
    account: &Account,
    secret: &Secret,
) -> Result<Secret, OauthError> {
    // The provider is reached the way the account's server is.
    let net = &net.via(account.proxy.as_ref());
    let grant = match Stored::parse(secret) {
        Stored::Bearer(token) => return Ok(token),
        Stored::Grant(g) if g.is_fresh(now_secs()) => return Ok(Secret::new(g.access_token)),
        Stored::Grant(g) => *g,
    };
    let lock = lock_for(account.id.as_str());
    let _held = lock.lock().await;
    // Another lane may have refreshed while this one waited.
    let grant = match stored_grant(account).await {
        Some(g) if g.is_fresh(now_secs()) => return Ok(Secret::new(g.access_token)),
        Some(g) => g,
        None => grant,
    };
    let fresh = match token::refresh(&net.http, &grant).await {
        Ok(g) => g,
        // Another process (a command beside the window) may have used this refresh token
        // first and stored the next one; a provider that rotates them refuses the old one.
        Err(e) if e.needs_sign_in() => match stored_grant(account).await {
            Some(g) if g.refresh_token != grant.refresh_token => {
                if g.is_fresh(now_secs()) {
                    return Ok(Secret::new(g.access_token));
                }
                token::refresh(&net.http, &g).await?
            }
            _ => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let (backend, id, stored) = (
        account.secret_backend,
        account.id.clone(),
        fresh.to_secret(),
    );
    crate::blocking::run(move || secrets::store(backend, &id, &stored))
        .await
        .map_err(OauthError::Secret)?;
    Ok(Secret::new(fresh.access_token))
}
