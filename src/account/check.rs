//! The live connection check: DNS → TCP → TLS → greeting → EHLO → STARTTLS → AUTH → QUIT,
//! each step timed, each with its own timeout, reported as it happens.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::net::TcpStream;

use super::model::{AuthMethod, Security, SmtpSettings};
use crate::explain::Explain;
use crate::net::connect::{self, ConnectError, Path};
use crate::net::imap::ImapError;
use crate::net::pin::pinned_config;
use crate::net::smtp::{Capabilities, Mechanism, Reply, SmtpConn, SmtpError, Transcript};
use crate::net::tls::cert_problem;
use crate::net::{CertProblem, CertificateInfo, CertificatePin, DnsError, Net, ProxyError};
use crate::secret::Secret;

/// One step of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Getting a fresh OAuth2 access token (accounts that signed in through the browser).
    Token,
    /// Looking up the server's addresses.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake (implicit, or after STARTTLS).
    Tls,
    /// The server's 220 greeting.
    Greeting,
    /// EHLO and its capabilities.
    Ehlo,
    /// The STARTTLS command.
    Starttls,
    /// Logging in.
    Auth,
    /// Saying goodbye.
    Quit,
    /// Logging in to the IMAP server copies of sent messages go to.
    Imap,
    /// Finding the Sent folder there.
    SentFolder,
}

impl Step {
    /// A label for people, in plain words (the protocol's own names are in the step's
    /// detail).
    pub fn label(self) -> String {
        match self {
            Step::Token => tr!("step-token"),
            Step::Resolve => tr!("step-resolve"),
            Step::Connect => tr!("step-connect"),
            Step::Tls => tr!("step-tls"),
            Step::Greeting => tr!("step-greeting"),
            Step::Ehlo => tr!("step-ehlo"),
            Step::Starttls => tr!("step-starttls"),
            Step::Auth => tr!("step-auth"),
            Step::Quit => tr!("step-quit"),
            Step::Imap => tr!("step-imap"),
            Step::SentFolder => tr!("step-sent-folder"),
        }
    }

    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Token => "token",
            Step::Resolve => "resolve",
            Step::Connect => "connect",
            Step::Tls => "tls",
            Step::Greeting => "greeting",
            Step::Ehlo => "ehlo",
            Step::Starttls => "starttls",
            Step::Auth => "auth",
            Step::Quit => "quit",
            Step::Imap => "imap",
            Step::SentFolder => "sent_folder",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// How long each kind of step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The DNS lookup.
    pub dns: Duration,
    /// Each TCP connection attempt.
    pub connect: Duration,
    /// The TLS handshake.
    pub tls: Duration,
    /// Each command and its reply, the greeting included.
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            dns: Duration::from_secs(10),
            connect: Duration::from_secs(10),
            tls: Duration::from_secs(15),
            command: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// The same limit for every step.
    pub fn uniform(limit: Duration) -> Self {
        Self {
            dns: limit,
            connect: limit,
            tls: limit,
            command: limit,
        }
    }
}

/// Why a sign-in gave no access token: the sign-in's own error (defined with the sign-in,
/// above accounts), explained by its own [`Explain`] impl.
pub trait TokenProblem: Explain + fmt::Debug + Send + Sync {
    /// A stable machine-readable name for the kind of failure.
    fn kind(&self) -> &'static str;
}

/// A [`TokenProblem`], shared by the reports that carry it.
#[derive(Debug, Clone)]
pub struct TokenError(pub Arc<dyn TokenProblem>);

impl PartialEq for TokenError {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.explain() == other.0.explain()
    }
}

impl Eq for TokenError {}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.explain().problem)
    }
}

/// Why a step failed. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The DNS lookup failed.
    #[error(transparent)]
    Dns(#[from] DnsError),
    /// Every address refused the connection.
    #[error("{}", tr!(
        "verify-error-refused",
        host = .host.as_str(),
        port = *.port,
        ip = .addr.ip().to_string()
    ))]
    Refused {
        /// The server name, as configured.
        host: String,
        /// The port, as configured.
        port: u16,
        /// The last address tried.
        addr: SocketAddr,
    },
    /// No address answered in time: the attempts were dropped on the way, most likely by a
    /// firewall (a refusal is told apart: [`CheckError::Refused`]).
    #[error("{}", tr!(
        "verify-error-connect-timeout",
        host = .host.as_str(),
        port = *.port,
        seconds = .after.as_secs(),
        tried = .tried.as_str()
    ))]
    ConnectTimeout {
        /// The server name.
        host: String,
        /// The port.
        port: u16,
        /// How long the attempts, together, waited.
        after: Duration,
        /// What each address tried did, in words.
        tried: String,
    },
    /// The proxy gave no connection.
    #[error("{0}")]
    Proxy(Box<ProxyError>),
    /// The network could not reach the server.
    #[error("{}", tr!(
        "verify-error-unreachable",
        host = .host.as_str(),
        port = *.port,
        detail = .detail.as_str()
    ))]
    Unreachable {
        /// The server name.
        host: String,
        /// The port.
        port: u16,
        /// What the system said.
        detail: String,
    },
    /// The server's certificate was refused.
    #[error("{0}")]
    Certificate(CertProblem),
    /// The TLS handshake failed for another reason.
    #[error("{}", tr!("verify-error-tls", detail = .detail.as_str()))]
    TlsFailed {
        /// What rustls said.
        detail: String,
    },
    /// `security = starttls`, and the server did not offer STARTTLS.
    #[error("{}", tr!("verify-error-no-starttls"))]
    NoStartTls,
    /// The server answered STARTTLS with an error.
    #[error("{}", tr!("verify-error-starttls-refused", reply = .0.to_string()))]
    StartTlsRefused(Reply),
    /// The server sent data right after agreeing to STARTTLS, before the handshake.
    #[error("{}", tr!("verify-error-injection"))]
    StartTlsInjection,
    /// A step took longer than its timeout.
    #[error("{}", tr!(
        "verify-error-timeout",
        step = .step.label(),
        seconds = .after.as_secs()
    ))]
    Timeout {
        /// The step.
        step: Step,
        /// Its limit.
        after: Duration,
    },
    /// The server closed the connection.
    #[error("{}", tr!("verify-error-closed", step = .step.label()))]
    Closed {
        /// The step.
        step: Step,
    },
    /// The server does not speak SMTP as expected.
    #[error("{}", tr!(
        "verify-error-protocol",
        step = .step.label(),
        detail = .detail.as_str()
    ))]
    Protocol {
        /// The step.
        step: Step,
        /// What was wrong.
        detail: String,
    },
    /// The server refused a step with an error reply.
    #[error("{}", tr!(
        "verify-error-rejected",
        step = .step.label(),
        reply = .reply.to_string()
    ))]
    Rejected {
        /// The step.
        step: Step,
        /// The server's reply.
        reply: Reply,
    },
    /// The account needs a login, and the server offers none.
    #[error("{}", tr!("verify-error-no-auth"))]
    NoAuthOffered,
    /// None of the server's login methods is one Outpost speaks.
    #[error("{}", tr!("verify-error-mechanisms", offered = .offered.join(", ")))]
    NoCommonMechanism {
        /// The mechanisms offered.
        offered: Vec<String>,
    },
    /// The password would have crossed the network unencrypted without consent.
    #[error("{}", tr!("verify-error-plaintext"))]
    PlaintextRefused,
    /// The account needs a secret and none was given.
    #[error("{}", tr!("verify-error-no-secret"))]
    NoSecret,
    /// The server refused the login.
    #[error("{}", tr!("verify-error-auth", reply = .0.to_string()))]
    AuthFailed(Reply),
    /// The server demands encryption before a login.
    #[error("{}", tr!("verify-error-encryption-required", reply = .0.to_string()))]
    EncryptionRequired(Reply),
    /// No OAuth2 access token could be had.
    #[error("{0}")]
    Token(TokenError),
    /// The IMAP server for copies of sent messages failed a step.
    #[error(transparent)]
    Imap(ImapError),
    /// A local failure of this computer.
    #[error("{detail}")]
    Local {
        /// What happened.
        detail: String,
    },
}

impl CheckError {
    /// A stable machine-readable name for the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            CheckError::Dns(DnsError::NotFound { .. }) => "dns_not_found",
            CheckError::Dns(DnsError::NoRecords { .. }) => "dns_no_address",
            CheckError::Dns(DnsError::Timeout { .. }) => "dns_timeout",
            CheckError::Dns(DnsError::Failed { .. }) => "dns_failed",
            CheckError::Refused { .. } => "connection_refused",
            CheckError::ConnectTimeout { .. } => "connect_timeout",
            CheckError::Unreachable { .. } => "unreachable",
            CheckError::Proxy(_) => "proxy",
            CheckError::Certificate(_) => "certificate",
            CheckError::TlsFailed { .. } => "tls_failed",
            CheckError::NoStartTls => "starttls_not_offered",
            CheckError::StartTlsRefused(_) => "starttls_refused",
            CheckError::StartTlsInjection => "starttls_injection",
            CheckError::Timeout { .. } => "timeout",
            CheckError::Closed { .. } => "connection_closed",
            CheckError::Protocol { .. } => "protocol",
            CheckError::Rejected { .. } => "rejected",
            CheckError::NoAuthOffered => "auth_not_offered",
            CheckError::NoCommonMechanism { .. } => "no_common_mechanism",
            CheckError::PlaintextRefused => "plaintext_refused",
            CheckError::NoSecret => "no_secret",
            CheckError::AuthFailed(_) => "auth_failed",
            CheckError::EncryptionRequired(_) => "encryption_required",
            CheckError::Token(e) => e.0.kind(),
            CheckError::Imap(ImapError::Certificate(_)) => "imap_certificate",
            CheckError::Imap(ImapError::LoginRefused { .. }) => "imap_login_refused",
            CheckError::Imap(e) if e.is_over_quota() => "imap_over_quota",
            CheckError::Imap(ImapError::Refused { .. }) => "imap_refused",
            CheckError::Imap(_) => "imap",
            CheckError::Local { .. } => "local",
        }
    }
}

/// One finished step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    /// The step.
    pub step: Step,
    /// How long it took.
    pub elapsed: Duration,
    /// What it found, or why it failed.
    pub outcome: Result<String, CheckError>,
}

/// Progress of a running check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A step began.
    Started(Step),
    /// A step finished.
    Finished(StepRecord),
}

/// The whole check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every step that ran, in order.
    pub steps: Vec<StepRecord>,
    /// The address connected to.
    pub address: Option<SocketAddr>,
    /// The capabilities from the last EHLO.
    pub capabilities: Option<Capabilities>,
    /// The TLS version used.
    pub tls_version: Option<&'static str>,
    /// What the server's certificate says: after the handshake, or when it was refused.
    pub certificate: Option<CertificateInfo>,
    /// The conversation with the server, secrets hidden, when it was asked for.
    pub transcript: Vec<String>,
}

impl Report {
    /// The failed step and its error, if any step failed.
    pub fn failure(&self) -> Option<(Step, &CheckError)> {
        self.steps
            .iter()
            .find_map(|s| s.outcome.as_ref().err().map(|e| (s.step, e)))
    }

    /// True when every step succeeded.
    pub fn is_ok(&self) -> bool {
        self.failure().is_none()
    }
}

/// What to check.
#[derive(Debug, Clone)]
pub struct Check<'a> {
    /// The shared network stack.
    pub net: &'a Net,
    /// The server settings.
    pub settings: &'a SmtpSettings,
    /// The password or token, when the account logs in.
    pub secret: Option<&'a Secret>,
    /// The person confirmed sending the password unencrypted.
    pub allow_plaintext_auth: bool,
    /// The one certificate key trusted for the account, instead of the usual authorities.
    pub pin: Option<&'a CertificatePin>,
    /// Step limits.
    pub timeouts: Timeouts,
    /// Where to write the conversation (secrets hidden), when a person asked for it.
    pub transcript: Option<&'a Transcript>,
}

impl Check<'_> {
    /// The TLS configuration: only the pinned key when there is one, else the usual.
    fn tls(&self) -> Arc<rustls::ClientConfig> {
        match self.pin {
            Some(pin) => pinned_config(&self.net.tls, &pin.sha256),
            None => self.net.tls.clone(),
        }
    }

    /// The TLS step's words once the handshake is done.
    fn tls_done(&self, conn: &SmtpConn) -> String {
        let v = conn.tls_version().unwrap_or("TLS");
        match self.pin {
            Some(pin) => match &pin.exception {
                Some(why) => tr!(
                    "tls-pinned-although",
                    version = v,
                    key = pin.sha256.to_string(),
                    why = why.to_string()
                ),
                None => tr!("tls-pinned", version = v, key = pin.sha256.to_string()),
            },
            None => tr!(
                "tls-valid-for",
                version = v,
                host = self.settings.host.as_str()
            ),
        }
    }
}

/// Runs steps one after another, timing and reporting each.
struct Runner<F: FnMut(Progress)> {
    report: Report,
    progress: F,
}

impl<F: FnMut(Progress)> Runner<F> {
    /// Runs one step under `limit`, records and reports it.
    async fn step<T>(
        &mut self,
        step: Step,
        limit: Duration,
        work: impl Future<Output = Result<(T, String), CheckError>>,
    ) -> Result<T, ()> {
        (self.progress)(Progress::Started(step));
        let start = Instant::now();
        let result = match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => Err(CheckError::Timeout { step, after: limit }),
        };
        let (value, outcome) = match result {
            Ok((v, detail)) => (Ok(v), Ok(detail)),
            Err(e) => {
                if let CheckError::Certificate(CertProblem {
                    certificate: Some(c),
                    ..
                }) = &e
                {
                    self.report.certificate = Some((**c).clone());
                }
                (Err(()), Err(e))
            }
        };
        let record = StepRecord {
            step,
            elapsed: start.elapsed(),
            outcome,
        };
        (self.progress)(Progress::Finished(record.clone()));
        self.report.steps.push(record);
        value
    }

    /// The connection is encrypted: note how, and what the certificate says.
    fn encrypted(&mut self, conn: &SmtpConn) {
        self.report.tls_version = conn.tls_version();
        self.report.certificate = conn
            .peer_certificate()
            .and_then(|der| CertificateInfo::read(&der));
    }
}

fn smtp_error(step: Step, e: SmtpError) -> CheckError {
    match e {
        SmtpError::Closed => CheckError::Closed { step },
        SmtpError::Io(e) if is_closed(&e) => CheckError::Closed { step },
        SmtpError::Io(e) => CheckError::Local {
            detail: tr!(
                "connection-error-during",
                step = step.label(),
                error = e.to_string()
            ),
        },
        SmtpError::Malformed(line) => CheckError::Protocol { step, detail: line },
        SmtpError::TooLong => CheckError::Protocol {
            step,
            detail: tr!("overlong-reply"),
        },
        SmtpError::Pipelined => CheckError::StartTlsInjection,
        SmtpError::Reply(reply) => CheckError::Rejected { step, reply },
    }
}

fn is_closed(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}

fn tls_error(e: io::Error) -> CheckError {
    match cert_problem(&e) {
        Some(p) => CheckError::Certificate(p),
        None if is_closed(&e) => CheckError::TlsFailed {
            detail: tr!("closed-in-handshake"),
        },
        None => CheckError::TlsFailed {
            detail: e.to_string(),
        },
    }
}

fn describe_caps(caps: &Capabilities) -> String {
    let mut parts = Vec::new();
    if let Some(size) = caps.size {
        parts.push(if size == 0 {
            tr!("size-no-limit")
        } else {
            format!("SIZE {}", crate::explain::size_in_words(size))
        });
    }
    if caps.starttls {
        parts.push("STARTTLS".into());
    }
    if !caps.auth.is_empty() {
        parts.push(format!("AUTH {}", caps.auth.join(" ")));
    }
    for (on, name) in [
        (caps.eight_bit_mime, "8BITMIME"),
        (caps.smtputf8, "SMTPUTF8"),
        (caps.pipelining, "PIPELINING"),
    ] {
        if on {
            parts.push(name.into());
        }
    }
    if parts.is_empty() {
        tr!("no-extensions")
    } else {
        parts.join(", ")
    }
}

fn connect_error(host: &str, port: u16, e: ConnectError) -> CheckError {
    let tried = crate::net::explain_attempts(&e);
    match e {
        ConnectError::Refused { attempts } => CheckError::Refused {
            host: host.into(),
            port,
            addr: attempts
                .last()
                .map(|a| a.addr)
                .unwrap_or_else(|| SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port)),
        },
        ConnectError::Dropped { after, .. } => CheckError::ConnectTimeout {
            host: host.into(),
            port,
            after,
            tried,
        },
        ConnectError::Unreachable { detail, .. } => CheckError::Unreachable {
            host: host.into(),
            port,
            detail,
        },
    }
}

/// The name Outpost gives in EHLO: its address literal, which reveals nothing new.
fn client_name(tcp: &TcpStream) -> String {
    match tcp.local_addr().map(|a| a.ip()) {
        Ok(IpAddr::V4(ip)) => format!("[{ip}]"),
        Ok(IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        Err(_) => "[127.0.0.1]".into(),
    }
}

/// Runs the check, calling `progress` as each step starts and ends. The returned report says
/// which step failed, if any; no step after a failed one runs.
pub async fn run(check: Check<'_>, progress: impl FnMut(Progress)) -> Report {
    let mut r = Runner {
        report: Report::default(),
        progress,
    };
    if let Ok(mut conn) = open_steps(&check, &mut r).await {
        // Saying goodbye is a step of its own: how it went is in the report.
        r.step(Step::Quit, check.timeouts.command, async {
            match conn.quit().await {
                Ok(reply) => Ok(((), reply.to_string())),
                // The check has passed; a server that hangs up instead is fine.
                Err(SmtpError::Closed) => Ok(((), tr!("closed-by-server"))),
                Err(e) => Err(smtp_error(Step::Quit, e)),
            }
        })
        .await
        .ok();
    }
    r.report
}

/// Runs every step up to and including the login, and hands over the open, encrypted (unless
/// `security = none`), logged-in connection; the report says which step failed otherwise.
pub async fn open_session(check: Check<'_>) -> (Report, Option<SmtpConn>) {
    let mut r = Runner {
        report: Report::default(),
        progress: |_| {},
    };
    let conn = open_steps(&check, &mut r).await.ok();
    (r.report, conn)
}

async fn open_steps<F: FnMut(Progress)>(
    check: &Check<'_>,
    r: &mut Runner<F>,
) -> Result<SmtpConn, ()> {
    let (s, t) = (check.settings, check.timeouts);
    let tcp = reach(check, r).await?;
    let ehlo_name = client_name(&tcp);
    let transcript = check.transcript.cloned();
    let mut conn = if s.security == Security::Tls {
        tls_from_the_start(check, r, tcp).await?
    } else {
        SmtpConn::plain(tcp)
    }
    .with_transcript(transcript);
    greeting(r, &mut conn, t.command).await?;
    let mut caps = ehlo(r, &mut conn, &ehlo_name, t.command).await?;
    if s.security == Security::Starttls {
        conn = starttls(check, r, conn, &caps).await?;
        caps = ehlo(r, &mut conn, &ehlo_name, t.command).await?;
    }
    if s.auth.needs_secret() {
        login(check, r, &mut conn, &caps).await?;
    }
    Ok(conn)
}

/// Room between the connection race's own limit and its step's, so that the race reports
/// which addresses did not answer.
const RACE_MARGIN: Duration = Duration::from_millis(500);

/// Looks the server up and connects to the first of its addresses to answer (RFC 8305), or
/// has the proxy do both.
async fn reach<F: FnMut(Progress)>(check: &Check<'_>, r: &mut Runner<F>) -> Result<TcpStream, ()> {
    let (s, t) = (check.settings, check.timeouts);
    let host = s.host.as_str();
    let port = check.net.port(s.port);
    let dialer = &check.net.dialer;
    if let Some(proxy) = dialer.proxy_for(host) {
        r.step(Step::Resolve, t.dns, async {
            Ok((
                (),
                tr!("resolve-by-proxy", host = host, proxy = proxy.to_string()),
            ))
        })
        .await?;
        let tcp = r
            .step(Step::Connect, t.connect + RACE_MARGIN, async {
                let tcp = dialer
                    .through(proxy, host, port, t.connect)
                    .await
                    .map_err(|e| CheckError::Proxy(Box::new(e)))?;
                Ok((tcp, Path::Proxy(proxy.clone()).to_string()))
            })
            .await?;
        return Ok(tcp);
    }
    let ips = r
        .step(Step::Resolve, t.dns, async {
            let ips = check.net.resolver.lookup_ip(host).await?;
            let list: Vec<String> = ips.iter().map(ToString::to_string).collect();
            let detail = if host.parse::<IpAddr>().is_ok() {
                tr!("resolve-is-address", host = host)
            } else {
                // A hostile answer may hold a thousand addresses: name a few.
                let shown = list.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
                match list.len() {
                    n if n > 4 => tr!("resolve-more", host = host, shown = shown, more = n - 4),
                    _ => tr!("resolve-at", host = host, shown = shown),
                }
            };
            Ok((ips, detail))
        })
        .await?;
    let addrs: Vec<SocketAddr> = connect::interleave(&ips)
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect();
    let (tcp, addr) = r
        .step(Step::Connect, t.connect + RACE_MARGIN, async {
            let raced = connect::race(&addrs, t.connect)
                .await
                .map_err(|e| connect_error(host, s.port, e))?;
            let path = Path::Direct {
                addr: raced.addr,
                attempts: raced.attempts,
            };
            Ok(((raced.stream, raced.addr), path.to_string()))
        })
        .await?;
    r.report.address = Some(addr);
    Ok(tcp)
}

/// TLS from the first byte (security `tls`).
async fn tls_from_the_start<F: FnMut(Progress)>(
    check: &Check<'_>,
    r: &mut Runner<F>,
    tcp: TcpStream,
) -> Result<SmtpConn, ()> {
    let (host, t) = (check.settings.host.as_str(), check.timeouts);
    let tls = r
        .step(Step::Tls, t.tls, async {
            let tls = crate::net::tls::handshake(tcp, host, check.tls())
                .await
                .map_err(tls_error)?;
            let conn = SmtpConn::tls(tls);
            let done = check.tls_done(&conn);
            Ok((conn, done))
        })
        .await?;
    r.encrypted(&tls);
    Ok(tls)
}

/// The server's 220 greeting.
async fn greeting<F: FnMut(Progress)>(
    r: &mut Runner<F>,
    conn: &mut SmtpConn,
    limit: Duration,
) -> Result<(), ()> {
    r.step(Step::Greeting, limit, async {
        let reply = conn
            .read_reply()
            .await
            .map_err(|e| smtp_error(Step::Greeting, e))?;
        if reply.code != 220 {
            return Err(CheckError::Rejected {
                step: Step::Greeting,
                reply,
            });
        }
        Ok(((), reply.to_string()))
    })
    .await
}

/// STARTTLS, then the handshake on the same connection.
async fn starttls<F: FnMut(Progress)>(
    check: &Check<'_>,
    r: &mut Runner<F>,
    mut conn: SmtpConn,
    caps: &Capabilities,
) -> Result<SmtpConn, ()> {
    let (host, t) = (check.settings.host.as_str(), check.timeouts);
    r.step(Step::Starttls, t.command, async {
        if !caps.starttls {
            return Err(CheckError::NoStartTls);
        }
        let reply = conn.starttls_command().await.map_err(|e| match e {
            SmtpError::Reply(reply) => CheckError::StartTlsRefused(reply),
            other => smtp_error(Step::Starttls, other),
        })?;
        Ok(((), reply.to_string()))
    })
    .await?;
    conn = r
        .step(Step::Tls, t.tls, async {
            let conn = conn.upgrade(host, check.tls()).await.map_err(tls_error)?;
            let done = check.tls_done(&conn);
            Ok((conn, done))
        })
        .await?;
    r.encrypted(&conn);
    Ok(conn)
}

/// The login, with the strongest mechanism both sides speak; never in the clear unless the
/// person agreed.
async fn login<F: FnMut(Progress)>(
    check: &Check<'_>,
    r: &mut Runner<F>,
    conn: &mut SmtpConn,
    caps: &Capabilities,
) -> Result<(), ()> {
    let (s, t) = (check.settings, check.timeouts);
    r.step(Step::Auth, t.command, async {
        if !conn.is_encrypted() && !check.allow_plaintext_auth {
            return Err(CheckError::PlaintextRefused);
        }
        let secret = check.secret.ok_or(CheckError::NoSecret)?;
        let wanted: &[Mechanism] = match s.auth {
            // The standard mechanism where the server offers it, else Google's and
            // Microsoft's own.
            AuthMethod::Oauth2 => &[Mechanism::Oauthbearer, Mechanism::Xoauth2],
            _ => &[Mechanism::Plain, Mechanism::Login],
        };
        if caps.auth.is_empty() {
            return Err(CheckError::NoAuthOffered);
        }
        let mech = caps
            .pick_mechanism(wanted)
            .ok_or_else(|| CheckError::NoCommonMechanism {
                offered: caps.auth.clone(),
            })?;
        let reply = conn
            .auth(mech, &s.username, secret)
            .await
            .map_err(|e| smtp_error(Step::Auth, e))?;
        match reply.code {
            235 => Ok((
                (),
                tr!(
                    "logged-in-as",
                    user = s.username.as_str(),
                    mechanism = mech.name()
                ),
            )),
            530 | 538 => Err(CheckError::EncryptionRequired(reply)),
            _ => Err(CheckError::AuthFailed(reply)),
        }
    })
    .await
}

async fn ehlo<F: FnMut(Progress)>(
    r: &mut Runner<F>,
    conn: &mut SmtpConn,
    name: &str,
    limit: Duration,
) -> Result<Capabilities, ()> {
    r.step(Step::Ehlo, limit, async {
        let caps = conn
            .ehlo(name)
            .await
            .map_err(|e| smtp_error(Step::Ehlo, e))?;
        let detail = describe_caps(&caps);
        Ok((caps, detail))
    })
    .await
    .inspect(|caps| r.report.capabilities = Some(caps.clone()))
}
