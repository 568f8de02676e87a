//! The network stack every part of Outpost shares: one resolver, one TLS configuration, and
//! the SMTP client session used to check servers.

mod explain;
pub mod http;
pub mod resolver;
pub mod smtp;
mod stack;
pub mod tls;

pub use resolver::{DnsError, Resolver, ResolverSetupError};
pub use stack::{Net, NetConfig, NetSetupError, PORT_MAP_ENV};
pub use tls::{CertProblem, TlsSetupError};
