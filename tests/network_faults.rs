//! Connections on a network that drops packets, made real: each test runs itself again in a
//! private network namespace (`unshare -n`, loopback up) whose nftables rules silently drop
//! connection attempts to chosen addresses, as a broken IPv6 route or a firewall does.
//! Where no namespace can be made the tests fail, loudly: they never pass without running.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use outpost::account::check::{self, Check, CheckError, Report, Step, Timeouts};
use outpost::account::explain::check_failure;
use outpost::account::{AuthMethod, Security, SmtpSettings};
use outpost::net::{Net, NetConfig};
use serde_json::json;
use support::netns::inside_namespace;
use support::{DnsServer, Httpd, Outpost, Smtpd, TestCa, USER};

/// Brings loopback up and drops, on the way in, TCP packets to `ports` at each of `dropped`.
fn drop_packets(ports: &[u16], dropped: &[&str]) {
    let ip = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .expect("ip runs (iproute2)");
    assert!(ip.success(), "loopback comes up");
    let rules: String = dropped
        .iter()
        .flat_map(|addr| ports.iter().map(move |port| (addr, port)))
        .map(|(addr, port)| {
            let family = if addr.contains(':') { "ip6" } else { "ip" };
            format!("{family} daddr {addr} tcp dport {port} drop\n")
        })
        .collect();
    let script = format!(
        "table inet outpost_lab {{\n chain input {{\n type filter hook input priority 0; \
         policy accept;\n{rules} }}\n}}\n"
    );
    let mut nft = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("nft runs (nftables)");
    nft.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(nft.wait().unwrap().success(), "the rules load:\n{script}");
}

/// Checks `host` on `port` (no encryption, no login), each step limited to `limit`.
async fn check(dns: &DnsServer, host: &str, port: u16, limit: Duration) -> Report {
    let net = Net::new(&NetConfig {
        dns_server: Some(dns.addr),
        ..NetConfig::default()
    })
    .unwrap();
    let settings = SmtpSettings {
        host: host.into(),
        port,
        security: Security::None,
        username: USER.into(),
        auth: AuthMethod::None,
    };
    check::run(
        Check {
            net: &net,
            settings: &settings,
            secret: None,
            allow_plaintext_auth: false,
            pin: None,
            timeouts: Timeouts::uniform(limit),
            transcript: None,
        },
        |_| {},
    )
    .await
}

fn connect_step(report: &Report) -> (Duration, Result<String, CheckError>) {
    let s = report
        .steps
        .iter()
        .find(|s| s.step == Step::Connect)
        .expect("the check connects");
    (s.elapsed, s.outcome.clone())
}

/// The lab: the rules, a DNS server and a plain SMTP server on 127.0.0.1.
fn lab() -> (DnsServer, Smtpd) {
    let smtpd = Smtpd::start("plain", None);
    drop_packets(&[smtpd.port], &["::1", "127.0.0.2", "127.0.0.3"]);
    (DnsServer::start("faults.test"), smtpd)
}

/// Checks `host` in the lab: it must pass, connecting within moments (not the 15 s an
/// attempt may take); the connect step's words and how long it took.
async fn connects_quickly(host: &str) -> (Duration, String, Report) {
    let (dns, smtpd) = lab();
    let report = check(&dns, host, smtpd.port, Duration::from_secs(15)).await;
    assert!(report.is_ok(), "{report:#?}");
    let (elapsed, outcome) = connect_step(&report);
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
    (elapsed, outcome.unwrap(), report)
}

#[tokio::test]
async fn dropped_ipv6_falls_back_to_ipv4_within_moments() {
    if !inside_namespace("dropped_ipv6_falls_back_to_ipv4_within_moments") {
        return;
    }
    let (elapsed, detail, _) = connects_quickly("dual.faults.test").await;
    // IPv6 first; IPv4 250 ms later answers at once.
    assert!(
        elapsed >= Duration::from_millis(240),
        "IPv6 was tried first: {elapsed:?}"
    );
    assert!(detail.contains("connected to 127.0.0.1"), "{detail}");
    assert!(detail.contains("::1 had not answered"), "{detail}");
}

#[tokio::test]
async fn a_dropped_first_address_gives_way_to_the_second() {
    if !inside_namespace("a_dropped_first_address_gives_way_to_the_second") {
        return;
    }
    let (_, detail, report) = connects_quickly("twoa.faults.test").await;
    assert!(detail.contains("127.0.0.2 had not answered"), "{detail}");
    assert_eq!(report.address.unwrap().ip().to_string(), "127.0.0.1");
}

#[tokio::test]
async fn everything_dropped_is_told_apart_from_refused() {
    if !inside_namespace("everything_dropped_is_told_apart_from_refused") {
        return;
    }
    let (dns, smtpd) = lab();
    let limit = Duration::from_secs(2);
    let report = check(&dns, "gone.faults.test", smtpd.port, limit).await;
    let (step, err) = report.failure().expect("nothing answers");
    assert_eq!(step, Step::Connect);
    assert_eq!(err.kind(), "connect_timeout", "{err:?}");
    let words = check_failure(step, err);
    assert!(
        words.problem.contains("probably by a firewall"),
        "{words:?}"
    );
    assert!(words.problem.contains("::1 did not answer"), "{words:?}");
    assert!(
        words.problem.contains("127.0.0.3 did not answer"),
        "{words:?}"
    );
    let (elapsed, _) = connect_step(&report);
    assert!(elapsed < limit + Duration::from_secs(1), "{elapsed:?}");

    // A port nothing listens on answers "refused" at once: said differently.
    let closed = support::free_port();
    let report = check(&dns, "closed.faults.test", closed, limit).await;
    let (step, err) = report.failure().expect("refused");
    assert_eq!(err.kind(), "connection_refused", "{err:?}");
    let words = check_failure(step, err);
    assert!(!words.problem.contains("firewall"), "{words:?}");
    assert!(connect_step(&report).0 < Duration::from_millis(200));
}

#[test]
fn web_requests_race_addresses_too() {
    if !inside_namespace("web_requests_race_addresses_too") {
        return;
    }
    let ca = TestCa::new();
    let cert = ca.issue("web", &["autoconfig.web.faults.test"]);
    let config = r#"<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="web">
<domain>web.faults.test</domain><outgoingServer type="smtp"><hostname>smtp.web.faults.test</hostname>
<port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>
<authentication>password-cleartext</authentication></outgoingServer></emailProvider></clientConfig>"#;
    let https = Httpd::start(
        &json!({"autoconfig.web.faults.test /mail/config-v1.1.xml": {"body": config}}),
        Some(&cert),
    );
    drop_packets(&[https.port], &["::1"]);
    let dns = DnsServer::start("faults.test");
    let mut op = Outpost::new(&dns, &ca);
    op.env.push((
        "OUTPOST_PORT_MAP".into(),
        format!("443={},80={}", https.port, support::free_port()),
    ));
    let (code, v) = op.json(&["detect", "ann@web.faults.test", "--no-probe"], "");
    support::found(code, &v, "autoconfig", "smtp.web.faults.test");
    let ms = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "autoconfig")
        .and_then(|s| s["ms"].as_u64())
        .unwrap();
    // Not the 5 s a silent address may take to connect.
    assert!(ms < 1500, "autoconfig took {ms} ms: {v}");
}
