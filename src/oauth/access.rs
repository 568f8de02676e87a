//! Access tokens for sending: the stored one while it is fresh, else a refreshed one, written
//! back to the keyring. One refresh at a time per account, so that a provider that rotates
//! refresh tokens never sees an old one used twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::OauthError;
use super::grant::{Stored, now_secs};
use super::token;
use crate::account::{Account, Secret, secrets};
use crate::net::Net;

fn lock_for(account: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(account.to_string()).or_default().clone()
}

/// The token `AUTH XOAUTH2` sends for `account`, whose keyring entry is `secret`.
pub async fn access_token(
    net: &Net,
    account: &Account,
    secret: &Secret,
) -> Result<Secret, OauthError> {
    let grant = match Stored::parse(secret) {
        Stored::Bearer(token) => return Ok(token),
        Stored::Grant(g) if g.is_fresh(now_secs()) => return Ok(Secret::new(g.access_token)),
        Stored::Grant(g) => g,
    };
    let lock = lock_for(account.id.as_str());
    let _held = lock.lock().await;
    // Another lane may have refreshed while this one waited.
    let (backend, id) = (account.secret_backend, account.id.clone());
    let reread = tokio::task::spawn_blocking(move || secrets::load(backend, &id))
        .await
        .ok()
        .and_then(Result::ok);
    let grant = match reread.as_ref().map(Stored::parse) {
        Some(Stored::Grant(g)) if g.is_fresh(now_secs()) => {
            return Ok(Secret::new(g.access_token));
        }
        Some(Stored::Grant(g)) => g,
        _ => grant,
    };
    let fresh = token::refresh(&net.http, &grant).await?;
    let (backend, id, stored) = (
        account.secret_backend,
        account.id.clone(),
        fresh.to_secret(),
    );
    tokio::task::spawn_blocking(move || secrets::store(backend, &id, &stored))
        .await
        .map_err(|e| OauthError::BadResponse(e.to_string()))?
        .map_err(OauthError::Secret)?;
    Ok(Secret::new(fresh.access_token))
}
