//! DNS SRV records: `_submissions._tcp` (RFC 8314, implicit TLS, preferred) and
//! `_submission._tcp` (RFC 6186, STARTTLS); beside them `_imaps._tcp` and `_imap._tcp` for the
//! IMAP server copies of sent messages go to. A record pointing outside the domain is the
//! domain's word only when DNSSEC proves it signed (as the autoconfig draft allows): otherwise
//! it needs the person's confirmation, as DNS answers can be forged.

use super::model::{Candidate, IncomingServer, Outcome, Source};
use super::target::{Target, within};
use crate::account::{AuthMethod, Security, SmtpSettings};
use crate::net::{DnsError, Net, SrvRecord};

/// Looks up both services for the target's domain.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let d = &target.domain;
    let (submissions, submission) = (
        format!("_submissions._tcp.{d}"),
        format!("_submission._tcp.{d}"),
    );
    let (imaps, imap) = (format!("_imaps._tcp.{d}"), format!("_imap._tcp.{d}"));
    let r = &net.resolver;
    // Proven signed beside the lookups: waited for only where trust depends on it.
    let proofs = [&submissions, &submission, &imaps, &imap].map(|name| r.prove_srv(name));
    let (tls, starttls, imap_tls, imap_starttls) = tokio::join!(
        r.srv(&submissions),
        r.srv(&submission),
        r.srv(&imaps),
        r.srv(&imap)
    );
    let outside = |records: &Result<Vec<SrvRecord>, DnsError>| {
        records.iter().flatten().any(|r| {
            !r.target.is_empty() && !within(&r.target, d) && !target.known_provider_host(&r.target)
        })
    };
    let needed = [&tls, &starttls, &imap_tls, &imap_starttls].map(outside);
    let [tls_signed, starttls_signed, imaps_signed, imap_signed] = {
        let [a, b, c, e] = proofs;
        let wait = |mut p: crate::net::Proving, needed: bool| async move {
            if needed {
                p.signed().await
            } else {
                p.signed_by_now().await
            }
        };
        let (a, b, c, e) = tokio::join!(
            wait(a, needed[0]),
            wait(b, needed[1]),
            wait(c, needed[2]),
            wait(e, needed[3])
        );
        [a, b, c, e]
    };
    let incoming = IncomingServer::best(
        [
            (imap_tls, Security::Tls, imaps_signed),
            (imap_starttls, Security::Starttls, imap_signed),
        ]
        .into_iter()
        .flat_map(|(records, security, signed)| {
            records
                .into_iter()
                .flatten()
                .filter(|r| !r.target.is_empty())
                .map(move |r| IncomingServer {
                    trusted: signed
                        || within(&r.target, d)
                        || target.known_provider_host(&r.target),
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
    let answers = [
        (tls, Security::Tls, tls_signed),
        (starttls, Security::Starttls, starttls_signed),
    ];
    for (result, security, signed) in answers {
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
                    if !ours && !signed {
                        warnings.push(tr!(
                            "srv-outside",
                            domain = d.as_str(),
                            target = r.target.as_str()
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
                        trusted: ours || signed,
                        warnings,
                        provider: None,
                        username_default: true,
                        auth_default: true,
                        oauth2: None,
                        imap: incoming.clone(),
                        signed,
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
