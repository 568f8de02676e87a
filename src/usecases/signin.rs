//! Signing in with a provider (OAuth2), and the sign-in providers' settings: the same steps
//! whether the window or the command line asks. How the browser's address reaches the person
//! is the front end's; everything else is here.

use crate::detect::config_xml::OAuth2Issuer;
use crate::net::http::HttpClient;
use crate::oauth::config::{user_file, value};
use crate::oauth::signin::WAIT_LIMIT;
use crate::oauth::{Issuer, Issuers, OauthConfig, OauthError, SignIn};
use crate::paths::Paths;
use crate::secret::Secret;

/// Starts signing `email` in with the provider that issues tokens for the SMTP server
/// `host`: the address for the browser is ready, the loopback listener waits. When no
/// provider is known for `host` and the domain's own configuration said where to sign in
/// (`discovered`), those endpoints become a provider in the user's settings first (so that
/// a client id can be set for it and its tokens refreshed later). Blocks on the settings
/// files.
pub async fn start(
    paths: &Paths,
    email: &str,
    host: &str,
    discovered: Option<&OAuth2Issuer>,
) -> Result<SignIn, OauthError> {
    let (paths, host_owned, discovered) = (paths.clone(), host.to_string(), discovered.cloned());
    let issuers = crate::blocking::run(move || -> Result<Issuers, OauthError> {
        let issuers = Issuers::load(&paths)?;
        match discovered {
            Some(d) if issuers.for_host(&host_owned).is_none() => {
                adopt(&paths, &d, &host_owned)?;
                Ok(Issuers::load(&paths)?)
            }
            _ => Ok(issuers),
        }
    })
    .await?;
    let issuer = issuers.for_host(host).ok_or_else(|| OauthError::NoIssuer {
        host: host.to_string(),
    })?;
    SignIn::start(issuer, email).await
}

/// Keeps the sign-in endpoints a domain's configuration gave as the provider named by its
/// issuer, for `host`. Blocks.
fn adopt(paths: &Paths, found: &OAuth2Issuer, host: &str) -> Result<Issuer, OauthError> {
    let change = ProviderChange {
        name: Some(found.issuer.clone()),
        auth_url: Some(found.auth_url.clone()),
        token_url: Some(found.token_url.clone()),
        scope: Some(found.scope.clone()),
        hosts: vec![host.to_ascii_lowercase()],
        ..ProviderChange::default()
    };
    set_provider(paths, &found.issuer, change)
}

/// The sign-in provider for the SMTP server `host`, when one is known. Blocks on the
/// settings files.
pub fn provider_for(paths: &Paths, host: &str) -> Option<Issuer> {
    Issuers::load(paths).ok()?.for_host(host).cloned()
}

/// Waits for the browser to come back (at most [`WAIT_LIMIT`]) and exchanges the code:
/// what the keyring keeps.
pub async fn finish(signin: SignIn, http: &HttpClient) -> Result<Secret, OauthError> {
    Ok(signin.finish(http, WAIT_LIMIT).await?.to_secret())
}

/// A change to one provider's settings; `None` leaves a field as it is, a blank value
/// removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderChange {
    /// The name on the sign-in button.
    pub name: Option<String>,
    /// The client id.
    pub client_id: Option<String>,
    /// The client secret.
    pub client_secret: Option<String>,
    /// The authorization endpoint.
    pub auth_url: Option<String>,
    /// The token endpoint.
    pub token_url: Option<String>,
    /// The scopes, space-separated.
    pub scope: Option<String>,
    /// SMTP hosts that take this provider's tokens, added to those it has.
    pub hosts: Vec<String>,
}

/// Changes `provider`'s settings in the user's file; the whole result must load (a new
/// provider needs its endpoints) before anything is written. Returns the provider as it is
/// now. Blocks.
pub fn set_provider(
    paths: &Paths,
    provider: &str,
    change: ProviderChange,
) -> Result<Issuer, OauthError> {
    let file = user_file(paths);
    let mut config = OauthConfig::read(&file)?;
    let entry = config.providers.entry(provider.to_string()).or_default();
    let fields = [
        (&mut entry.name, change.name),
        (&mut entry.client_id, change.client_id),
        (&mut entry.client_secret, change.client_secret),
        (&mut entry.auth_url, change.auth_url),
        (&mut entry.token_url, change.token_url),
        (&mut entry.scope, change.scope),
    ];
    for (field, typed) in fields {
        if let Some(v) = typed {
            *field = value(&v);
        }
    }
    for h in change.hosts {
        if !entry.hosts.contains(&h) {
            entry.hosts.push(h);
        }
    }
    let mut check = Issuers::builtin();
    check.apply(&file, &config)?;
    config.write(&file)?;
    #[expect(
        clippy::expect_used,
        reason = "the change was just applied to these settings"
    )]
    let applied = check.get(provider).expect("just applied").clone();
    Ok(applied)
}

/// Removes the user's settings for `provider`; false when there were none. Blocks.
pub fn unset_provider(paths: &Paths, provider: &str) -> Result<bool, OauthError> {
    let file = user_file(paths);
    let mut config = OauthConfig::read(&file)?;
    if config.providers.remove(provider).is_none() {
        return Ok(false);
    }
    config.write(&file)?;
    Ok(true)
}
