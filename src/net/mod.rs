//! The network stack every part of Outpost shares: one resolver, one TLS configuration, and
//! the SMTP client session used to check servers.

pub mod resolver;
pub mod smtp;
pub mod tls;

use std::sync::Arc;

pub use resolver::{DnsError, Resolver, ResolverSetupError};
pub use tls::{CertProblem, TlsSetupError};

/// The network stack could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum NetSetupError {
    /// The resolver could not be built.
    #[error(transparent)]
    Resolver(#[from] ResolverSetupError),
    /// The TLS trust store could not be built.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
}

/// The shared resolver and TLS configuration. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Net {
    /// The one DNS resolver.
    pub resolver: Resolver,
    /// The one TLS client configuration.
    pub tls: Arc<rustls::ClientConfig>,
}

impl Net {
    /// Built from the environment (`OUTPOST_DNS`, `SSL_CERT_FILE`). Must be called inside a
    /// tokio runtime.
    pub fn from_env() -> Result<Self, NetSetupError> {
        Ok(Self {
            resolver: Resolver::from_env()?,
            tls: tls::client_config()?,
        })
    }
}
