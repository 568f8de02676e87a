//! The one DNS resolver: the system's configuration, or the server named by `OUTPOST_DNS`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use std::path::Path;
use std::sync::Arc;

use hickory_resolver::config::{
    ConnectionConfig, LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig,
    ResolverOpts,
};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::dnssec::{Proof, TrustAnchors};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::{ResolverBuilder, TokioResolver};

/// Environment variable naming a DNS server (`host:port`) to use instead of the system's.
pub const DNS_ENV: &str = "OUTPOST_DNS";

/// Environment variable naming a file of DNSKEY records (zone file lines) to trust instead of
/// the root zone's keys, for zones signed under their own key (a private network, the tests).
pub const DNSSEC_ANCHORS_ENV: &str = "OUTPOST_DNSSEC_ANCHORS";

/// Time limit for proving an answer signed, when trust depends on it.
const PROOF_TIMEOUT: Duration = Duration::from_secs(3);

/// A proof under way that an answer is signed (see [`Resolver::prove_srv`]); dropping it
/// stops it.
#[derive(Debug)]
pub struct Proving {
    task: tokio::task::JoinHandle<bool>,
    known: Option<bool>,
}

impl Proving {
    /// Whether the answer is signed, waiting for the proof as long as it may take.
    pub async fn signed(&mut self) -> bool {
        if let Some(known) = self.known {
            return known;
        }
        let signed = (&mut self.task).await.unwrap_or(false);
        self.known = Some(signed);
        signed
    }

    /// Whether the answer is signed, if the proof is at hand now: an answer whose trust does
    /// not depend on it is never held up for it (it may still come for [`Self::signed`]).
    pub async fn signed_by_now(&mut self) -> bool {
        if let Some(known) = self.known {
            return known;
        }
        match tokio::time::timeout(Duration::ZERO, &mut self.task).await {
            Ok(done) => {
                let signed = done.unwrap_or(false);
                self.known = Some(signed);
                signed
            }
            Err(_) => false,
        }
    }
}

impl Drop for Proving {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Most records of one answer that Outpost looks at.
const MAX_RECORDS: usize = 64;

/// One SRV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    /// Lower is preferred.
    pub priority: u16,
    /// Higher is preferred among equal priorities.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The host, lower case without the final dot; empty for ".".
    pub target: String,
}

/// The resolver could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolverSetupError {
    /// `OUTPOST_DNS` is not an `ip:port` pair.
    #[error("{}", tr!("dns-bad-server", var = DNS_ENV, value = .value.as_str()))]
    BadServer {
        /// The value found.
        value: String,
    },
    /// The system's DNS configuration could not be read.
    #[error("{}", tr!("dns-system-config", detail = .detail.as_str()))]
    SystemConfig {
        /// What went wrong.
        detail: String,
    },
    /// The DNSSEC trust anchors file could not be read.
    #[error("{}", tr!("dns-bad-anchors", var = DNSSEC_ANCHORS_ENV, path = .path.as_str(), detail = .detail.as_str()))]
    Anchors {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

/// A DNS lookup failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The name does not exist (NXDOMAIN).
    #[error("{}", tr!("dns-error-not-found", host = .host.as_str()))]
    NotFound {
        /// The name looked up.
        host: String,
    },
    /// The name exists but has no record of the type asked for.
    #[error("{}", tr!("dns-error-no-records", host = .host.as_str(), record = *.record))]
    NoRecords {
        /// The name looked up.
        host: String,
        /// The record type, e.g. "address".
        record: &'static str,
    },
    /// No DNS server answered in time.
    #[error("{}", tr!("dns-error-timeout", host = .host.as_str()))]
    Timeout {
        /// The name looked up.
        host: String,
    },
    /// The DNS servers could not be reached or gave an error.
    #[error("{}", tr!("dns-error-failed", host = .host.as_str(), detail = .detail.as_str()))]
    Failed {
        /// The name looked up.
        host: String,
        /// What the resolver said.
        detail: String,
    },
}

impl DnsError {
    fn from_net(host: &str, record: &'static str, e: &NetError) -> Self {
        let host = host.to_string();
        if e.is_nx_domain() {
            DnsError::NotFound { host }
        } else if e.is_no_records_found() {
            DnsError::NoRecords { host, record }
        } else if matches!(e, NetError::Timeout) {
            DnsError::Timeout { host }
        } else {
            DnsError::Failed {
                host,
                detail: e.to_string(),
            }
        }
    }
}

/// A DNS name as Outpost writes host names: ASCII, lower case, no final dot.
fn host_name(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

/// The configuration of one DNS server, asked over UDP and TCP.
fn one_server(addr: SocketAddr) -> ResolverConfig {
    let mut udp = ConnectionConfig::udp();
    udp.port = addr.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = addr.port();
    let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
    ResolverConfig::from_parts(None, vec![], vec![ns])
}

/// The server named by `OUTPOST_DNS`, if set.
pub fn server_from_env() -> Result<Option<SocketAddr>, ResolverSetupError> {
    match std::env::var(DNS_ENV) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse::<SocketAddr>()
            .map(Some)
            .map_err(|_| ResolverSetupError::BadServer { value }),
        _ => Ok(None),
    }
}

/// The application's resolver. Cheap to clone; clones share one cache.
#[derive(Clone)]
pub struct Resolver {
    inner: TokioResolver,
    /// The same servers, asked with the DNSSEC OK bit and checking what they answer against
    /// the trust anchors: only to tell whether an answer is signed.
    validating: TokioResolver,
    server: Option<SocketAddr>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("server", &self.server)
            .finish()
    }
}

fn options() -> ResolverOpts {
    let mut opts = ResolverOpts::default();
    opts.timeout = Duration::from_secs(3);
    opts.attempts = 2;
    // A and AAAA asked at once (one round trip for both), IPv6 first in the answer.
    opts.ip_strategy = LookupIpStrategy::Ipv6AndIpv4;
    opts
}

impl Resolver {
    /// The system's configuration (`/etc/resolv.conf` and the hosts file on Unix).
    pub fn system() -> Result<Self, ResolverSetupError> {
        let mut builder =
            TokioResolver::builder_tokio().map_err(|e| ResolverSetupError::SystemConfig {
                detail: e.to_string(),
            })?;
        let opts = builder.options_mut();
        opts.timeout = options().timeout;
        opts.attempts = options().attempts;
        opts.ip_strategy = options().ip_strategy;
        let inner = builder
            .build()
            .map_err(|e| ResolverSetupError::SystemConfig {
                detail: e.to_string(),
            })?;
        let validating = Self::validating(None, None)?;
        Ok(Self {
            inner,
            validating,
            server: None,
        })
    }

    /// A resolver that validates (RFC 4035) against `anchors` (the root's keys if none), asking
    /// `server` or the system's servers.
    fn validating(
        server: Option<SocketAddr>,
        anchors: Option<Arc<TrustAnchors>>,
    ) -> Result<TokioResolver, ResolverSetupError> {
        let mut builder: ResolverBuilder<TokioRuntimeProvider> = match server {
            Some(addr) => TokioResolver::builder_with_config(
                one_server(addr),
                TokioRuntimeProvider::default(),
            ),
            None => {
                TokioResolver::builder_tokio().map_err(|e| ResolverSetupError::SystemConfig {
                    detail: e.to_string(),
                })?
            }
        };
        let opts = builder.options_mut();
        opts.timeout = options().timeout;
        opts.attempts = options().attempts;
        opts.validate = true;
        if server.is_some() {
            opts.use_hosts_file = ResolveHosts::Never;
        }
        if let Some(anchors) = anchors {
            builder = builder.with_trust_anchor(anchors);
        }
        builder
            .build()
            .map_err(|e| ResolverSetupError::SystemConfig {
                detail: e.to_string(),
            })
    }

    /// Trusts the DNSKEY records in the file at `path` instead of the root zone's keys.
    pub fn trusting(mut self, path: &Path) -> Result<Self, ResolverSetupError> {
        let anchors = TrustAnchors::from_file(path).map_err(|e| ResolverSetupError::Anchors {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        self.validating = Self::validating(self.server, Some(Arc::new(anchors)))?;
        Ok(self)
    }

    /// Whether the `kind` records of `name` are signed: proven by DNSSEC from a trust anchor
    /// (the resolver's own validation). Anything short of a proof, a timeout included, is
    /// not signed.
    async fn signed(&self, name: &str, kind: RecordType) -> bool {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let lookup = self.validating.lookup(fqdn.as_str(), kind);
        let Ok(Ok(found)) = tokio::time::timeout(PROOF_TIMEOUT, lookup).await else {
            return false;
        };
        let mut records = found
            .answers()
            .iter()
            .filter(|r| r.record_type() == kind)
            .peekable();
        records.peek().is_some() && records.all(|r| r.proof == Proof::Secure)
    }

    /// One DNS server, asked over UDP and TCP; the hosts file is not consulted.
    pub fn with_server(addr: SocketAddr) -> Self {
        let config = one_server(addr);
        let mut opts = options();
        opts.use_hosts_file = ResolveHosts::Never;
        #[expect(
            clippy::expect_used,
            reason = "a resolver with one server and no system configuration has nothing to fail on"
        )]
        let inner = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .expect("a resolver with one server and no system configuration builds");
        #[expect(
            clippy::expect_used,
            reason = "a resolver with one server and no system configuration has nothing to fail on"
        )]
        let validating = Self::validating(Some(addr), None)
            .expect("a resolver with one server and no system configuration builds");
        Self {
            inner,
            validating,
            server: Some(addr),
        }
    }

    /// The fixed server in use, if any.
    pub fn server(&self) -> Option<SocketAddr> {
        self.server
    }

    /// The hickory resolver, for record types this wrapper does not cover yet.
    pub fn hickory(&self) -> &TokioResolver {
        &self.inner
    }

    /// The records of one type for `name`, mapped by `map`, at most [`MAX_RECORDS`].
    async fn answers<T>(
        &self,
        name: &str,
        record: &'static str,
        kind: RecordType,
        map: impl Fn(&RData) -> Option<T>,
    ) -> Result<Vec<T>, DnsError> {
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        let lookup = self
            .inner
            .lookup(fqdn.as_str(), kind)
            .await
            .map_err(|e| DnsError::from_net(name, record, &e))?;
        Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| map(&r.data))
            .take(MAX_RECORDS)
            .collect())
    }

    /// Starts proving the SRV records of `name` signed, beside [`Self::srv`]. Must be called
    /// inside a tokio runtime.
    pub fn prove_srv(&self, name: &str) -> Proving {
        self.prove(name, RecordType::SRV)
    }

    /// Starts proving the MX records of `domain` signed, beside [`Self::mx`]. Must be called
    /// inside a tokio runtime.
    pub fn prove_mx(&self, domain: &str) -> Proving {
        self.prove(domain, RecordType::MX)
    }

    fn prove(&self, name: &str, kind: RecordType) -> Proving {
        let (resolver, name) = (self.clone(), name.to_string());
        Proving {
            task: tokio::spawn(async move { resolver.signed(&name, kind).await }),
            known: None,
        }
    }

    /// The SRV records of `name`, ordered by priority, then by weight (heaviest first).
    /// A target of "." (the service is explicitly not offered) is kept as an empty string.
    pub async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>, DnsError> {
        let mut records = self
            .answers(name, "SRV", RecordType::SRV, |data| match data {
                RData::SRV(srv) => Some(SrvRecord {
                    priority: srv.priority,
                    weight: srv.weight,
                    port: srv.port,
                    target: host_name(&srv.target),
                }),
                _ => None,
            })
            .await?;
        records.sort_by(|a, b| a.priority.cmp(&b.priority).then(b.weight.cmp(&a.weight)));
        Ok(records)
    }

    /// The TXT records of `name`, each one's character-strings joined without a separator
    /// (RFC 7208 §3.3), as text (invalid UTF-8 replaced).
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        self.answers(name, "TXT", RecordType::TXT, |data| match data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part))
                    .collect::<String>(),
            ),
            _ => None,
        })
        .await
    }

    /// The MX hosts of `domain`, most preferred first.
    pub async fn mx(&self, domain: &str) -> Result<Vec<String>, DnsError> {
        let mut records = self
            .answers(domain, "MX", RecordType::MX, |data| match data {
                RData::MX(mx) => Some((mx.preference, host_name(&mx.exchange))),
                _ => None,
            })
            .await?;
        records.sort();
        Ok(records.into_iter().map(|(_, host)| host).collect())
    }

    /// The addresses of `host`; an IP literal is returned as it is.
    pub async fn lookup_ip(&self, host: &str) -> Result<Vec<IpAddr>, DnsError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        // A trailing dot makes the name absolute, so no search domain is tried.
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        let lookup = self
            .inner
            .lookup_ip(fqdn.as_str())
            .await
            .map_err(|e| DnsError::from_net(host, "address", &e))?;
        let ips: Vec<IpAddr> = lookup.iter().collect();
        if ips.is_empty() {
            return Err(DnsError::NoRecords {
                host: host.to_string(),
                record: "address",
            });
        }
        Ok(ips)
    }
}
