//! The one network stack, made from its configuration: resolver, connections (Happy Eyeballs
//! or the proxy), TLS, HTTP client, and the port map tests use.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::connect::Dialer;
use super::http;
use super::proxy::{BadProxy, NoProxy, Proxy};
use super::resolver::{self, Resolver, ResolverSetupError};
use super::tls::{self, TlsSetupError};

/// The network stack could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum NetSetupError {
    /// The resolver could not be built.
    #[error(transparent)]
    Resolver(#[from] ResolverSetupError),
    /// The TLS trust store could not be built.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// `ALL_PROXY` names no usable proxy.
    #[error("{}", tr!("netsetup-all-proxy", error = .0.to_string()))]
    Proxy(#[from] BadProxy),
    /// `OUTPOST_PORT_MAP` is not a list of `port=port` pairs.
    #[error("{}", tr!("netsetup-port-map", var = PORT_MAP_ENV, value = .0.as_str()))]
    PortMap(String),
}

/// Where the network stack's settings come from: the environment, or a test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetConfig {
    /// A DNS server to ask instead of the system's (`OUTPOST_DNS`).
    pub dns_server: Option<SocketAddr>,
    /// A PEM file of extra trusted certificates (`SSL_CERT_FILE`).
    pub extra_roots: Option<PathBuf>,
    /// Well-known ports to reach on other ports instead (`OUTPOST_PORT_MAP=465=10465,…`), so
    /// that tests can serve them without privileges.
    pub port_map: Vec<(u16, u16)>,
    /// The SOCKS5 proxy for every connection (`ALL_PROXY`).
    pub proxy: Option<Proxy>,
    /// Hosts reached without the proxy (`NO_PROXY`).
    pub no_proxy: NoProxy,
    /// DNSKEY records trusted instead of the root zone's keys (`OUTPOST_DNSSEC_ANCHORS`).
    pub dnssec_anchors: Option<PathBuf>,
}

/// Environment variable mapping well-known ports to others, e.g. `465=10465,587=10587`.
pub const PORT_MAP_ENV: &str = "OUTPOST_PORT_MAP";

fn port_map_from_env() -> Result<Vec<(u16, u16)>, NetSetupError> {
    let Ok(value) = std::env::var(PORT_MAP_ENV) else {
        return Ok(vec![]);
    };
    value
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            pair.split_once('=')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .ok_or_else(|| NetSetupError::PortMap(value.clone()))
        })
        .collect()
}

impl NetConfig {
    /// Reads `OUTPOST_DNS`, `SSL_CERT_FILE`, `OUTPOST_PORT_MAP`, `ALL_PROXY`, `NO_PROXY` and
    /// `OUTPOST_DNSSEC_ANCHORS`.
    pub fn from_env() -> Result<Self, NetSetupError> {
        Ok(Self {
            dns_server: resolver::server_from_env()?,
            extra_roots: std::env::var_os(tls::CERT_FILE_ENV)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            port_map: port_map_from_env()?,
            proxy: Proxy::from_env()?,
            no_proxy: NoProxy::from_env(),
            dnssec_anchors: std::env::var_os(resolver::DNSSEC_ANCHORS_ENV)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        })
    }
}

/// The shared resolver and TLS configuration. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Net {
    /// The one DNS resolver.
    pub resolver: Resolver,
    /// The one TLS client configuration.
    pub tls: Arc<rustls::ClientConfig>,
    /// The one HTTP client.
    pub http: http::HttpClient,
    /// Opens every connection.
    pub dialer: Dialer,
    port_map: Arc<Vec<(u16, u16)>>,
}

impl Net {
    /// Built from the environment (`OUTPOST_DNS`, `SSL_CERT_FILE`). Must be called inside a
    /// tokio runtime.
    pub fn from_env() -> Result<Self, NetSetupError> {
        Self::new(&NetConfig::from_env()?)
    }

    /// Built from `config`. Must be called inside a tokio runtime.
    pub fn new(config: &NetConfig) -> Result<Self, NetSetupError> {
        let mut resolver = match config.dns_server {
            Some(addr) => Resolver::with_server(addr),
            None => Resolver::system()?,
        };
        if let Some(anchors) = &config.dnssec_anchors {
            resolver = resolver.trusting(anchors)?;
        }
        let tls = tls::client_config(config.extra_roots.as_deref())?;
        let port_map = Arc::new(config.port_map.clone());
        let dialer = Dialer::new(
            resolver.clone(),
            config.proxy.clone(),
            config.no_proxy.clone(),
        );
        let http = http::HttpClient::new(tls.clone(), dialer.clone(), port_map.clone());
        Ok(Self {
            resolver,
            tls,
            http,
            dialer,
            port_map,
        })
    }

    /// The same stack, connecting through an account's own `proxy` when it has one.
    pub fn via(&self, proxy: Option<&Proxy>) -> Self {
        let Some(proxy) = proxy else {
            return self.clone();
        };
        let dialer = self.dialer.via(Some(proxy.clone()));
        Self {
            http: self.http.with_dialer(dialer.clone()),
            dialer,
            ..self.clone()
        }
    }

    /// The port to connect to for a well-known `port` (the same unless mapped).
    pub fn port(&self, port: u16) -> u16 {
        self.port_map
            .iter()
            .find(|(from, _)| *from == port)
            .map_or(port, |(_, to)| *to)
    }
}
