//! The network stack's errors in plain words.

use super::connect::{ConnectError, ProxyError};
use super::resolver::{DnsError, ResolverSetupError};
use super::stack::NetSetupError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for DnsError {
    fn explain(&self) -> Explanation {
        match self {
            DnsError::NotFound { host } => Explanation::new(
                tr!("dns-not-found", host = host.as_str()),
                tr!("dns-not-found-advice"),
            ),
            DnsError::NoRecords { host, .. } => Explanation::new(
                tr!("dns-no-records", host = host.as_str()),
                tr!("dns-no-records-advice"),
            ),
            DnsError::Timeout { host } => Explanation::new(
                tr!("dns-timeout", host = host.as_str()),
                tr!("dns-timeout-advice"),
            ),
            DnsError::Failed { host, detail } => Explanation::new(
                tr!("dns-failed", host = host.as_str(), detail = detail.as_str()),
                tr!("dns-failed-advice"),
            ),
        }
    }
}

impl Explain for NetSetupError {
    fn explain(&self) -> Explanation {
        Explanation::new(
            format!("{}.", capitalise(&self.to_string())),
            match self {
                NetSetupError::Resolver(ResolverSetupError::Anchors { .. }) => {
                    tr!("netsetup-anchors-advice")
                }
                NetSetupError::Resolver(_) => tr!("netsetup-resolver-advice"),
                NetSetupError::Tls(_) => tr!("netsetup-tls-advice"),
                NetSetupError::PortMap(_) => tr!("netsetup-port-map-advice"),
                NetSetupError::Proxy(_) => tr!("netsetup-proxy-advice"),
            },
        )
    }
}

impl Explain for ProxyError {
    fn explain(&self) -> Explanation {
        let problem = format!("{}.", capitalise(&self.to_string()));
        Explanation::new(
            problem,
            match self {
                ProxyError::Unreachable { .. } => tr!("proxy-unreachable-advice"),
                ProxyError::Login { .. } => tr!("proxy-login-advice"),
                ProxyError::Onward { .. } => tr!("proxy-onward-advice"),
                ProxyError::Protocol { .. } => tr!("proxy-protocol-advice"),
            },
        )
    }
}

/// The addresses `attempts` tried, for a sentence: "::1 did not answer, 127.0.0.1 refused".
pub fn attempts_text(err: &ConnectError) -> String {
    let list: Vec<String> = err.attempts().iter().map(ToString::to_string).collect();
    list.join(", ")
}
