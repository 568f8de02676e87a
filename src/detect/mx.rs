//! The domain's MX host, recognised as a provider: a domain whose mail goes to
//! `aspmx.l.google.com` is hosted by Google and sends through Google.

use super::Target;
use super::model::{Candidate, Outcome, Source};
use super::providers::ProviderTable;
use crate::net::{DnsError, Net};

/// The names to look up for an MX host: itself, its parent, and its registrable domain.
fn names_for(mx: &str) -> Vec<String> {
    let mut names = vec![mx.to_string()];
    if let Some((_, parent)) = mx.split_once('.') {
        names.push(parent.to_string());
    }
    if let Some(base) = psl::domain_str(mx) {
        names.push(base.to_string());
    }
    names.dedup();
    names
}

/// Finds the provider behind the domain's preferred MX host.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let hosts = match net.resolver.mx(&target.domain).await {
        Ok(h) => h,
        Err(DnsError::NotFound { .. } | DnsError::NoRecords { .. }) => {
            return (
                vec![],
                Outcome::Nothing(format!("{} has no MX", target.domain)),
            );
        }
        Err(e) => return (vec![], Outcome::Failed(e.to_string())),
    };
    let Some(mx) = hosts.first() else {
        return (
            vec![],
            Outcome::Nothing(format!("{} has no MX", target.domain)),
        );
    };
    let table = ProviderTable::builtin();
    for name in names_for(mx) {
        if let Some(p) = table.lookup(&name) {
            let mut candidates = p.candidates(&target.email, Source::Mx);
            for c in &mut candidates {
                c.warnings.push(format!(
                    "{}'s mail is handled by {mx}, which belongs to {}",
                    target.domain,
                    if p.name.is_empty() { &p.id } else { &p.name }
                ));
            }
            let n = candidates.len();
            return (candidates, Outcome::Found(n));
        }
    }
    (
        vec![],
        Outcome::Nothing(format!("the MX host {mx} is not a known provider")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mx_host_is_looked_up_by_itself_its_parent_and_its_base_domain() {
        assert_eq!(
            names_for("aspmx.l.google.com"),
            ["aspmx.l.google.com", "l.google.com", "google.com"]
        );
        assert_eq!(
            names_for("mx.example.co.uk"),
            ["mx.example.co.uk", "example.co.uk"]
        );
    }
}
