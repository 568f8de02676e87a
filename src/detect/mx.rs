//! The domain's MX host, recognised as a provider: a domain whose mail goes to
//! `aspmx.l.google.com` is hosted by Google and sends through Google. The MX host's own
//! autoconfig is the domain's word only when DNSSEC proves the MX answer signed.

use super::model::{Candidate, Outcome, Source};
use super::providers::ProviderTable;
use super::target::Target;
use super::{autoconfig, config_xml};
use crate::net::{DnsError, Net};

/// The names to look up for an MX host, in the order of the autoconfig draft
/// (draft-ietf-mailmaint-autoconfig): its full domain without its first label, then its
/// registrable domain.
fn names_for(mx: &str) -> Vec<String> {
    let mut names = vec![];
    if let Some((_, parent)) = mx.split_once('.') {
        names.push(parent.to_string());
    }
    if let Some(base) = psl::domain_str(mx) {
        names.push(base.to_string());
    }
    names.dedup();
    names
}

/// Finds the provider behind the domain's preferred MX host (the highest priority only): in
/// the built-in table, then (when `online`) in Thunderbird's online ISPDB, then in the
/// autoconfig of the MX host's domains (see [`names_for`]).
pub async fn find(net: &Net, target: &Target, online: bool) -> (Vec<Candidate>, Outcome) {
    // Proven signed beside the lookup: waited for only where trust depends on it (the mail
    // host's own autoconfig).
    let mut proof = net.resolver.prove_mx(&target.domain);
    let hosts = match net.resolver.mx(&target.domain).await {
        Ok(h) => h,
        Err(DnsError::NotFound { .. } | DnsError::NoRecords { .. }) => {
            return (
                vec![],
                Outcome::Nothing(tr!("no-mx", domain = target.domain.as_str())),
            );
        }
        Err(e) => return (vec![], Outcome::Failed(e.to_string())),
    };
    let Some(mx) = hosts.first() else {
        return (
            vec![],
            Outcome::Nothing(tr!("no-mx", domain = target.domain.as_str())),
        );
    };
    let table = ProviderTable::builtin();
    for name in names_for(mx) {
        if let Some(p) = table.lookup(&name) {
            let mut candidates = p.candidates(&target.email, Source::Mx);
            let signed = proof.signed_by_now().await;
            for c in &mut candidates {
                c.signed = signed;
                c.warnings.push(tr!(
                    "mx-belongs",
                    domain = target.domain.as_str(),
                    mx = mx.as_str(),
                    provider = if p.name.is_empty() { &p.id } else { &p.name }.as_str()
                ));
            }
            let n = candidates.len();
            return (candidates, Outcome::Found(n));
        }
    }
    // Thunderbird's database vouches for its entries; the MX provider's own autoconfig was
    // found through DNS, so it is trusted only when the MX answer is signed.
    for name in names_for(mx) {
        let name_target = Target {
            domain: name.clone(),
            ..target.clone()
        };
        let mut kinds = vec![];
        if online {
            kinds.push(Source::Ispdb);
        }
        kinds.push(Source::Autoconfig);
        for kind in kinds {
            for url in autoconfig::urls(kind, &name_target, false) {
                if let Ok(resp) = net.http.get(&url, config_xml::MAX_BYTES).await
                    && let Ok(mut c) = autoconfig::candidates(&resp.body, Source::Mx, target)
                    && !c.is_empty()
                {
                    let (domain, mx, name) = (target.domain.as_str(), mx.as_str(), name.as_str());
                    let (trusted, signed, note) = if kind == Source::Ispdb {
                        let note = tr!("mx-ispdb", domain = domain, mx = mx, name = name);
                        (true, proof.signed_by_now().await, note)
                    } else if proof.signed().await {
                        let note = tr!("mx-own-signed", domain = domain, mx = mx, name = name);
                        (true, true, note)
                    } else {
                        let note = tr!("mx-own", domain = domain, mx = mx, name = name);
                        (false, false, note)
                    };
                    for cand in &mut c {
                        cand.trusted = trusted;
                        cand.signed = signed;
                        cand.warnings = vec![note.clone()];
                    }
                    let n = c.len();
                    return (c, Outcome::Found(n));
                }
            }
        }
    }
    (
        vec![],
        Outcome::Nothing(tr!("mx-unknown", mx = mx.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mx_host_is_looked_up_by_its_domain_then_its_registrable_domain() {
        assert_eq!(
            names_for("aspmx.l.google.com"),
            ["l.google.com", "google.com"]
        );
        assert_eq!(names_for("mx.example.co.uk"), ["example.co.uk"]);
    }
}
