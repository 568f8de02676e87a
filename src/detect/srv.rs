//! DNS SRV records: `_submissions._tcp` (RFC 8314, implicit TLS, preferred) and
//! `_submission._tcp` (RFC 6186, STARTTLS); beside them `_imaps._tcp` and `_imap._tcp` for the
//! IMAP server copies of sent messages go to.

use super::model::{Candidate, IncomingServer, Outcome, Source};
use super::target::{Target, within};
use crate::account::{AuthMethod, Security, SmtpSettings};
use crate::net::{DnsError, Net};

/// Looks up both services for the target's domain.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let d = &target.domain;
    let (submissions, submission) = (
        format!("_submissions._tcp.{d}"),
        format!("_submission._tcp.{d}"),
    );
    let (imaps, imap) = (format!("_imaps._tcp.{d}"), format!("_imap._tcp.{d}"));
    let (tls, starttls, imap_tls, imap_starttls) = tokio::join!(
        net.resolver.srv(&submissions),
        net.resolver.srv(&submission),
        net.resolver.srv(&imaps),
        net.resolver.srv(&imap),
    );
    let incoming = IncomingServer::best(
        [
            (imap_tls, Security::Tls),
            (imap_starttls, Security::Starttls),
        ]
        .into_iter()
        .flat_map(|(records, security)| {
            records
                .into_iter()
                .flatten()
                .filter(|r| !r.target.is_empty())
                .map(move |r| IncomingServer {
                    trusted: within(&r.target, d) || target.known_provider_host(&r.target),
                    host: r.target,
                    port: r.port,
                    security,
                    source: Source::Srv,
                })
        })
        .collect(),
    );
    let mut candidates = Vec::new();
    let mut failures = Vec::new();
    let mut declined = false;
    for (result, security) in [(tls, Security::Tls), (starttls, Security::Starttls)] {
        match result {
            Ok(records) => {
                for r in records {
                    if r.target.is_empty() {
                        // "." means: this domain offers no such service.
                        declined = true;
                        continue;
                    }
                    let ours = within(&r.target, d) || target.known_provider_host(&r.target);
                    let mut warnings = vec![];
                    if !ours {
                        warnings.push(format!(
                            "the SRV record of {d} points to {}, outside {d}; DNS answers \
                             can be forged",
                            r.target
                        ));
                    }
                    candidates.push(Candidate {
                        smtp: SmtpSettings {
                            host: r.target,
                            port: r.port,
                            security,
                            username: target.email.clone(),
                            auth: AuthMethod::Password,
                        },
                        source: Source::Srv,
                        trusted: ours,
                        warnings,
                        provider: None,
                        username_default: true,
                        auth_default: true,
                        oauth2: None,
                        imap: incoming.clone(),
                    });
                }
            }
            Err(DnsError::NotFound { .. } | DnsError::NoRecords { .. }) => {}
            Err(e) => failures.push(e.to_string()),
        }
    }
    let outcome = if !candidates.is_empty() {
        Outcome::Found(candidates.len())
    } else if !failures.is_empty() {
        Outcome::Failed(failures.join("; "))
    } else if declined {
        Outcome::Nothing(tr!("srv-declined", domain = d.to_string()))
    } else {
        Outcome::Nothing(tr!("srv-none", domain = d.to_string()))
    };
    (candidates, outcome)
}
