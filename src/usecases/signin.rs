//! Signing in with a provider (OAuth2), and the sign-in providers' settings: the same steps
//! whether the window or the command line asks. How the browser's address reaches the person
//! is the front end's; everything else is here.

use crate::detect::config_xml::OAuth2Issuer;
use crate::net::http::HttpClient;
use crate::oauth::config::{user_file, value};
use crate::oauth::metadata::{self, ServerMetadata};
use crate::oauth::registration;
use crate::oauth::signin::WAIT_LIMIT;
use crate::oauth::{Issuer, Issuers, OauthConfig, OauthError, SignIn};
use crate::paths::Paths;
use crate::secret::Secret;

/// Starts signing `email` in with the provider that issues tokens for the SMTP server
/// `host`: the address for the browser is ready, the loopback listener waits. When no
/// provider is known for `host` and the domain's own configuration said where to sign in
/// (`discovered`: an autoconfig `<oAuth2>` block, or a PACC document's open issuer), that
/// issuer becomes a provider in the user's settings first, its endpoints read from its
/// metadata (RFC 8414) when the configuration gave none. An issuer found that way with no
/// client id registers Outpost by itself (RFC 7591), once: the client id is kept with the
/// provider and used from then on.
pub async fn start(
    paths: &Paths,
    http: &HttpClient,
    email: &str,
    host: &str,
    discovered: Option<&OAuth2Issuer>,
) -> Result<SignIn, OauthError> {
    let owned = paths.clone();
    let issuers = crate::blocking::run(move || Issuers::load(&owned)).await?;
    let (mut issuer, metadata) = match (issuers.for_host(host), discovered) {
        (Some(known), _) => (known.clone(), None),
        (None, Some(found)) => adopt(paths, http, found, host).await?,
        (None, None) => {
            return Err(OauthError::NoIssuer {
                host: host.to_string(),
            });
        }
    };
    open_public(paths, http, &mut issuer, host, metadata).await?;
    SignIn::start(&issuer, email).await
}

/// Keeps the issuer a domain's configuration named as a provider for `host`, named by its
/// issuer; endpoints the configuration did not give come from the issuer's metadata (given
/// back, read once).
async fn adopt(
    paths: &Paths,
    http: &HttpClient,
    found: &OAuth2Issuer,
    host: &str,
) -> Result<(Issuer, Option<ServerMetadata>), OauthError> {
    let mut issuer = Issuer::found(found, host);
    let mut metadata = None;
    if issuer.auth_url.is_empty() || issuer.token_url.is_empty() {
        let m = ServerMetadata::fetch(http, &metadata::identifier(&found.issuer)).await?;
        issuer.scope = m.scope_for(&found.scope);
        issuer.auth_url = m.authorization_endpoint.clone();
        issuer.token_url = m.token_endpoint.clone();
        metadata = Some(m);
    }
    let change = ProviderChange {
        name: Some(issuer.name),
        auth_url: Some(issuer.auth_url),
        token_url: Some(issuer.token_url),
        scope: Some(issuer.scope),
        issuer: issuer.identifier,
        hosts: issuer.hosts,
        ..ProviderChange::default()
    };
    let paths = paths.clone();
    let kept = crate::blocking::run(move || set_provider(&paths, &issuer.id, change)).await?;
    Ok((kept, metadata))
}

/// Prepares an issuer found by detection (one with an identifier) from its metadata: the
/// endpoints it gives now, the resource for `host` (RFC 8707), whether its answers name it
/// (RFC 9207), and a client id registered at run time when none is set. An issuer whose
/// metadata cannot be read keeps the endpoints it has (and still needs a client id); its
/// identifier, unconfirmed, is not held against its answers. `read` is the metadata when it
/// was read already.
async fn open_public(
    paths: &Paths,
    http: &HttpClient,
    issuer: &mut Issuer,
    host: &str,
    read: Option<ServerMetadata>,
) -> Result<(), OauthError> {
    let Some(identifier) = issuer.identifier.clone() else {
        return Ok(());
    };
    let m = match read {
        Some(m) => m,
        None => match ServerMetadata::fetch(http, &identifier).await {
            Ok(m) => m,
            Err(_) => {
                issuer.identifier = None;
                return Ok(());
            }
        },
    };
    issuer.auth_url = m.authorization_endpoint.clone();
    issuer.token_url = m.token_endpoint.clone();
    issuer.resource = m.resource_for(host);
    issuer.names_itself = m.authorization_response_iss_parameter_supported;
    if issuer.client_id.is_some() {
        return Ok(());
    }
    let Some(endpoint) = &m.registration_endpoint else {
        return Ok(());
    };
    let registered = registration::register(http, &identifier, endpoint, &issuer.scope).await?;
    let change = ProviderChange {
        client_id: Some(registered.client_id.clone()),
        client_secret: registered.client_secret.clone(),
        ..ProviderChange::default()
    };
    let (owned, id) = (paths.clone(), issuer.id.clone());
    crate::blocking::run(move || set_provider(&owned, &id, change)).await?;
    issuer.client_id = Some(registered.client_id);
    issuer.client_secret = registered.client_secret;
    Ok(())
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
    /// The issuer identifier, for an issuer found by detection.
    pub issuer: Option<String>,
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
        (&mut entry.issuer, change.issuer),
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
