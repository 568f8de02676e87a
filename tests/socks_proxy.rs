//! Connections through a real SOCKS5 proxy (Debian's microsocks): an account's own proxy for
//! its check and its mail, names looked up by the proxy (its log shows the name it was
//! given), a stopped proxy said in words, and detection under ALL_PROXY not asking DNS
//! around the proxy.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use support::{DnsServer, Outpost, PASSWORD, Smtpd, TestCa, USER};

/// microsocks on 127.0.0.1, logging each connection it makes; stopped when dropped.
struct Socks {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Socks {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("microsocks.log");
        // It logs on standard error.
        let (child, port) = support::start_on_free_port("microsocks", |port| {
            Command::new("microsocks")
                .args(["-i", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("microsocks runs (./scripts/test installs it)")
        });
        Self {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("socks5h://127.0.0.1:{}", self.port)
    }

    /// The connections it made, as it logged them ("… connected to host:port").
    fn connections(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("connected to"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Socks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn step<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no {name} step: {v}"))
}

#[test]
fn an_accounts_proxy_carries_its_check_and_its_mail() {
    let ca = TestCa::new();
    // The proxy, not Outpost, looks "localhost" up: the test DNS server does not know it.
    let cert = ca.issue("mail", &["localhost"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let socks = Socks::start();
    let op = Outpost::new(&dns, &ca);
    let port = smtpd.port.to_string();
    let proxy = socks.url();
    let (code, v) = op.add(
        "localhost",
        Some(smtpd.port),
        "starttls",
        &["--session-keyring", "--proxy", &proxy],
        PASSWORD,
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["proxy"], proxy.as_str(), "{v}");

    let (code, v) = op.json(&["account", "check", USER], "");
    assert_eq!(code, 0, "{v}");
    let resolve = step(&v, "resolve")["detail"].as_str().unwrap().to_string();
    assert!(resolve.contains("looked up by the proxy"), "{resolve}");
    let connect = step(&v, "connect")["detail"].as_str().unwrap().to_string();
    assert!(connect.contains("through the proxy"), "{connect}");
    let seen = socks.connections();
    assert!(
        seen.iter()
            .any(|l| l.contains(&format!("connected to localhost:{port}"))),
        "the proxy was given the name: {seen:?}"
    );

    let before = socks.connections().len();
    op.send_to_bob(&[]);
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(smtpd.received().len(), 1, "delivered");
    assert!(
        socks.connections().len() > before,
        "the mail went through the proxy"
    );

    // The proxy stopped: said as such, with what to do.
    drop(socks);
    let (code, v) = op.json(&["account", "check", USER], "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "proxy", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("cannot be reached"), "{message}");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("proxy is running"),
        "{v}"
    );
}

#[test]
fn a_proxy_password_is_not_saved_and_other_proxies_are_refused_in_words() {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let op = Outpost::new(&dns, &ca);
    for (proxy, words) in [
        (
            "socks5h://me:secret@127.0.0.1:1080",
            "proxy password is not saved",
        ),
        ("http://127.0.0.1:3128", "not a SOCKS5 proxy"),
    ] {
        let (code, v) = op.add(
            "mail.example.test",
            Some(587),
            "starttls",
            &["--session-keyring", "--proxy", proxy],
            PASSWORD,
        );
        assert_eq!(code, 2, "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
    for (path, bytes) in support::all_files(op.home.path()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret"),
            "{path:?}"
        );
    }
}

#[test]
fn detection_under_all_proxy_asks_no_dns_around_it() {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let socks = Socks::start();
    let mut op = Outpost::new(&dns, &ca);
    op.env.push(("ALL_PROXY".into(), socks.url()));
    let (_, v) = op.json(&["detect", "ann@example.test", "--no-probe"], "");
    for source in ["srv", "mx"] {
        assert_eq!(
            support::source_field(&v, source, "outcome"),
            "skipped",
            "{v}"
        );
        let detail = support::source_field(&v, source, "detail");
        assert!(detail.contains("would go around the proxy"), "{detail}");
    }
    // The web sources went through the proxy (which could not find the test names).
    let seen = std::fs::read_to_string(&socks.log).unwrap_or_default();
    let autoconfig = support::source_field(&v, "autoconfig", "detail");
    assert!(
        autoconfig.contains("proxy"),
        "autoconfig was asked through the proxy: {autoconfig}\n{seen}"
    );
}
