//! `outpost oauth2 …` (the sign-in providers and their client ids) and the browser sign-in
//! that `account add` and `account signin` share.

use serde_json::json;

use super::args::{Oauth2Command, SetArgs};
use super::output::{Failure, Out};
use crate::detect::config_xml::OAuth2Issuer;
use crate::explain::Explain;
use crate::net::Net;
use crate::oauth::{self, Issuers, OauthError};
use crate::paths::Paths;
use crate::usecases::signin::{self, ProviderChange};

impl From<OauthError> for Failure {
    fn from(e: OauthError) -> Self {
        Failure::Failed(e.kind(), e.explain())
    }
}

/// Signs `email` in through the browser with the issuer of `host`; returns what the keyring
/// keeps. With `no_browser`, only prints the address to open.
pub(super) fn browser_sign_in(
    out: &Out,
    paths: &Paths,
    email: &str,
    host: &str,
    discovered: Option<&OAuth2Issuer>,
    no_browser: bool,
) -> Result<crate::secret::Secret, Failure> {
    // The address must reach the person even with --json (which keeps stdout for JSON).
    let say = |line: String| {
        if out.json {
            eprintln!("{line}");
        } else {
            out.text(line);
        }
    };
    super::runtime().block_on(async {
        let net = Net::from_env().map_err(|e| Failure::Failed("setup", e.explain()))?;
        let signin = signin::start(paths, email, host, discovered).await?;
        let name = signin.provider().to_string();
        if no_browser {
            say(format!(
                "Open this address in a browser to sign in with {name}:"
            ));
        } else {
            match signin.open_browser() {
                Ok(()) => say(format!(
                    "Sign in with {name} in your browser. If no browser opened, open this address:"
                )),
                Err(e) => say(format!(
                    "No browser could be opened ({e}). Open this address to sign in with {name}:"
                )),
            }
        }
        say(format!("  {}", signin.url()));
        say("Waiting for the browser… (Ctrl+C cancels)".into());
        let secret = signin::finish(signin, &net.http).await?;
        say(format!("Signed in with {name}."));
        Ok(secret)
    })
}

pub(super) fn command(out: &Out, paths: &Paths, cmd: Oauth2Command) -> Result<(), Failure> {
    match cmd {
        Oauth2Command::List => list(out, paths),
        Oauth2Command::Set(args) => set(out, paths, args),
        Oauth2Command::Unset { provider } => {
            if !signin::unset_provider(paths, &provider)? {
                return Err(Failure::BadInput(
                    "not_found",
                    crate::explain::Explanation {
                        problem: format!(
                            "{} has no settings for '{provider}'.",
                            oauth::config::user_file(paths).display()
                        ),
                        advice: "'outpost oauth2 list' shows the providers and their settings."
                            .into(),
                    },
                ));
            }
            out.text(format!("Removed your settings for {provider}."));
            out.json(json!({"removed": provider}));
            Ok(())
        }
    }
}

fn list(out: &Out, paths: &Paths) -> Result<(), Failure> {
    let issuers = Issuers::load(paths).map_err(OauthError::from)?;
    let mut rows = Vec::new();
    for i in issuers.all() {
        out.text(format!(
            "{:<10} {:<10} client id: {:<22} hosts: {}",
            i.id,
            i.name,
            i.client_id.as_deref().unwrap_or("(not set)"),
            i.hosts.join(", ")
        ));
        rows.push(json!({
            "id": i.id, "name": i.name, "hosts": i.hosts, "scope": i.scope,
            "auth_url": i.auth_url, "token_url": i.token_url,
            "client_id": i.client_id, "client_secret_set": i.client_secret.is_some(),
            "register_url": i.register_url,
        }));
    }
    out.text(format!(
        "Set a client id with: outpost oauth2 set ID --client-id … (kept in {})",
        oauth::config::user_file(paths).display()
    ));
    out.json(json!({"providers": rows}));
    Ok(())
}

fn set(out: &Out, paths: &Paths, a: SetArgs) -> Result<(), Failure> {
    let change = ProviderChange {
        name: a.name,
        client_id: a.client_id,
        client_secret: a.client_secret,
        auth_url: a.auth_url,
        token_url: a.token_url,
        scope: a.scope,
        hosts: a.host,
    };
    let issuer = signin::set_provider(paths, &a.provider, change)?;
    out.text(format!(
        "Saved: {} ({}) signs in for {}{}.",
        issuer.name,
        issuer.id,
        issuer.hosts.join(", "),
        if issuer.client_id.is_some() {
            ""
        } else {
            "; no client id yet"
        }
    ));
    out.json(json!({"provider": issuer.id, "client_id": issuer.client_id, "hosts": issuer.hosts}));
    Ok(())
}
