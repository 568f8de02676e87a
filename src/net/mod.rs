//! The network stack every part of Outpost shares: one resolver, one TLS configuration, and
//! the SMTP client session used to check servers.

pub mod certificate;
pub mod changes;
pub mod connect;
mod explain;
pub mod http;
pub mod imap;
pub mod pin;
pub mod proxy;
pub mod resolver;
pub mod smtp;
mod stack;
pub mod tls;

pub use certificate::{CertificateInfo, Fingerprint};
pub use connect::{ConnectError, Dialer, OpenError, ProxyError};
pub use explain::attempts_text as explain_attempts;
pub use pin::CertificatePin;
pub use proxy::{BadProxy, Proxy};
pub use resolver::{DnsError, Proving, Resolver, ResolverSetupError, SrvRecord};
pub use stack::{Net, NetConfig, NetSetupError, PORT_MAP_ENV};
pub use tls::{CertProblem, CertReason, TlsSetupError};
