//! `outpost detect` against a real DNS server on loopback (SRV, MX, A records) and real SMTP
//! servers for the probes, reached through `OUTPOST_PORT_MAP`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use serde_json::Value;
use support::{DnsServer, Outpost, Smtpd, TestCa, found, source_field};

fn outpost(dns: &DnsServer, ca: &TestCa) -> Outpost {
    Outpost::new(dns, ca)
}

fn detect(op: &Outpost, email: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["detect", email];
    args.extend_from_slice(extra);
    op.json(&args, "")
}

fn outcome(v: &Value, source: &str) -> String {
    source_field(v, source, "outcome")
}

/// Points `op` at a DNS server address where nothing answers.
fn dns_dead(op: &mut Outpost) {
    let dead = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    op.env.push(("OUTPOST_DNS".into(), dead.to_string()));
}

/// Detection for `email` against a fresh DNS server, without probes.
fn detect_dns_only(email: &str) -> (i32, Value) {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    detect(&outpost(&dns, &ca), email, &["--no-probe"])
}

#[test]
fn the_builtin_table_answers_at_once_and_cancels_the_rest() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let (code, v) = detect(&outpost(&dns, &ca), "ann@GMail.com", &[]);
    found(code, &v, "builtin", "smtp.gmail.com");
    assert_eq!(v["smtp"]["security"], "tls");
    // Its IMAP server from the table, and no copy by default: Gmail files its own.
    assert_eq!(v["imap"]["host"], "imap.gmail.com", "{v}");
    assert_eq!(v["imap"]["port"], 993);
    assert_eq!(v["sent_copy"], false, "{v}");
    // Gmail signs in with Google; with no client id set, its app password is the way in.
    assert_eq!(v["smtp"]["auth"], "password");
    assert_eq!(v["provider_help"]["login"], "app-password");
    assert_eq!(v["trusted"], true);
    assert_eq!(v["provenance"]["host"], "builtin");
    assert_eq!(outcome(&v, "guess"), "cancelled");
    assert!(v["elapsed_ms"].as_u64().unwrap() < 1000, "{v}");
}

#[test]
fn a_second_address_at_a_domain_with_an_account_starts_from_its_settings() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let mut op = outpost(&dns, &ca);
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            "ann@srv.detect.test",
            "--host",
            "relay.srv.detect.test",
            "--port",
            "2525",
            "--security",
            "starttls",
            "--auth",
            "none",
        ],
        "",
    );
    assert_eq!(code, 0, "{v}");
    // With the DNS dead: no network is asked, the account's settings are the answer.
    dns_dead(&mut op);
    let (code, v) = detect(&op, "bob@srv.detect.test", &[]);
    found(code, &v, "account", "relay.srv.detect.test");
    assert_eq!(v["smtp"]["port"], 2525, "{v}");
    assert_eq!(v["smtp"]["security"], "starttls");
    assert_eq!(v["smtp"]["username"], "bob@srv.detect.test");
    assert_eq!(v["trusted"], true);
    assert_eq!(outcome(&v, "account"), "found");
    // An address at another domain is found as ever.
    let (code, v) = detect(&op, "carol@other.detect.test", &["--no-probe"]);
    assert_ne!(v["source"], "account", "{code} {v}");
}

#[test]
fn the_builtin_table_answers_with_dns_dead() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let mut op = outpost(&dns, &ca);
    dns_dead(&mut op);
    let (code, v) = detect(&op, "ann@yahoo.com", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], "builtin");
}

#[test]
fn srv_records_prefer_implicit_tls_and_keep_starttls_as_alternative() {
    let (code, v) = detect_dns_only("ann@srv.detect.test");
    found(code, &v, "srv", "mail.srv.detect.test");
    assert_eq!(
        (v["smtp"]["port"].as_u64(), v["smtp"]["security"].as_str()),
        (Some(465), Some("tls"))
    );
    assert_eq!(v["trusted"], true);
    assert_eq!(v["provenance"]["username"], "default");
    let alt = &v["alternatives"][0];
    assert_eq!(
        (alt["smtp"]["port"].as_u64(), alt["source"].as_str()),
        (Some(587), Some("srv"))
    );
    // The IMAP server for copies in Sent, from `_imaps._tcp` before `_imap._tcp`.
    let imap = &v["imap"];
    assert_eq!(imap["host"], "imap.srv.detect.test", "{v}");
    assert_eq!(
        (imap["port"].as_u64(), imap["security"].as_str()),
        (Some(993), Some("tls"))
    );
    assert_eq!(
        (imap["source"].as_str(), imap["trusted"].as_bool()),
        (Some("srv"), Some(true))
    );
    assert_eq!(v["sent_copy"], true);
}

#[test]
fn srv_priorities_are_honoured() {
    let (code, v) = detect_dns_only("ann@prio.detect.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["smtp"]["host"], "primary.prio.detect.test");
    assert_eq!(
        v["alternatives"][0]["smtp"]["host"],
        "backup.prio.detect.test"
    );
}

#[test]
fn an_srv_target_outside_the_domain_is_untrusted_and_says_why() {
    let (code, v) = detect_dns_only("ann@foreign.detect.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["smtp"]["host"], "smtp.elsewhere.test");
    assert_eq!(v["trusted"], false);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("outside foreign.detect.test"),
        "{warnings}"
    );
}

#[test]
fn an_srv_target_of_dot_means_no_service() {
    let (code, v) = detect_dns_only("ann@none.detect.test");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "nothing_found");
    let srv = source_field(&v, "srv", "detail");
    assert!(srv.contains("offers no submission"), "{srv}");
}

#[test]
fn a_google_hosted_domain_is_recognised_by_its_mx() {
    let (code, v) = detect_dns_only("ann@hosted.detect.test");
    found(code, &v, "mx", "smtp.gmail.com");
    assert_eq!(v["smtp"]["username"], "ann@hosted.detect.test");
    assert_eq!(v["provider"], "Google Mail");
    assert_eq!(v["trusted"], true);
}

#[test]
fn probes_find_a_server_when_nothing_else_does() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let cert = ca.issue("guess", &["smtp.guess.detect.test"]);
    let tls = Smtpd::start("tls", Some(&cert));
    let starttls = Smtpd::start("starttls", Some(&cert));
    let closed = support::free_port();
    let mut op = outpost(&dns, &ca);
    let map = format!("465={},587={},25={closed}", tls.port, starttls.port);
    op.env.push(("OUTPOST_PORT_MAP".into(), map));
    let (code, v) = detect(&op, "ann@guess.detect.test", &[]);
    found(code, &v, "guess", "smtp.guess.detect.test");
    assert_eq!(
        (v["smtp"]["port"].as_u64(), v["smtp"]["security"].as_str()),
        (Some(465), Some("tls"))
    );
    assert_eq!(v["smtp"]["auth"], "password");
    assert_eq!(v["trusted"], true);
    assert!(tls.received().is_empty(), "probes never send mail");
    // Without implicit TLS, STARTTLS on 587 is the next choice.
    let mut op = outpost(&dns, &ca);
    let map = format!("465={closed},587={},25={closed}", starttls.port);
    op.env.push(("OUTPOST_PORT_MAP".into(), map));
    let (code, v) = detect(&op, "ann@guess.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        (v["smtp"]["port"].as_u64(), v["smtp"]["security"].as_str()),
        (Some(587), Some("starttls"))
    );
}

#[test]
fn a_source_that_never_answers_does_not_delay_past_the_deadline() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let stall = Smtpd::start("stall", None);
    let mut op = outpost(&dns, &ca);
    let map = format!("465={0},587={0},25={0}", stall.port);
    op.env.push(("OUTPOST_PORT_MAP".into(), map));
    let start = Instant::now();
    let (code, v) = detect(&op, "ann@slow.detect.test", &["--deadline", "1.5"]);
    let took = start.elapsed();
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "nothing_found");
    assert_eq!(outcome(&v, "guess"), "cancelled");
    assert!(took.as_secs_f64() < 3.5, "took {took:?}");
}

#[test]
fn probes_that_all_go_unanswered_suggest_port_filtering() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let stall = Smtpd::start("stall", None);
    let mut op = outpost(&dns, &ca);
    let map = format!("465={0},587={0},25={0}", stall.port);
    op.env.push(("OUTPOST_PORT_MAP".into(), map));
    let (code, v) = detect(&op, "ann@slow.detect.test", &["--deadline", "12"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "probes_blocked");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("another network")
    );
}

#[test]
fn nothing_found_is_a_clear_error_and_dead_dns_is_named() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let op = outpost(&dns, &ca);
    let (code, v) = detect(&op, "ann@nowhere.detect.test", &["--no-probe"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "nothing_found");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("smtp.nowhere.detect.test")
    );
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(advice.contains("outpost account add --host"), "{advice}");
    let mut op = outpost(&dns, &ca);
    dns_dead(&mut op);
    let start = Instant::now();
    let (code, v) = detect(&op, "ann@nowhere.detect.test", &["--deadline", "5"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "dns_unreachable", "{v}");
    assert!(start.elapsed().as_secs() < 8);
}

#[test]
fn bad_addresses_exit_2_and_idn_domains_are_encoded() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let op = outpost(&dns, &ca);
    for bad in ["ann", "ann@", "ann@localhost"] {
        let (code, v) = detect(&op, bad, &[]);
        assert_eq!(code, 2, "{bad}: {v}");
        assert_eq!(v["error"]["kind"], "bad_address");
    }
    let (code, v) = detect(&op, "ann@bücher.detect.test", &["--no-probe"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["email"], "ann@bücher.detect.test",
        "the Unicode form is shown"
    );
    assert_eq!(v["smtp"]["host"], "mail.xn--bcher-kva.detect.test");
}

#[test]
fn account_add_detect_stores_what_was_found_with_overrides() {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let op = outpost(&dns, &ca);
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            "ann@srv.detect.test",
            "--detect",
            "--username",
            "ann",
            "--password-stdin",
            "--session-keyring",
        ],
        "pw\n",
    );
    assert_eq!(code, 0, "{v}");
    let smtp = &v["account"]["smtp"];
    assert_eq!(smtp["host"], "mail.srv.detect.test");
    assert_eq!(
        (smtp["port"].as_u64(), smtp["security"].as_str()),
        (Some(465), Some("tls"))
    );
    assert_eq!(
        smtp["username"], "ann",
        "an option overrides what was found"
    );
    assert_eq!(v["detected"]["source"], "srv");
    // Untrusted settings are not stored silently.
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            "ann@foreign.detect.test",
            "--detect",
            "--password-stdin",
            "--session-keyring",
        ],
        "pw\n",
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "untrusted");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("--host smtp.elsewhere.test")
    );
}
