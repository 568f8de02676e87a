//! The network stack's errors in plain words.

use super::connect::{ConnectError, ProxyError};
use super::resolver::DnsError;
use super::stack::NetSetupError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for DnsError {
    fn explain(&self) -> Explanation {
        match self {
            DnsError::NotFound { host } => Explanation::new(
                format!("The server name {host} does not exist."),
                "Check the spelling of the server name (for example smtp.example.org); \
                 your provider's help pages give the exact name.",
            ),
            DnsError::NoRecords { host, .. } => Explanation::new(
                format!("The name {host} exists but has no address."),
                "Check the server name: it may be the mail domain rather than the server \
                 (smtp.example.org rather than example.org).",
            ),
            DnsError::Timeout { host } => Explanation::new(
                format!("No DNS server answered for {host}."),
                "Check that this computer is online. Behind a hotel or train Wi-Fi, sign in \
                 to its page first; with a VPN, check that it is connected.",
            ),
            DnsError::Failed { host, detail } => Explanation::new(
                format!("Looking up {host} failed ({detail})."),
                "Check this computer's network connection and DNS settings.",
            ),
        }
    }
}

impl Explain for NetSetupError {
    fn explain(&self) -> Explanation {
        Explanation::new(
            format!("{}.", capitalise(&self.to_string())),
            match self {
                NetSetupError::Resolver(_) => {
                    "Fix or unset OUTPOST_DNS, or check /etc/resolv.conf."
                }
                NetSetupError::Tls(_) => "Fix or unset SSL_CERT_FILE.",
                NetSetupError::PortMap(_) => "Fix or unset OUTPOST_PORT_MAP.",
                NetSetupError::Proxy(_) => {
                    "Set ALL_PROXY to a SOCKS5 proxy (socks5h://host:port), or unset it."
                }
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
                ProxyError::Unreachable { .. } => {
                    "Check that the proxy is running (for Tor: that the Tor service is \
                     started), or change the proxy in the account's settings or ALL_PROXY."
                }
                ProxyError::Login { .. } => {
                    "Give the proxy's user name and password in ALL_PROXY \
                     (socks5h://user:password@host:port), or ask whoever runs it."
                }
                ProxyError::Onward { .. } => {
                    "Check the server name and port; if they are right, the server may be \
                     down, or the proxy's network may not reach it."
                }
                ProxyError::Protocol { .. } => {
                    "Check that the address is a SOCKS5 proxy (Tor listens on port 9050), \
                     not an HTTP proxy or another service."
                }
            },
        )
    }
}

/// The addresses `attempts` tried, for a sentence: "::1 did not answer, 127.0.0.1 refused".
pub fn attempts_text(err: &ConnectError) -> String {
    let list: Vec<String> = err.attempts().iter().map(ToString::to_string).collect();
    list.join(", ")
}
