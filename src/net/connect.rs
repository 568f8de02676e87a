//! Every TCP connection Outpost makes: straight to a server by racing its addresses as
//! RFC 8305 ("Happy Eyeballs") says, or through a SOCKS5 proxy that looks the name up itself.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::proxy::{NoProxy, Proxy};
use super::resolver::{DnsError, Resolver};

/// Time between starting one connection attempt and the next (RFC 8305 §5 recommends 250 ms).
pub const ATTEMPT_DELAY: Duration = Duration::from_millis(250);
/// Most addresses tried for one name: a hostile answer may hold a thousand.
pub const MAX_ADDRESSES: usize = 8;

/// What became of one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// It answered and was used.
    Connected,
    /// It answered that nothing listens on the port.
    Refused,
    /// The system could not reach it (no route, network down…).
    Failed(String),
    /// Nothing came back: the packets were dropped on the way.
    NoAnswer,
    /// Still trying when another address answered; given up.
    Abandoned,
}

/// One address tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressAttempt {
    /// The address.
    pub addr: SocketAddr,
    /// What became of it.
    pub outcome: AttemptOutcome,
}

impl fmt::Display for AddressAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ip = self.addr.ip();
        match &self.outcome {
            AttemptOutcome::Connected => f.write_str(&tr!("attempt-answered", ip = ip.to_string())),
            AttemptOutcome::Refused => f.write_str(&tr!("attempt-refused", ip = ip.to_string())),
            AttemptOutcome::Failed(why) => f.write_str(&tr!(
                "attempt-failed",
                ip = ip.to_string(),
                why = why.to_string()
            )),
            AttemptOutcome::NoAnswer => f.write_str(&tr!("attempt-no-answer", ip = ip.to_string())),
            AttemptOutcome::Abandoned => {
                f.write_str(&tr!("attempt-abandoned", ip = ip.to_string()))
            }
        }
    }
}

/// The attempts other than the one that answered, for a step report: "" when there were none.
pub fn others(attempts: &[AddressAttempt]) -> String {
    let rest: Vec<String> = attempts
        .iter()
        .filter(|a| a.outcome != AttemptOutcome::Connected)
        .map(ToString::to_string)
        .collect();
    rest.join(", ")
}

/// No address answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Every address refused.
    #[error("{}", tr!("connect-refused"))]
    Refused {
        /// What each address did.
        attempts: Vec<AddressAttempt>,
    },
    /// At least one address did not answer at all within the limit: dropped packets, most
    /// likely a firewall.
    #[error("{}", tr!("connect-dropped", seconds = .after.as_secs()))]
    Dropped {
        /// What each address did.
        attempts: Vec<AddressAttempt>,
        /// The limit.
        after: Duration,
    },
    /// The system could not reach any address.
    #[error("{detail}")]
    Unreachable {
        /// What each address did.
        attempts: Vec<AddressAttempt>,
        /// What the system said about the first.
        detail: String,
    },
}

impl ConnectError {
    /// What each address did.
    pub fn attempts(&self) -> &[AddressAttempt] {
        match self {
            ConnectError::Refused { attempts }
            | ConnectError::Dropped { attempts, .. }
            | ConnectError::Unreachable { attempts, .. } => attempts,
        }
    }
}

/// The addresses in the order RFC 8305 §4 tries them: the families interleaved, IPv6 first,
/// each family in the order DNS gave; at most [`MAX_ADDRESSES`].
pub fn interleave(ips: &[IpAddr]) -> Vec<IpAddr> {
    let (v6, v4): (Vec<IpAddr>, Vec<IpAddr>) = ips.iter().partition(|ip| ip.is_ipv6());
    let mut out = Vec::with_capacity(ips.len());
    for i in 0..v6.len().max(v4.len()) {
        out.extend(v6.get(i));
        out.extend(v4.get(i));
    }
    out.truncate(MAX_ADDRESSES);
    out
}

/// A connection made by [`race`].
#[derive(Debug)]
pub struct Raced {
    /// The connection.
    pub stream: TcpStream,
    /// The address that answered.
    pub addr: SocketAddr,
    /// What each address tried did.
    pub attempts: Vec<AddressAttempt>,
}

fn outcome_of(e: &io::Error) -> AttemptOutcome {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => AttemptOutcome::Refused,
        io::ErrorKind::TimedOut => AttemptOutcome::NoAnswer,
        _ => AttemptOutcome::Failed(e.to_string()),
    }
}

/// Connects to the first of `addrs` to answer: one attempt started every [`ATTEMPT_DELAY`]
/// (at once after a failure), all of them under `limit`; the others are closed.
pub async fn race(addrs: &[SocketAddr], limit: Duration) -> Result<Raced, ConnectError> {
    let addrs = &addrs[..addrs.len().min(MAX_ADDRESSES)];
    let deadline = Instant::now() + limit;
    let mut outcomes: Vec<Option<AttemptOutcome>> = vec![None; addrs.len()];
    let mut running = JoinSet::new();
    let (mut started, mut next_at) = (0, Instant::now());
    while started < addrs.len() || !running.is_empty() {
        tokio::select! {
            biased;
            Some(joined) = running.join_next(), if !running.is_empty() => {
                let (i, result): (usize, io::Result<TcpStream>) = match joined {
                    Ok(r) => r,
                    Err(e) => return Err(ConnectError::Unreachable {
                        attempts: vec![],
                        detail: format!("the connection attempt failed: {e}"),
                    }),
                };
                match result {
                    Ok(stream) => {
                        outcomes[i] = Some(AttemptOutcome::Connected);
                        for o in outcomes.iter_mut().take(started).filter(|o| o.is_none()) {
                            *o = Some(AttemptOutcome::Abandoned);
                        }
                        return Ok(Raced { stream, addr: addrs[i], attempts: tried(addrs, outcomes) });
                    }
                    Err(e) => {
                        outcomes[i] = Some(outcome_of(&e));
                        next_at = Instant::now();
                    }
                }
            }
            () = tokio::time::sleep_until(next_at), if started < addrs.len() => {
                let (i, addr) = (started, addrs[started]);
                running.spawn(async move { (i, TcpStream::connect(addr).await) });
                started += 1;
                next_at = Instant::now() + ATTEMPT_DELAY;
            }
            () = tokio::time::sleep_until(deadline) => break,
        }
    }
    // Dropping `running` closes the attempts still waiting.
    for o in outcomes.iter_mut().take(started).filter(|o| o.is_none()) {
        *o = Some(AttemptOutcome::NoAnswer);
    }
    let attempts = tried(addrs, outcomes);
    Err(if attempts.is_empty() {
        ConnectError::Unreachable {
            attempts,
            detail: "no address to connect to".into(),
        }
    } else if attempts
        .iter()
        .any(|a| a.outcome == AttemptOutcome::NoAnswer)
    {
        ConnectError::Dropped {
            attempts,
            after: limit,
        }
    } else if let Some(detail) = attempts.iter().find_map(|a| match &a.outcome {
        AttemptOutcome::Failed(d) => Some(d.clone()),
        _ => None,
    }) {
        ConnectError::Unreachable { attempts, detail }
    } else {
        ConnectError::Refused { attempts }
    })
}

fn tried(addrs: &[SocketAddr], outcomes: Vec<Option<AttemptOutcome>>) -> Vec<AddressAttempt> {
    addrs
        .iter()
        .zip(outcomes)
        .filter_map(|(addr, o)| {
            Some(AddressAttempt {
                addr: *addr,
                outcome: o?,
            })
        })
        .collect()
}

/// A SOCKS5 proxy did not give a connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// The proxy itself could not be reached.
    #[error("{}", tr!("proxy-unreachable", proxy = .proxy.to_string(), cause = .cause.to_string()))]
    Unreachable {
        /// The proxy.
        proxy: Proxy,
        /// Why.
        cause: ConnectError,
    },
    /// The proxy wants a user name and password it was not given, or refused them.
    #[error("{}", tr!("proxy-login", proxy = .proxy.to_string()))]
    Login {
        /// The proxy.
        proxy: Proxy,
    },
    /// The proxy tried and could not connect on to the server.
    #[error("{}", tr!(
        "proxy-onward",
        proxy = .proxy.to_string(),
        target = .target.to_string(),
        reason = .reason.to_string()
    ))]
    Onward {
        /// The proxy.
        proxy: Proxy,
        /// The server, as `host:port`.
        target: String,
        /// What the proxy said, in words.
        reason: String,
    },
    /// The proxy does not speak SOCKS5 as expected, or hung up.
    #[error("{}", tr!("proxy-protocol", proxy = .proxy.to_string(), detail = .detail.to_string()))]
    Protocol {
        /// The proxy.
        proxy: Proxy,
        /// What went wrong.
        detail: String,
    },
}

fn proxy_error(proxy: &Proxy, target: String, e: tokio_socks::Error) -> ProxyError {
    use tokio_socks::Error as E;
    let proxy = proxy.clone();
    let onward = |reason: &str| ProxyError::Onward {
        proxy: proxy.clone(),
        target: target.clone(),
        reason: reason.into(),
    };
    match e {
        E::ConnectionRefused => onward("the server refused the connection"),
        E::HostUnreachable | E::NetworkUnreachable | E::TtlExpired => {
            onward("the server cannot be reached from the proxy")
        }
        E::GeneralSocksServerFailure => {
            onward("the proxy failed (it may not know the name, or the server did not answer)")
        }
        E::ConnectionNotAllowedByRuleset => onward("the proxy's rules do not allow it"),
        E::NoAcceptableAuthMethods
        | E::PasswordAuthFailure(_)
        | E::AuthorizationRequired
        | E::InvalidAuthValues(_) => ProxyError::Login { proxy },
        E::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => ProxyError::Protocol {
            proxy,
            detail: "it closed the connection".into(),
        },
        other => ProxyError::Protocol {
            proxy,
            detail: other.to_string().to_lowercase(),
        },
    }
}

/// How a connection was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    /// Straight to the server.
    Direct {
        /// The address that answered.
        addr: SocketAddr,
        /// What each address tried did.
        attempts: Vec<AddressAttempt>,
    },
    /// Through a proxy, which looked the name up.
    Proxy(Proxy),
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Direct { addr, attempts } => match others(attempts) {
                rest if rest.is_empty() => write!(f, "connected to {addr}"),
                rest => write!(f, "connected to {addr} ({rest})"),
            },
            Path::Proxy(proxy) => write!(f, "connected through the proxy {proxy}"),
        }
    }
}

/// Opening a connection failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The name could not be looked up.
    #[error(transparent)]
    Dns(#[from] DnsError),
    /// No address answered.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The proxy gave no connection.
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    /// The whole took longer than its limit.
    #[error("{}", tr!("connection-timeout", seconds = .0.as_secs()))]
    Timeout(Duration),
}

/// Opens connections: through the proxy when one is set (and the host is not in `NO_PROXY`),
/// else straight, racing the addresses. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Dialer {
    resolver: Resolver,
    proxy: Option<Proxy>,
    no_proxy: Arc<NoProxy>,
}

impl Dialer {
    /// A dialer using `resolver` for direct connections and `proxy` for all others.
    pub fn new(resolver: Resolver, proxy: Option<Proxy>, no_proxy: NoProxy) -> Self {
        Self {
            resolver,
            proxy,
            no_proxy: Arc::new(no_proxy),
        }
    }

    /// The same, through `proxy` instead (an account's own proxy).
    pub fn via(&self, proxy: Option<Proxy>) -> Self {
        Self {
            proxy,
            ..self.clone()
        }
    }

    /// The proxy set for everything, if any.
    pub fn proxy(&self) -> Option<&Proxy> {
        self.proxy.as_ref()
    }

    /// The proxy a connection to `host` goes through, if any.
    pub fn proxy_for(&self, host: &str) -> Option<&Proxy> {
        self.proxy.as_ref().filter(|_| !self.no_proxy.covers(host))
    }

    /// Connects to `host` on `port` within `limit`: looked up and raced, or through the proxy.
    pub async fn open(
        &self,
        host: &str,
        port: u16,
        limit: Duration,
    ) -> Result<(TcpStream, Path), OpenError> {
        let work = async {
            if let Some(proxy) = self.proxy_for(host) {
                let stream = self.through(proxy, host, port, limit).await?;
                return Ok((stream, Path::Proxy(proxy.clone())));
            }
            let ips = self.resolver.lookup_ip(host).await?;
            let addrs: Vec<SocketAddr> = interleave(&ips)
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect();
            let raced = race(&addrs, limit).await?;
            Ok((
                raced.stream,
                Path::Direct {
                    addr: raced.addr,
                    attempts: raced.attempts,
                },
            ))
        };
        tokio::time::timeout(limit, work)
            .await
            .unwrap_or(Err(OpenError::Timeout(limit)))
    }

    /// Connects to `host` on `port` through `proxy`, which looks the name up (SOCKS5 with a
    /// domain name, RFC 1928 §5).
    pub async fn through(
        &self,
        proxy: &Proxy,
        host: &str,
        port: u16,
        limit: Duration,
    ) -> Result<TcpStream, ProxyError> {
        let unreachable = |cause| ProxyError::Unreachable {
            proxy: proxy.clone(),
            cause,
        };
        let ips = match proxy.host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self.resolver.lookup_ip(&proxy.host).await.map_err(|e| {
                unreachable(ConnectError::Unreachable {
                    attempts: vec![],
                    detail: e.to_string(),
                })
            })?,
        };
        let addrs: Vec<SocketAddr> = interleave(&ips)
            .into_iter()
            .map(|ip| SocketAddr::new(ip, proxy.port))
            .collect();
        let raced = race(&addrs, limit).await.map_err(unreachable)?;
        let target = (host.trim_start_matches('[').trim_end_matches(']'), port);
        let shown = format!("{host}:{port}");
        let stream = match &proxy.login {
            Some((user, password)) => {
                tokio_socks::tcp::Socks5Stream::connect_with_password_and_socket(
                    raced.stream,
                    target,
                    user,
                    password,
                )
                .await
            }
            None => tokio_socks::tcp::Socks5Stream::connect_with_socket(raced.stream, target).await,
        }
        .map_err(|e| proxy_error(proxy, shown, e))?;
        Ok(stream.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_interleaved_ipv6_first() {
        let ips: Vec<IpAddr> = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "192.0.2.3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let order: Vec<String> = interleave(&ips).iter().map(ToString::to_string).collect();
        assert_eq!(
            order,
            ["2001:db8::1", "192.0.2.1", "192.0.2.2", "192.0.2.3"]
        );
        let many: Vec<IpAddr> = (1..=50).map(|i| IpAddr::from([10, 0, 0, i])).collect();
        assert_eq!(interleave(&many).len(), MAX_ADDRESSES);
    }

    #[tokio::test]
    async fn refusals_are_told_apart_from_silence() {
        // A port nothing listens on refuses at once.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = closed.local_addr().unwrap();
        drop(closed);
        match race(&[addr], Duration::from_secs(2)).await {
            Err(ConnectError::Refused { attempts }) => {
                assert_eq!(attempts[0].outcome, AttemptOutcome::Refused)
            }
            other => panic!("{other:?}"),
        }
        // The first refuses, the second answers: the second is used at once.
        let open = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let good = open.local_addr().unwrap();
        let started = std::time::Instant::now();
        let raced = race(&[addr, good], Duration::from_secs(2)).await.unwrap();
        assert_eq!(raced.addr, good);
        assert!(started.elapsed() < ATTEMPT_DELAY, "{:?}", started.elapsed());
        assert_eq!(others(&raced.attempts), "127.0.0.1 refused");
    }
}
