//! The network stack's errors in plain words.

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
                NetSetupError::Http(_) => "Report this as a bug, with the message above.",
            },
        )
    }
}
