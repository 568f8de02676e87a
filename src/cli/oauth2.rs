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
        let signin = signin::start(paths, &net.http, email, host, discovered).await?;
        let name = signin.provider().to_string();
        if no_browser {
            say(tr!("cli-open-to-sign-in", provider = name.as_str()));
        } else {
            match signin.open_browser() {
                Ok(()) => say(tr!("cli-sign-in-browser", provider = name.as_str())),
                Err(e) => say(tr!(
                    "cli-no-browser",
                    error = e.to_string(),
                    provider = name.as_str()
                )),
            }
        }
        say(format!("  {}", signin.url()));
        say(tr!("cli-waiting-browser"));
        let secret = signin::finish(signin, &net.http).await?;
        say(tr!("cli-signed-in", provider = name.as_str()));
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
                        problem: tr!(
                            "cli-no-provider-settings",
                            file = oauth::config::user_file(paths).display().to_string(),
                            provider = provider.as_str()
                        ),
                        advice: tr!("cli-no-provider-settings-advice"),
                    },
                ));
            }
            out.text(tr!("cli-provider-removed", provider = provider.as_str()));
            out.json(json!({"removed": provider}));
            Ok(())
        }
    }
}

fn list(out: &Out, paths: &Paths) -> Result<(), Failure> {
    let issuers = Issuers::load(paths).map_err(OauthError::from)?;
    let mut rows = Vec::new();
    for i in issuers.all() {
        let client = i.client_id.clone().unwrap_or_else(|| tr!("cli-not-set"));
        out.text(tr!(
            "cli-provider-line",
            id = format!("{:<10}", i.id),
            name = format!("{:<10}", i.name),
            client = format!("{client:<22}"),
            hosts = i.hosts.join(", ")
        ));
        rows.push(json!({
            "id": i.id, "name": i.name, "hosts": i.hosts, "scope": i.scope,
            "auth_url": i.auth_url, "token_url": i.token_url,
            "client_id": i.client_id, "client_secret_set": i.client_secret.is_some(),
            "register_url": i.register_url, "issuer": i.identifier,
        }));
    }
    out.text(tr!(
        "cli-set-client-id",
        file = oauth::config::user_file(paths).display().to_string()
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
        issuer: None,
    };
    let issuer = signin::set_provider(paths, &a.provider, change)?;
    out.text(tr!(
        "cli-provider-saved",
        name = issuer.name.as_str(),
        id = issuer.id.as_str(),
        hosts = issuer.hosts.join(", "),
        client = if issuer.client_id.is_some() {
            "yes"
        } else {
            "no"
        }
    ));
    out.json(json!({"provider": issuer.id, "client_id": issuer.client_id, "hosts": issuer.hosts}));
    Ok(())
}
