//! The address detection runs for, and why it can find nothing.

use super::model::SourceReport;
use super::providers::ProviderTable;
use crate::address::EmailAddress;

/// The address being detected for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address with its domain in ASCII form.
    pub email: String,
    /// The domain in ASCII (punycode) form, lower case.
    pub domain: String,
    /// The domain as the person wrote it (Unicode).
    pub domain_unicode: String,
    /// The address as the person wrote it, for display.
    pub email_display: String,
}

impl Target {
    /// Whether `host` is the domain's own (under it) or a known provider's: a DNS record
    /// naming it needs no proof to be taken.
    pub fn owns_or_knows(&self, host: &str) -> bool {
        within(host, &self.domain) || self.known_provider_host(host)
    }

    /// Whether `host` is a server of a provider in the built-in table.
    pub fn known_provider_host(&self, host: &str) -> bool {
        let table = ProviderTable::builtin();
        psl::domain_str(host).is_some_and(|base| table.lookup(base).is_some())
            || table.providers().iter().any(|p| {
                p.outgoing
                    .iter()
                    .any(|s| s.hostname.eq_ignore_ascii_case(host))
            })
    }
}

/// Whether `host` is `domain` or under it.
pub fn within(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// Why nothing could be detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// The input is not an e-mail address (exit status 2).
    #[error("{}", tr!("detect-bad-address", input = .input.as_str(), reason = .reason.as_str()))]
    BadAddress {
        /// What was given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// Every source answered, with nothing usable.
    #[error("{}", tr!("detect-nothing", domain = .domain.as_str()))]
    NothingFound {
        /// The domain.
        domain: String,
    },
    /// Every live probe went unanswered: this network probably filters mail ports.
    #[error("{}", tr!("detect-blocked", domain = .domain.as_str()))]
    ProbesBlocked {
        /// The domain.
        domain: String,
    },
    /// No DNS server answered, so most sources could not run.
    #[error("{}", tr!("detect-dns", domain = .domain.as_str()))]
    DnsUnreachable {
        /// The domain.
        domain: String,
    },
}

impl DetectError {
    /// A stable machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            DetectError::BadAddress { .. } => "bad_address",
            DetectError::NothingFound { .. } => "nothing_found",
            DetectError::DnsUnreachable { .. } => "dns_unreachable",
            DetectError::ProbesBlocked { .. } => "probes_blocked",
        }
    }
}

/// A detection that found nothing, with what each source said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The address.
    pub email: String,
    /// Why.
    pub error: DetectError,
    /// Every source's outcome.
    pub sources: Vec<SourceReport>,
}

/// Checks an address ([`EmailAddress::parse`]) and puts its domain in ASCII form (IDN →
/// punycode).
pub fn parse_address(input: &str) -> Result<Target, DetectError> {
    let address = EmailAddress::parse(input)
        .and_then(EmailAddress::require_full_domain)
        .map_err(|e| DetectError::BadAddress {
            input: input.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Target {
        email: address.ascii(),
        domain: address.domain().to_string(),
        domain_unicode: address.domain_unicode().to_string(),
        email_display: address.display(),
    })
}
