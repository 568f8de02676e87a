//! "Find my settings": detection for an address (every source racing under one deadline),
//! with servers that a sign-in provider covers set to sign in through the browser — unless
//! no client id is set for that provider and the provider takes an app password (or its like)
//! instead: then the app password is the way in, and the sign-in stays an advanced choice.
//! A second address at a domain one of the person's accounts is at starts from that
//! account's settings, asking no network.

use crate::account::AuthMethod;
use crate::detect::facts::{Login, ProviderHelp};
use crate::detect::{self, Detection, Failure, Late, Options, Progress};
use crate::net::Net;
use crate::oauth::Issuers;
use crate::paths::Paths;

/// Finds the settings for `email`, telling `progress` as each source starts and ends.
pub async fn detect(
    net: &Net,
    paths: &Paths,
    email: &str,
    options: &Options,
    progress: impl FnMut(Progress),
) -> Result<Detection, Failure> {
    detect_keeping_late(net, paths, email, options, progress)
        .await
        .0
}

/// As [`detect`]; also the better-ranked sources that had not answered yet (see
/// [`better`]), for a window that can offer a better answer arriving after the grace.
pub async fn detect_keeping_late(
    net: &Net,
    paths: &Paths,
    email: &str,
    options: &Options,
    mut progress: impl FnMut(Progress),
) -> (Result<Detection, Failure>, Option<Late>) {
    // A second address at a domain an account is at: that account's settings, in use.
    let accounts = {
        let paths = paths.clone();
        crate::blocking::run(move || super::account::store(&paths).load().ok()).await
    };
    if let (Some(accounts), Ok(target)) = (accounts, detect::parse_address(email))
        && let Some(account) = detect::known::account_for(&accounts.accounts, &target)
    {
        let found = detect::known::detection(account, &target);
        for report in &found.sources {
            progress(Progress::Started(report.source));
            progress(Progress::Finished(report.clone()));
        }
        return (Ok(found), None);
    }
    let (found, late) = detect::run_keeping_late(net, email, options, progress).await;
    let found = match found {
        Ok(found) => Ok(with_sign_in(paths, found).await),
        Err(e) => Err(e),
    };
    (found, late)
}

/// The answer a better-ranked source gave after the first answer (until the deadline),
/// prepared as the first was; `None` when none came.
pub async fn better(paths: &Paths, late: Late) -> Option<Detection> {
    let found = late.better().await?;
    Some(with_sign_in(paths, found).await)
}

/// Servers a sign-in provider covers sign in through the browser, unless an app password is
/// the way in (see [`prefer_app_password`]).
async fn with_sign_in(paths: &Paths, mut found: Detection) -> Detection {
    // The sign-in providers' settings are files: read them off the async threads.
    let paths = paths.clone();
    crate::blocking::run(move || {
        if let Ok(issuers) = Issuers::load(&paths) {
            issuers.prefer_sign_in(&mut found);
            prefer_app_password(&issuers, &mut found);
        }
        found
    })
    .await
}

/// Settings that would sign in with a provider for which no client id is set log in with a
/// password instead when the provider takes one from mail apps (an app password, an
/// authorization code…): signing in could not start, the password can.
pub fn prefer_app_password(issuers: &Issuers, detection: &mut Detection) {
    let domain = detection
        .email
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let candidates = std::iter::once(&mut detection.chosen).chain(&mut detection.alternatives);
    for c in candidates {
        let no_client = issuers
            .for_host(&c.smtp.host)
            .is_none_or(|i| i.client_id.is_none());
        let takes_password = ProviderHelp::find(&c.smtp.host, &domain)
            .and_then(|p| p.login())
            .is_some_and(|l| l != Login::OauthOnly);
        if c.smtp.auth == AuthMethod::Oauth2 && no_client && takes_password {
            c.smtp.auth = AuthMethod::Password;
        }
    }
}
