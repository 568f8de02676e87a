//! DNS SRV records: `_submissions._tcp` (RFC 8314, implicit TLS, preferred) and
//! `_submission._tcp` (RFC 6186, STARTTLS); beside them `_imaps._tcp` and `_imap._tcp` for the
//! IMAP server copies of sent messages go to. A record pointing outside the domain is the
//! domain's word only when DNSSEC proves it signed (as the autoconfig draft allows): otherwise
//! it needs the person's confirmation, as DNS answers can be forged.

use super::model::{Candidate, IncomingServer, Outcome, Source};
use super::target::Target;
use crate::account::{AuthMethod, Security, SmtpSettings};
use crate::net::{DnsError, Net, SrvRecord};

/// The SRV records of `name`, and whether they are proven signed: the proof runs beside the
/// lookup and is waited for only when a record points outside the domain (trust depends on
/// it there).
async fn lookup(
    net: &Net,
    target: &Target,
    name: &str,
) -> (Result<Vec<SrvRecord>, DnsError>, bool) {
    let mut proof = net.resolver.prove_srv(name);
    let records = net.resolver.srv(name).await;
    let outside = records
        .iter()
        .flatten()
        .any(|r| !r.target.is_empty() && !target.owns_or_knows(&r.target));
    let signed = if outside {
        proof.signed().await
    } else {
        proof.signed_by_now().await
    };
    (records, signed)
}

/// Looks up both services for the target's domain.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let d = &target.domain;
    let (submissions, submission) = (
        format!("_submissions._tcp.{d}"),
        format!("_submission._tcp.{d}"),
    );
    let (imaps, imap) = (format!("_imaps._tcp.{d}"), format!("_imap._tcp.{d}"));
    let (
        (tls, tls_signed),
        (starttls, starttls_signed),
        (imap_tls, imaps_signed),
        (imap_starttls, imap_signed),
    ) = tokio::join!(
        lookup(net, target, &submissions),
        lookup(net, target, &submission),
        lookup(net, target, &imaps),
        lookup(net, target, &imap),
    );
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
                    trusted: signed || target.owns_or_knows(&r.target),
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
                    let ours = target.owns_or_knows(&r.target);
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
