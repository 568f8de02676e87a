//! "Does this account work?": the step-by-step connection check with the secret typed or the
//! one stored (an OAuth2 sign-in first gets a fresh access token, timed as its own step),
//! and the size of message the server accepts.

use crate::account::explain::check_failure;
use std::sync::Arc;

use crate::account::check::{
    self, Check, CheckError, Progress, Report, Step, StepRecord, Timeouts, TokenError,
};
use crate::account::{Account, AuthMethod, ImapSettings, SecretBackend, SecretError, secrets};
use crate::detect::facts::ProviderHelp;
use crate::explain::{Explain, Explanation};
use crate::net::Net;
use crate::net::imap::{SentFolder, find_sent, new_sent_name};
use crate::net::smtp::{Meaning, Transcript};
use crate::oauth;
use crate::outbox::filing;
use crate::secret::Secret;
use std::time::{Duration, Instant};

/// The secret a check uses: the one typed (not saved yet), else the stored one. Blocks on
/// the keyring.
pub fn secret_for(account: &Account, typed: Option<Secret>) -> Result<Option<Secret>, SecretError> {
    match typed {
        Some(s) => Ok(Some(s)),
        None => secrets::for_account(account),
    }
}

/// Runs the connection check for `account` with `secret`. An OAuth2 sign-in first gets a
/// fresh access token (the "Sign-in token" step). The report has the conversation with the
/// server, secrets hidden, for the person to hand to their provider's support.
pub async fn connection(
    net: &Net,
    account: &Account,
    secret: Option<&Secret>,
    timeouts: Timeouts,
    mut progress: impl FnMut(Progress),
) -> Report {
    let net = &net.via(account.proxy.as_ref());
    let (mut token_record, mut token) = (None, None);
    if let Some(s) = secret.filter(|_| account.smtp.auth == AuthMethod::Oauth2)
        && let Some((record, fresh)) = token_step(net, account, s, &mut progress).await
    {
        if record.outcome.is_err() {
            return Report {
                steps: vec![record],
                ..Report::default()
            };
        }
        (token_record, token) = (Some(record), fresh);
    }
    let transcript = Transcript::default();
    let secret = token.as_ref().or(secret);
    let mut report = check::run(
        Check {
            net,
            settings: &account.smtp,
            secret,
            allow_plaintext_auth: account.allow_plaintext_auth,
            pin: account.pinned_certificate.as_ref(),
            timeouts,
            transcript: Some(&transcript),
        },
        &mut progress,
    )
    .await;
    if let Some(imap) = account.imap.as_ref().filter(|i| i.sent_copy)
        && report.is_ok()
    {
        progress(Progress::Started(Step::Imap));
        // GNOME Online Accounts keeps a password of its own for IMAP.
        let goa_imap = match account.secret_backend {
            SecretBackend::Goa if account.smtp.auth == AuthMethod::Password => {
                let a = account.clone();
                crate::blocking::run(move || secrets::for_imap(&a))
                    .await
                    .ok()
                    .flatten()
            }
            _ => None,
        };
        let secret = goa_imap.as_ref().or(secret);
        imap_steps(
            net,
            account,
            imap,
            secret,
            timeouts,
            &mut report,
            &mut progress,
        )
        .await;
    }
    if let Some(record) = token_record {
        report.steps.insert(0, record);
    }
    report.transcript = transcript.lines();
    report
}

/// The IMAP server copies of sent messages go to: logging in with the same secret, and
/// finding the Sent folder (or saying that the first copy will make one), each a step.
async fn imap_steps(
    net: &Net,
    account: &Account,
    imap: &ImapSettings,
    secret: Option<&Secret>,
    timeouts: Timeouts,
    report: &mut Report,
    progress: &mut impl FnMut(Progress),
) {
    let limit = timeouts.connect + timeouts.tls + timeouts.command * 2;
    let mut step = |step: Step, start: Instant, outcome: Result<String, CheckError>| {
        let record = StepRecord {
            step,
            elapsed: start.elapsed(),
            outcome,
        };
        let passed = record.outcome.is_ok();
        progress(Progress::Finished(record.clone()));
        report.steps.push(record);
        if step == Step::Imap && passed {
            progress(Progress::Started(Step::SentFolder));
        }
    };
    let timed_out = |step| CheckError::Timeout { step, after: limit };
    let start = Instant::now();
    let opened = tokio::time::timeout(limit, filing::open(net, account, imap, secret)).await;
    let mut conn = match opened {
        Err(_) => return step(Step::Imap, start, Err(timed_out(Step::Imap))),
        Ok(Err(e)) => return step(Step::Imap, start, Err(CheckError::Imap(e))),
        Ok(Ok(conn)) => conn,
    };
    let tls = conn
        .tls_version()
        .map(|v| format!(", {v}"))
        .unwrap_or_default();
    step(
        Step::Imap,
        start,
        Ok(tr!(
            "imap-logged-in",
            host = imap.host.as_str(),
            port = imap.port,
            tls = tls
        )),
    );
    let start = Instant::now();
    let found = match tokio::time::timeout(timeouts.command, conn.folders()).await {
        Err(_) => Err(timed_out(Step::SentFolder)),
        Ok(Err(e)) => Err(CheckError::Imap(e)),
        Ok(Ok(folders)) => Ok(match (&imap.sent_folder, find_sent(&folders)) {
            (Some(chosen), _) if folders.iter().any(|f| &f.name == chosen) => {
                tr!("sent-folder-chosen", folder = chosen.as_str())
            }
            (Some(chosen), _) => tr!("sent-folder-made-later", folder = chosen.as_str()),
            (None, SentFolder::Marked(f)) => tr!("sent-folder-marked", folder = f),
            (None, SentFolder::Named(f)) => tr!("sent-folder-named", folder = f),
            (None, SentFolder::Missing) => {
                tr!("sent-folder-made-later", folder = new_sent_name(&folders))
            }
        }),
    };
    step(Step::SentFolder, start, found);
    tokio::time::timeout(Duration::from_secs(2), conn.logout())
        .await
        .ok();
}

/// For a stored OAuth2 sign-in: the access token, refreshed when due, as a timed step.
async fn token_step(
    net: &Net,
    account: &Account,
    secret: &Secret,
    progress: &mut impl FnMut(Progress),
) -> Option<(StepRecord, Option<Secret>)> {
    let oauth::Stored::Grant(grant) = oauth::Stored::parse(secret) else {
        return None;
    };
    progress(Progress::Started(Step::Token));
    let start = std::time::Instant::now();
    let fresh = grant.is_fresh(crate::clock::now_secs());
    let (outcome, token) = match oauth::access_token(net, account, secret).await {
        Ok(token) if fresh => (
            Ok(tr!("token-still-valid", issuer = grant.issuer.to_string())),
            Some(token),
        ),
        Ok(token) => (
            Ok(tr!("token-renewed", issuer = grant.issuer.to_string())),
            Some(token),
        ),
        Err(e) => (Err(CheckError::Token(TokenError(Arc::new(e)))), None),
    };
    let record = StepRecord {
        step: Step::Token,
        elapsed: start.elapsed(),
        outcome,
    };
    progress(Progress::Finished(record.clone()));
    Some((record, token))
}

/// The step a check failed at, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("step-failed-error", step = .step.label(), error = .error.to_string()))]
pub struct StepFailed {
    /// The step.
    pub step: Step,
    /// What went wrong.
    pub error: CheckError,
}

impl Explain for StepFailed {
    fn explain(&self) -> Explanation {
        check_failure(self.step, &self.error)
    }
}

impl StepFailed {
    /// The explanation, with the provider's own page when it has one for this refusal (where
    /// its app passwords are made, what its administrators switch off).
    pub fn explain_with(&self, provider: Option<&ProviderHelp>) -> Explanation {
        let mut e = self.explain();
        // A provider's own server name is spelt right: the network's DNS could not find it.
        if let CheckError::Dns(crate::net::DnsError::NotFound { host }) = &self.error
            && let Some(p) = crate::detect::providers::ProviderTable::builtin().by_smtp_host(host)
        {
            e.advice = tr!(
                "dns-known-server-advice",
                host = host.as_str(),
                provider = p.name.as_str()
            );
            return e;
        }
        let (CheckError::AuthFailed(reply) | CheckError::Rejected { reply, .. }) = &self.error
        else {
            return e;
        };
        let Some(p) = provider else { return e };
        match Meaning::of(reply) {
            Meaning::AppPasswordRequired | Meaning::BadCredentials => {
                if let Some(g) = p.guidance().filter(|g| g.page.is_some()) {
                    let page = g.page.unwrap_or_default();
                    e.advice = tr!(
                        "make-it-here",
                        advice = e.advice.as_str(),
                        headline = g.headline.as_str(),
                        page = page.as_str()
                    );
                }
            }
            Meaning::SmtpAuthDisabled { .. } => {
                if let Some(admin) = p.facts.as_ref().and_then(|f| f.admin.as_ref()) {
                    e.advice = format!("{} ({}: {})", e.advice, admin.what(), admin.page());
                }
            }
            _ => {}
        }
        e
    }
}

/// The check's result: every step passed, or the one that failed.
pub fn outcome(report: &Report) -> Result<(), StepFailed> {
    match report.failure() {
        None => Ok(()),
        Some((step, e)) => Err(StepFailed {
            step,
            error: e.clone(),
        }),
    }
}

/// What the account's server announces of its size limit before any login (EHLO SIZE, after
/// STARTTLS where the account uses it), all within `limit`: `Some(Some(n))`, `Some(None)`
/// when it names none, `None` when it could not be asked now.
pub async fn announced_size(net: &Net, account: &Account, limit: Duration) -> Option<Option<u64>> {
    let settings = crate::account::SmtpSettings {
        auth: AuthMethod::None,
        ..account.smtp.clone()
    };
    let net = net.via(account.proxy.as_ref());
    let opened = check::open_session(Check {
        net: &net,
        settings: &settings,
        secret: None,
        allow_plaintext_auth: false,
        pin: account.pinned_certificate.as_ref(),
        timeouts: Timeouts::uniform(limit),
        transcript: None,
    });
    let (report, conn) = tokio::time::timeout(limit, opened).await.ok()?;
    tokio::time::timeout(Duration::from_secs(1), conn?.quit())
        .await
        .ok();
    report.capabilities.map(|c| c.size.filter(|s| *s > 0))
}

/// How large a message the account's server accepts (its EHLO SIZE): `Some(0)` when it
/// names no limit, `None` when it does not say; logs in with `secret` as a check does.
pub async fn server_size(
    net: &Net,
    account: &Account,
    secret: Option<&Secret>,
) -> Result<Option<u64>, StepFailed> {
    let report = connection(net, account, secret, Timeouts::default(), |_| {}).await;
    outcome(&report)?;
    Ok(report.capabilities.and_then(|c| c.size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_found(host: &str) -> Explanation {
        StepFailed {
            step: Step::Resolve,
            error: CheckError::Dns(crate::net::DnsError::NotFound { host: host.into() }),
        }
        .explain_with(None)
    }

    #[test]
    fn a_providers_own_server_not_found_blames_the_networks_dns_not_the_spelling() {
        let e = not_found("smtp.gmail.com");
        assert!(
            e.advice
                .contains("the DNS server this network uses could not find it"),
            "{e:?}"
        );
        assert!(!e.advice.contains("spelling"), "{e:?}");
        // A name no table knows may well be mistyped.
        assert!(not_found("smtp.exmaple.org").advice.contains("spelling"));
    }

    #[test]
    fn a_refused_gmail_login_points_at_gmails_app_password_page() {
        let failed = StepFailed {
            step: Step::Auth,
            error: CheckError::AuthFailed(
                "534-5.7.9 Application-specific password required.\r\n534 5.7.9 more"
                    .parse()
                    .unwrap(),
            ),
        };
        let gmail = ProviderHelp::find("smtp.gmail.com", "gmail.com");
        let e = failed.explain_with(gmail.as_ref());
        assert!(e.problem.contains("wants an app password"), "{e:?}");
        assert!(
            e.advice
                .contains("Make it here: https://myaccount.google.com/apppasswords"),
            "{e:?}"
        );
        // Without a known provider, the general words only.
        assert!(!failed.explain_with(None).advice.contains("Make it here"));
    }
}
