//! Real servers for the integration tests, started by the tests themselves: a DNS server
//! (hickory-server) on loopback, SMTP servers (Python aiosmtpd), and a test certificate
//! authority (rcgen). Also a helper that runs the `outpost` binary in an isolated home.

#![allow(dead_code)]

pub mod dovecot;
pub mod hostile;
pub mod mime;
pub mod netns;
pub mod notifications;
pub mod oauth;
pub mod postfix;
pub mod proxy;
pub mod ui;
pub mod xvfb;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A port on 127.0.0.1 where nothing listens (bound, then let go).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An address on 127.0.0.1 whose port is free for UDP and TCP now and lies below the
/// system's range for outgoing connections, so that no client socket is ever given it (a
/// server can come back there later).
pub fn free_port_below_ephemeral() -> SocketAddr {
    let start = 20_000 + (std::process::id() % 10_000) as u16;
    (start..32_000)
        .chain(10_000..start)
        .map(|port| SocketAddr::from(([127, 0, 0, 1], port)))
        .find(|at| std::net::UdpSocket::bind(at).is_ok() && std::net::TcpListener::bind(at).is_ok())
        .expect("a free port below 32000")
}

/// Starts a server that takes its port as an argument (`spawn(port)`) on a free port, and
/// waits until it listens there. A port found free may be taken by another test before the
/// server binds it: then the server exits, and another port is tried (never a server of
/// someone else's answering on it: ours must still be running).
pub fn start_on_free_port(what: &str, spawn: impl Fn(u16) -> Child) -> (Child, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut child = spawn(port);
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                if let Ok(None) = child.try_wait() {
                    return (child, port);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("{what} did not start listening (five ports tried)");
}

/// A folder under `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A DNS server on 127.0.0.1 serving `tests/data/<zone>.zone`, over UDP and TCP.
pub struct DnsServer {
    pub addr: SocketAddr,
    /// For a zone signed with DNSSEC ([`DnsServer::start_signed`]): a file with the zone's
    /// key as a DNSKEY record, the trust anchor to give `OUTPOST_DNSSEC_ANCHORS`.
    pub anchors: Option<PathBuf>,
    _dir: Option<tempfile::TempDir>,
    _thread: std::thread::JoinHandle<()>,
}

/// Answers like the wrapped handler, after a fixed delay (for latency benchmarks).
struct Delayed<H> {
    inner: H,
    delay: Duration,
}

#[async_trait::async_trait]
impl<H: hickory_server::server::RequestHandler> hickory_server::server::RequestHandler
    for Delayed<H>
{
    async fn handle_request<
        R: hickory_server::server::ResponseHandler,
        T: hickory_server::net::runtime::Time,
    >(
        &self,
        request: &hickory_server::server::Request,
        response_handle: R,
    ) -> hickory_server::server::ResponseInfo {
        tokio::time::sleep(self.delay).await;
        self.inner
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

impl DnsServer {
    pub fn start(origin: &str) -> Self {
        Self::start_with_latency(origin, Duration::ZERO)
    }

    /// As [`DnsServer::start`], answering every query after `latency`.
    pub fn start_with_latency(origin: &str, latency: Duration) -> Self {
        Self::start_at(origin, "127.0.0.1:0".parse().unwrap(), latency)
    }

    /// As [`DnsServer::start`], with `records` (zone file lines, names relative to the
    /// origin) added to the zone: records a test makes, such as a digest of a document.
    pub fn start_with(origin: &str, records: &str) -> Self {
        Self::start_with_latency_and(origin, Duration::ZERO, records)
    }

    /// As [`DnsServer::start_with`], answering every query after `latency`.
    pub fn start_with_latency_and(origin: &str, latency: Duration, records: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let zone = dir.path().join(format!("{origin}.zone"));
        let mut text = std::fs::read_to_string(data(&format!("{origin}.zone"))).unwrap();
        text.push('\n');
        text.push_str(records);
        text.push('\n');
        std::fs::write(&zone, text).unwrap();
        Self::serve(origin, zone, "127.0.0.1:0".parse().unwrap(), latency, None)
    }

    /// As [`DnsServer::start`], on the given address.
    pub fn start_at(origin: &str, at: SocketAddr, latency: Duration) -> Self {
        Self::serve(origin, data(&format!("{origin}.zone")), at, latency, None)
    }

    /// As [`DnsServer::start`], the zone signed (DNSSEC, Ed25519, NSEC) with a key made now:
    /// its DNSKEY is in [`DnsServer::anchors`]. The zones `also` are served beside it,
    /// unsigned.
    pub fn start_signed(origin: &str, also: &[&str]) -> Self {
        let zone = data(&format!("{origin}.zone"));
        let at = "127.0.0.1:0".parse().unwrap();
        Self::serve(origin, zone, at, Duration::ZERO, Some(also))
    }

    fn serve(
        origin: &str,
        zone_path: PathBuf,
        at: SocketAddr,
        latency: Duration,
        signed_beside: Option<&[&str]>,
    ) -> Self {
        use hickory_server::dnssec::NxProofKind;
        use hickory_server::proto::dnssec::crypto::Ed25519SigningKey;
        use hickory_server::proto::dnssec::rdata::DNSKEY;
        use hickory_server::proto::dnssec::{DnssecSigner, SigningKey};
        use hickory_server::proto::rr::{LowerName, Name};
        use hickory_server::store::file::{FileConfig, FileZoneHandler};
        use hickory_server::zone_handler::DnssecZoneHandler;
        use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};

        let origin_name = Name::from_ascii(format!("{origin}.")).unwrap();
        let config = FileConfig { zone_path };
        let signed = signed_beside.is_some();
        let handler = FileZoneHandler::try_from_config(
            origin_name.clone(),
            ZoneType::Primary,
            AxfrPolicy::Deny,
            None,
            &config,
            signed.then_some(NxProofKind::Nsec),
        )
        .expect("the test zone loads");
        let beside: Vec<(LowerName, FileZoneHandler)> = signed_beside
            .unwrap_or_default()
            .iter()
            .map(|zone| {
                let name = Name::from_ascii(format!("{zone}.")).unwrap();
                let config = FileConfig {
                    zone_path: data(&format!("{zone}.zone")),
                };
                let handler = FileZoneHandler::try_from_config(
                    name.clone(),
                    ZoneType::Primary,
                    AxfrPolicy::Deny,
                    None,
                    &config,
                    None,
                )
                .expect("the test zone loads");
                (LowerName::new(&name), handler)
            })
            .collect();
        let (dir, anchors, signer) = if signed {
            let pkcs8 = Ed25519SigningKey::generate_pkcs8().unwrap();
            let key = Ed25519SigningKey::from_pkcs8(&pkcs8).unwrap();
            let dnskey = DNSKEY::new(true, true, false, key.to_public_key().unwrap());
            let dir = tempfile::tempdir().unwrap();
            let anchors = dir.path().join("anchors.zone");
            std::fs::write(&anchors, format!("{origin}. 3600 IN DNSKEY {dnskey}\n")).unwrap();
            let signer = DnssecSigner::new(
                dnskey,
                Box::new(key),
                origin_name.clone(),
                Duration::from_secs(24 * 3600),
            );
            (Some(dir), Some(anchors), Some(signer))
        } else {
            (None, None, None)
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Some(signer) = signer {
                    handler.add_zone_signing_key(signer).await.unwrap();
                    handler.secure_zone().await.unwrap();
                }
                let mut catalog = Catalog::new();
                catalog.upsert(LowerName::new(&origin_name), vec![Arc::new(handler)]);
                for (name, handler) in beside {
                    catalog.upsert(name, vec![Arc::new(handler)]);
                }
                // UDP and TCP on the same port: a free UDP port may be taken for TCP, so
                // try again with another when it is (only when any port will do).
                let (udp, tcp) = loop {
                    let udp = tokio::net::UdpSocket::bind(at).await.unwrap();
                    let addr = udp.local_addr().unwrap();
                    match tokio::net::TcpListener::bind(addr).await {
                        Ok(tcp) => break (udp, tcp),
                        Err(e) if at.port() != 0 => panic!("cannot listen on {addr}: {e}"),
                        Err(_) => continue,
                    }
                };
                let addr = udp.local_addr().unwrap();
                let mut server = hickory_server::Server::new(Delayed {
                    inner: catalog,
                    delay: latency,
                });
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5), 4096);
                tx.send(addr).unwrap();
                let _ = server.block_until_done().await;
            });
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("DNS server starts");
        Self {
            addr,
            anchors,
            _dir: dir,
            _thread: thread,
        }
    }
}

/// A test certificate authority and certificates it issued, as PEM files in a folder.
pub struct TestCa {
    pub dir: tempfile::TempDir,
    pub ca_pem: PathBuf,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl TestCa {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Outpost Test CA");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        let issuer = rcgen::CertifiedIssuer::self_signed(params, key).unwrap();
        let ca_pem = dir.path().join("ca.pem");
        std::fs::write(&ca_pem, issuer.pem()).unwrap();
        Self {
            dir,
            ca_pem,
            issuer,
        }
    }

    /// A server certificate for `names`, written as `<file>.crt` and `<file>.key`.
    pub fn issue(&self, file: &str, names: &[&str]) -> (PathBuf, PathBuf) {
        self.issue_with(file, names, |_| {})
    }

    /// As [`TestCa::issue`], after `change` had its say on the certificate's parameters
    /// (validity, say).
    pub fn issue_with(
        &self,
        file: &str,
        names: &[&str],
        change: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> (PathBuf, PathBuf) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        change(&mut params);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        self.write(file, &cert, &key)
    }

    /// A certificate for `names` that signs itself (no authority vouches for it).
    pub fn self_signed(&self, file: &str, names: &[&str]) -> (PathBuf, PathBuf) {
        self.self_signed_with(file, names, |_| {})
    }

    /// A self-signed certificate that calls itself an authority (CA:TRUE), as `openssl req
    /// -x509` and Debian's snakeoil make them: what most self-hosted servers present.
    pub fn self_signed_authority(&self, file: &str, names: &[&str]) -> (PathBuf, PathBuf) {
        self.self_signed_with(file, names, |p| {
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        })
    }

    fn self_signed_with(
        &self,
        file: &str,
        names: &[&str],
        change: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> (PathBuf, PathBuf) {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        change(&mut params);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        self.write(file, &cert, &key)
    }

    fn write(
        &self,
        file: &str,
        cert: &rcgen::Certificate,
        key: &rcgen::KeyPair,
    ) -> (PathBuf, PathBuf) {
        let crt = self.dir.path().join(format!("{file}.crt"));
        let pem_key = self.dir.path().join(format!("{file}.key"));
        std::fs::write(&crt, cert.pem()).unwrap();
        std::fs::write(&pem_key, key.serialize_pem()).unwrap();
        (crt, pem_key)
    }
}

/// An aiosmtpd server on 127.0.0.1, stopped when dropped.
pub struct Smtpd {
    child: Child,
    pub port: u16,
    pub out: tempfile::TempDir,
}

pub const USER: &str = "ann@example.test";
pub const PASSWORD: &str = "correct horse battery staple";

impl Smtpd {
    /// Starts `tests/support/smtpd.py --mode MODE`, with a certificate when given.
    pub fn start(mode: &str, cert: Option<&(PathBuf, PathBuf)>) -> Self {
        Self::start_with(mode, cert, &[])
    }

    /// As [`Smtpd::start`], with extra arguments for smtpd.py.
    pub fn start_with(mode: &str, cert: Option<&(PathBuf, PathBuf)>, extra: &[&str]) -> Self {
        let out = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtpd.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .arg("--mode")
            .arg(mode)
            .arg("--out")
            .arg(out.path());
        if let Some((crt, key)) = cert {
            cmd.arg("--cert").arg(crt).arg("--key").arg(key);
        }
        cmd.args(extra);
        cmd.env("SMTPD_USER", USER)
            .env("SMTPD_PASSWORD", PASSWORD)
            .env("PYTHONWARNINGS", "ignore")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(out.path().join("smtpd.log")).unwrap());
        let mut child = cmd
            .spawn()
            .expect("python3 runs (./scripts/test installs what the tests need)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                let log = std::fs::read_to_string(out.path().join("smtpd.log")).unwrap_or_default();
                panic!(
                    "smtpd.py did not start (is aiosmtpd installed? ./scripts/test installs it); \
                     it said {line:?}\n{log}"
                )
            });
        Self { child, port, out }
    }

    /// The messages it received, as text.
    pub fn received_text(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect()
    }

    /// The logins it was sent ("AUTH <login> ok|refused").
    pub fn logins(&self) -> Vec<String> {
        std::fs::read_to_string(self.out.path().join("auth.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The parameters of each received message's MAIL command, in the order of
    /// [`Self::received`].
    pub fn mail_options(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "mail"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// The messages it received, as raw bytes.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Postfix's `smtp-sink` on 127.0.0.1, with its fault options (`-r`/`-f`/`-q`/`-Q`/`-w`);
/// stopped when dropped.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
}

impl SmtpSink {
    pub fn start(options: &[&str]) -> Self {
        let program = if Path::new("/usr/sbin/smtp-sink").exists() {
            "/usr/sbin/smtp-sink"
        } else {
            "smtp-sink"
        };
        let root = std::fs::read_to_string("/proc/self/status")
            .expect("/proc/self/status is readable")
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
        let (child, port) = start_on_free_port("smtp-sink", |port| {
            let mut cmd = Command::new(program);
            if root {
                cmd.args(["-u", "nobody"]);
            }
            cmd.args(options)
                .arg(format!("127.0.0.1:{port}"))
                .arg("64")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("smtp-sink runs (./scripts/test installs postfix)")
        });
        Self { child, port }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python HTTP(S) server on 127.0.0.1 answering from a route table, stopped when dropped.
pub struct Httpd {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Httpd {
    /// Starts `tests/support/httpd.py` with `routes` ({"host path": {...}}), over TLS when
    /// a certificate is given.
    pub fn start(routes: &serde_json::Value, cert: Option<&(PathBuf, PathBuf)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("routes.json");
        std::fs::write(&file, routes.to_string()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/httpd.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg("--routes").arg(&file);
        if let Some((crt, key)) = cert {
            cmd.arg("--cert").arg(crt).arg("--key").arg(key);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("httpd.log")).unwrap())
            .spawn()
            .expect("python3 runs");
        let port = read_port(&mut child, "httpd.py");
        Self { child, port, dir }
    }

    /// The requests it received, as "METHOD host path" lines.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("routes.json.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Httpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A child process killed when dropped: no test leaves one running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Puts `count` messages into `q` whose text is `size` bytes, each sent already (claimed, and
/// accepted by the server); their queue ids.
#[allow(dead_code)]
pub fn sent_messages(q: &mut outpost::outbox::Outbox, count: usize, size: usize) -> Vec<i64> {
    let body = vec![b'x'; size];
    (0..count)
        .map(|n| {
            let mut bytes = format!("Subject: {n}\r\n\r\n").into_bytes();
            bytes.extend_from_slice(&body);
            let c = outpost::message::Composed {
                message_id: format!("<{n}@example.org>"),
                envelope_from: "ann@example.org".into(),
                recipients: vec!["bob@example.net".into()],
                bytes,
                files: vec![],
            };
            let id = q.enqueue("acc", &c, "bob", "sent").unwrap();
            q.claim_due(Duration::from_secs(60), None, &[])
                .unwrap()
                .unwrap();
            q.mark_sent(id, "250 ok", None).unwrap();
            id
        })
        .collect()
}

/// A process the test did not start itself (a background sender), killed when dropped.
pub struct KillPid(pub u32);

impl KillPid {
    /// Whether the process still runs (a zombie, ended but not waited for, does not).
    pub fn alive(&self) -> bool {
        std::fs::read_to_string(format!("/proc/{}/stat", self.0)).is_ok_and(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
        })
    }

    /// Waits up to `limit` for the process to end by itself; whether it did.
    pub fn ends_within(&self, limit: Duration) -> bool {
        let began = std::time::Instant::now();
        while self.alive() {
            if began.elapsed() > limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Drop for KillPid {
    fn drop(&mut self) {
        if self.alive() {
            let _ = Command::new("kill")
                .args(["-9", &self.0.to_string()])
                .status();
        }
        // Adopted by this test process (see [`adopt_orphans`]) and ended: reaped, so that
        // no `<defunct>` entry is left either. Only then: a child a test waits for itself
        // keeps its status.
        if parent_of(self.0) == Some(std::process::id())
            && let Some(pid) = rustix::process::Pid::from_raw(self.0 as i32)
        {
            let began = std::time::Instant::now();
            while rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::NOHANG)
                .is_ok_and(|r| r.is_none())
                && began.elapsed() < Duration::from_secs(2)
            {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The parent of process `pid`, as `/proc` says.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Makes this test process the one that adopts processes orphaned below it (the background
/// sender, whose starter exits at once), instead of the system's first process: a test can
/// then reap what it ended.
pub fn adopt_orphans() {
    let _ = rustix::process::set_child_subreaper(rustix::process::Pid::from_raw(
        std::process::id() as i32,
    ));
}

/// Whatever sender still holds an Outpost's outbox when the test ends (one that queueing
/// started in the background, an `outpost run` a failed assertion left) is ended with it:
/// a test never leaves a process running.
impl Drop for Outpost {
    fn drop(&mut self) {
        let lock = self.home.path().join("data/outbox.lock");
        let pid = std::fs::read_to_string(lock)
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse::<u32>().ok());
        // Only an Outpost, or one that ended as this process's adopted child: the number may
        // belong to another process by now.
        let ours = |pid: u32| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("outpost"))
                || parent_of(pid) == Some(std::process::id())
        };
        if let Some(pid) = pid.filter(|p| *p != std::process::id() && ours(*p)) {
            drop(KillPid(pid));
        }
    }
}

/// Runs the `outpost` binary with its own `OUTPOST_HOME`, DNS server and trusted CA.
pub struct Outpost {
    pub home: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

/// [`MailLab`] with aiosmtpd serving STARTTLS on mail.example.test (with `smtpd_args`), and
/// Outpost with [`USER`]'s account on it (the password `password`, and `add_args` for
/// `account add`): the usual lab for sending from the command line.
pub struct SendLab {
    pub lab: MailLab,
    pub smtpd: Smtpd,
    pub op: Outpost,
}

impl SendLab {
    pub fn start(smtpd_args: &[&str], password: &str, add_args: &[&str]) -> Self {
        let lab = MailLab::start();
        let smtpd = Smtpd::start_with("starttls", Some(&lab.cert), smtpd_args);
        let op = Outpost::new(&lab.dns, &lab.ca);
        op.add_starttls(smtpd.port, password, add_args);
        Self { lab, smtpd, op }
    }
}

impl Outpost {
    pub fn new(dns: &DnsServer, ca: &TestCa) -> Self {
        adopt_orphans();
        let home = tempfile::tempdir().unwrap();
        let env = vec![
            ("OUTPOST_HOME".into(), home.path().display().to_string()),
            ("OUTPOST_DNS".into(), dns.addr.to_string()),
            ("SSL_CERT_FILE".into(), ca.ca_pem.display().to_string()),
            // Tests that drive the queue with 'outpost run' start no sender by queueing;
            // the background sender's own tests turn it on ([`Self::background`]).
            ("OUTPOST_BACKGROUND".into(), "off".into()),
        ];
        Self { home, env }
    }

    /// Queueing starts the background sender, as it does for everyone.
    pub fn background(mut self) -> Self {
        self.env.retain(|(k, _)| k != "OUTPOST_BACKGROUND");
        self
    }

    /// The sender as `queue list --json` tells of it.
    pub fn sender(&self) -> serde_json::Value {
        let (code, v) = self.json(&["queue", "list"], "");
        assert_eq!(code, 0, "{v}");
        v["sender"].clone()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_outpost"));
        // English whatever the machine's locale: the tests read its words.
        cmd.args(args)
            .env_remove("SSL_CERT_DIR")
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANGUAGE");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        run_with_stdin(self.command(args), stdin)
    }

    /// `account add` for [`USER`] on `host`, the password on standard input, with `--json`.
    pub fn add(
        &self,
        host: &str,
        port: Option<u16>,
        security: &str,
        extra: &[&str],
        password: &str,
    ) -> (i32, serde_json::Value) {
        self.add_as(USER, host, port, security, extra, password)
    }

    /// `account add` for `email` on `host` without encryption or login; it must succeed.
    pub fn add_without_login(&self, email: &str, host: &str, port: u16) {
        let extra = ["--auth", "none"];
        let (code, v) = self.add_as(email, host, Some(port), "none", &extra, "");
        assert_eq!(code, 0, "{v}");
    }

    /// `account check email --transcript` with the log at debug level on standard error.
    pub fn check_with_transcript(&self, email: &str) -> Output {
        self.command(&["account", "check", email, "--transcript"])
            .env("OUTPOST_LOG", "debug")
            .output()
            .unwrap()
    }

    /// `account add` for `email` on `host`, the password on standard input, with `--json`.
    pub fn add_as(
        &self,
        email: &str,
        host: &str,
        port: Option<u16>,
        security: &str,
        extra: &[&str],
        password: &str,
    ) -> (i32, serde_json::Value) {
        let port = port.map(|p| p.to_string());
        let mut args = vec!["account", "add", "--email", email, "--host", host];
        if let Some(p) = &port {
            args.extend_from_slice(&["--port", p]);
        }
        args.extend_from_slice(&["--security", security, "--password-stdin"]);
        args.extend_from_slice(extra);
        self.json(&args, &format!("{password}\n"))
    }

    /// `outpost send` from [`USER`] with `args`; returns the queue id.
    pub fn send(&self, args: &[&str]) -> i64 {
        let (code, v) = self.send_as(USER, args);
        assert_eq!(code, 0, "{v}");
        v["id"].as_i64().unwrap()
    }

    /// `outpost account identity add --account USER --email email` with `args`, with
    /// `--json`.
    pub fn add_identity(&self, email: &str, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec![
            "account",
            "identity",
            "add",
            "--account",
            USER,
            "--email",
            email,
        ];
        all.extend_from_slice(args);
        self.json(&all, "")
    }

    /// `outpost send --from from` with `args`, with `--json`.
    pub fn send_as(&self, from: &str, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec!["send", "--from", from];
        all.extend_from_slice(args);
        self.json(&all, "")
    }

    /// `outpost send` from [`USER`] to bob@example.net (plus `extra`); returns the queue id.
    pub fn send_to_bob(&self, extra: &[&str]) -> i64 {
        let mut args = vec!["--to", "bob@example.net", "--body", "hi"];
        args.extend_from_slice(extra);
        self.send(&args)
    }

    /// Adds [`USER`] on mail.example.test with STARTTLS and `password` in the session
    /// keyring (plus `extra`); it must succeed.
    pub fn add_starttls(&self, port: u16, password: &str, extra: &[&str]) {
        let mut all = vec!["--session-keyring"];
        all.extend_from_slice(extra);
        let (code, v) = self.add("mail.example.test", Some(port), "starttls", &all, password);
        assert_eq!(code, 0, "{v}");
    }

    /// Runs with `--json` and parses the one JSON object it prints.
    pub fn json(&self, args: &[&str], stdin: &str) -> (i32, serde_json::Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, stdin);
        let text = String::from_utf8_lossy(&out.stdout);
        let value = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
            panic!(
                "not one JSON object ({e}): {text}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), value)
    }
}

/// The port a test server prints as its first line ("PORT n").
pub fn read_port(child: &mut Child, what: &str) -> u16 {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.strip_prefix("PORT ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("{what} did not start: {line:?}"))
}

/// Runs `cmd` with `stdin` as standard input and collects its output.
pub fn run_with_stdin(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may exit before reading its input (bad arguments): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Every file under `dir`, recursively, with its bytes.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found
}

/// A private D-Bus session bus with an unlocked GNOME Keyring (a real Secret Service) on it.
/// Both daemons stop when this is dropped.
pub struct SecretService {
    pub dir: tempfile::TempDir,
    pub bus: String,
    bus_daemon: Child,
    keyring: Option<Child>,
}

impl SecretService {
    /// A bus with an unlocked keyring daemon on it.
    pub fn start() -> Self {
        Self::with_keyring(true)
    }

    /// A bus with a keyring daemon whose login keyring stays locked.
    pub fn locked() -> Self {
        Self::with_keyring(false)
    }

    fn with_keyring(unlock: bool) -> Self {
        let mut s = Self::bus_only();
        let mut args = vec!["--foreground", "--components=secrets"];
        if unlock {
            args.push("--unlock");
        }
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(args)
            .envs(s.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (./scripts/test installs gnome-keyring)");
        // The login keyring's password, then EOF: the keyring starts unlocked.
        let stdin = keyring.stdin.take().unwrap();
        if unlock {
            let mut stdin = stdin;
            stdin.write_all(b"test-keyring-password").unwrap();
        }
        s.keyring = Some(keyring);
        for _ in 0..100 {
            if s.names().contains("org.freedesktop.secrets") {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("gnome-keyring-daemon did not appear on the bus");
    }

    /// A bus with no keyring on it.
    pub fn bus_only() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut bus_daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}/bus", dir.path().display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (./scripts/test installs dbus)");
        let mut bus = String::new();
        BufReader::new(bus_daemon.stdout.take().unwrap())
            .read_line(&mut bus)
            .unwrap();
        Self {
            dir,
            bus: bus.trim().to_string(),
            bus_daemon,
            keyring: None,
        }
    }

    /// The environment that points a process at this bus and nowhere else.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = self.dir.path().display().to_string();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus.clone()),
            ("HOME".into(), d.clone()),
            ("XDG_RUNTIME_DIR".into(), d.clone()),
            ("XDG_DATA_HOME".into(), format!("{d}/data")),
        ]
    }

    fn dbus_send(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .args(["--session", "--print-reply"])
            .args(args)
            .envs(self.env())
            .output()
            .expect("dbus-send runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn names(&self) -> String {
        self.dbus_send(&[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
    }

    /// How many items the Secret Service holds with these attributes.
    pub fn count_items(&self, service: &str, username: &str) -> usize {
        let reply = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.SearchItems",
            &format!("dict:string:string:service,{service},username,{username}"),
        ]);
        reply
            .matches("object path \"/org/freedesktop/secrets/collection")
            .count()
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus_daemon.kill();
        let _ = self.bus_daemon.wait();
    }
}

/// Asserts that `outpost detect --json` succeeded with `source` choosing `host`.
pub fn found(code: i32, v: &serde_json::Value, source: &str, host: &str) {
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], source, "{v}");
    assert_eq!(v["smtp"]["host"], host, "{v}");
}

/// A field of one source's report in `outpost detect --json` output ("" when absent).
pub fn source_field(v: &serde_json::Value, source: &str, field: &str) -> String {
    v["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["source"] == source)
        .and_then(|s| s[field].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Now, in milliseconds since the Unix epoch, as the queue writes times.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Saves an account that logs in with nothing (`auth = none`) on `host:port`, so that no
/// keyring is needed; returns it.
pub fn account_without_login(
    paths: &outpost::paths::Paths,
    email: &str,
    host: &str,
    port: u16,
    security: outpost::account::Security,
) -> outpost::account::Account {
    use outpost::account::{
        Account, AccountId, AccountStore, AuthMethod, SecretBackend, SmtpSettings,
    };
    let account = Account {
        id: AccountId::generate(),
        email: email.into(),
        display_name: None,
        smtp: SmtpSettings {
            host: host.into(),
            port,
            security,
            username: email.into(),
            auth: AuthMethod::None,
        },
        imap: None,
        secret_backend: SecretBackend::Session,
        allow_plaintext_auth: false,
        goa_id: None,
        proxy: None,
        pinned_certificate: None,
        senders: Default::default(),
    };
    AccountStore::new(paths.accounts_file())
        .update(|accounts| {
            accounts.upsert(account.clone());
            Ok::<_, std::convert::Infallible>(())
        })
        .unwrap();
    account
}

/// The value below which a share `p` of the `sorted` durations lie.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The usual lab: a DNS server for `example.test`, a test CA, and its certificate for
/// `mail.example.test`.
pub struct MailLab {
    pub dns: DnsServer,
    pub ca: TestCa,
    pub cert: (PathBuf, PathBuf),
}

impl MailLab {
    pub fn start() -> Self {
        let ca = TestCa::new();
        let cert = ca.issue("mail", &["mail.example.test"]);
        Self {
            dns: DnsServer::start("example.test"),
            ca,
            cert,
        }
    }
}
