//! Settings Outpost already sends with: a second address at a domain one of the person's
//! accounts is at starts from that account's settings (its server, port, encryption, login
//! method and IMAP server), said as the source, with no network asked.

use std::time::Duration;

use super::facts::ProviderHelp;
use super::model::{Candidate, Detection, IncomingServer, Outcome, Source, SourceReport};
use super::target::Target;
use crate::account::{Account, SmtpSettings};

/// The account among `accounts` at `target`'s domain whose settings to start from (the
/// first added), unless the address is that account's own.
pub fn account_for<'a>(accounts: &'a [Account], target: &Target) -> Option<&'a Account> {
    accounts.iter().find(|a| {
        let domain = a.email.rsplit('@').next().unwrap_or_default();
        domain.eq_ignore_ascii_case(&target.domain) && !a.email.eq_ignore_ascii_case(&target.email)
    })
}

/// The login name for `target` on `account`'s server, following how the account logs in:
/// its whole address, or the part before the @.
fn username(account: &Account, target: &Target) -> String {
    let local = |e: &str| e.split('@').next().unwrap_or_default().to_string();
    if account
        .smtp
        .username
        .eq_ignore_ascii_case(&local(&account.email))
    {
        local(&target.email)
    } else {
        target.email.clone()
    }
}

/// The detection that `account`'s settings give for `target`: trusted (they are the person's
/// own, in use), the account named as where they came from.
pub fn detection(account: &Account, target: &Target) -> Detection {
    let candidate = Candidate {
        smtp: SmtpSettings {
            username: username(account, target),
            ..account.smtp.clone()
        },
        source: Source::Known,
        trusted: true,
        warnings: vec![],
        provider: Some(account.email.clone()),
        username_default: false,
        auth_default: false,
        oauth2: None,
        imap: account.imap.as_ref().map(|i| IncomingServer {
            host: i.host.clone(),
            port: i.port,
            security: i.security,
            source: Source::Known,
            trusted: true,
        }),
        signed: false,
    };
    Detection {
        email: target.email_display.clone(),
        provider: ProviderHelp::find(&candidate.smtp.host, &target.domain),
        imap: candidate.imap.clone(),
        chosen: candidate,
        trusted: true,
        warnings: vec![],
        alternatives: vec![],
        sources: vec![SourceReport {
            source: Source::Known,
            outcome: Outcome::Found(1),
            elapsed: Duration::ZERO,
        }],
        elapsed: Duration::ZERO,
    }
}
