//! Self-hosted servers' certificates trusted per account (pinned): refused in words with the
//! certificate shown, trusted by its key's SHA-256, sending; a changed key refused before any
//! login is sent; the pin removed and the certificate refused again. Against aiosmtpd with
//! self-signed certificates as `openssl req -x509` makes them (CA:TRUE) and leaf-only ones.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{DnsServer, Outpost, PASSWORD, Smtpd, TestCa, USER};

struct Lab {
    _dns: DnsServer,
    ca: TestCa,
    op: Outpost,
}

fn lab() -> Lab {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let op = Outpost::new(&dns, &ca);
    Lab { _dns: dns, ca, op }
}

fn add(op: &Outpost, port: u16) {
    let (code, v) = op.add(
        "mail.example.test",
        Some(port),
        "starttls",
        &["--session-keyring", "--replace"],
        PASSWORD,
    );
    assert_eq!(code, 0, "{v}");
}

fn check(op: &Outpost) -> (i32, Value) {
    op.json(&["account", "check", USER], "")
}

fn trust(op: &Outpost, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["account", "trust-certificate", USER];
    args.extend_from_slice(extra);
    op.json(&args, "")
}

fn message(v: &Value) -> String {
    format!("{} {}", v["error"]["message"], v["error"]["advice"])
}

/// The refused check shows the certificate; returns its key's fingerprint.
fn refused_with_certificate(op: &Outpost, words: &str) -> String {
    let (code, v) = check(op);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "tls", "{v}");
    let text = message(&v);
    assert!(text.to_lowercase().contains(words), "{text}");
    assert!(
        text.contains("trust this certificate for this account"),
        "{text}"
    );
    for debug in ["Other(", "OtherError", "CaUsedAsEndEntity"] {
        assert!(!text.contains(debug), "{text}");
    }
    let fp = v["certificate"]["sha256"].as_str().unwrap().to_string();
    assert_eq!(fp.len(), 95, "{fp}");
    assert_eq!(v["certificate"]["names"][0], "mail.example.test", "{v}");
    fp
}

fn trusted_and_sending(op: &Outpost, smtpd: &Smtpd, fp: &str, exception: &str) {
    let (code, v) = trust(op, &["--fingerprint", &fp.replace(':', "").to_lowercase()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["pinned"]["sha256"], fp, "{v}");
    let noted = v["pinned"]["exception"].as_str().unwrap_or_default();
    assert!(noted.starts_with(exception), "{v}");
    let (code, v) = check(op);
    assert_eq!(code, 0, "{v}");
    let tls = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "tls")
        .unwrap()["detail"]
        .to_string();
    assert!(tls.contains("trusted for this account"), "{tls}");
    assert!(tls.contains(&format!("although {exception}")), "{tls}");
    let before = smtpd.received().len();
    op.send_to_bob(&[]);
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(smtpd.received().len(), before + 1, "delivered");
}

fn pinned_certificate_cycle(cert: (PathBuf, PathBuf), other: (PathBuf, PathBuf), words: &str) {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&cert));
    add(&lab.op, smtpd.port);
    let fp = refused_with_certificate(&lab.op, words);
    assert!(
        smtpd.logins().is_empty(),
        "no login before the certificate is trusted"
    );
    trusted_and_sending(&lab.op, &smtpd, &fp, words);

    // The server's key changes (same address, same names): refused before any login.
    drop(smtpd);
    let smtpd = Smtpd::start("starttls", Some(&other));
    add(&lab.op, smtpd.port);
    let (code, v) = trust(&lab.op, &["--fingerprint", &fp]);
    assert_eq!(code, 1, "a pin for another key is not set: {v}");
    assert_eq!(v["error"]["kind"], "fingerprint_mismatch", "{v}");
    // (`--replace` kept the pin: it belongs to the account, not to one set of settings.)
    let (code, v) = check(&lab.op);
    assert_eq!(code, 1, "{v}");
    let text = message(&v);
    assert!(text.contains("certificate changed"), "{text}");
    let new_fp = v["certificate"]["sha256"].as_str().unwrap();
    assert!(
        text.contains(&fp) && text.contains(new_fp),
        "both keys: {text}"
    );
    assert!(text.contains("Nothing was sent"), "{text}");
    assert!(smtpd.logins().is_empty(), "no AUTH: {:?}", smtpd.logins());

    // The pin removed: the usual rules again.
    let (code, v) = trust(&lab.op, &["--remove"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["removed"]["sha256"], fp, "{v}");
    refused_with_certificate(&lab.op, words);
    assert!(smtpd.logins().is_empty());
}

#[test]
fn a_self_signed_authority_certificate_is_pinned_then_a_changed_key_refused() {
    let ca = TestCa::new();
    let names = ["mail.example.test"];
    pinned_certificate_cycle(
        ca.self_signed_authority("snakeoil", &names),
        ca.self_signed_authority("snakeoil2", &names),
        "the certificate was issued by itself",
    );
}

#[test]
fn a_leaf_only_self_signed_certificate_is_pinned_then_a_changed_key_refused() {
    let ca = TestCa::new();
    let names = ["mail.example.test"];
    pinned_certificate_cycle(
        ca.self_signed("leaf", &names),
        ca.self_signed("leaf2", &names),
        "the certificate was not issued by a trusted authority",
    );
}

#[test]
fn trust_needs_a_fingerprint_or_a_terminal_and_a_wrong_one_pins_nothing() {
    let lab = lab();
    let cert = lab.ca.self_signed("leaf", &["mail.example.test"]);
    let smtpd = Smtpd::start("starttls", Some(&cert));
    add(&lab.op, smtpd.port);
    let (code, v) = trust(&lab.op, &[]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "confirmation_needed", "{v}");
    assert!(message(&v).contains("--fingerprint"), "{v}");
    let (code, v) = trust(&lab.op, &["--fingerprint", &"AB".repeat(32)]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "fingerprint_mismatch", "{v}");
    let (code, v) = trust(&lab.op, &["--fingerprint", "12:34"]);
    assert_eq!(code, 2, "{v}");
    assert!(message(&v).contains("not a SHA-256 fingerprint"), "{v}");
    let (_, v) = lab.op.json(&["account", "list"], "");
    assert!(v["accounts"][0]["pinned_certificate"].is_null(), "{v}");
    assert!(smtpd.logins().is_empty());
}

#[test]
fn a_certificate_for_other_names_may_be_pinned_and_says_so() {
    let lab = lab();
    // From an authority this computer trusts, but for another name.
    let cert = lab.ca.issue("other", &["mail.example.test.other"]);
    let smtpd = Smtpd::start("starttls", Some(&cert));
    add(&lab.op, smtpd.port);
    let (code, v) = check(&lab.op);
    assert_eq!(code, 1, "{v}");
    let fp = v["certificate"]["sha256"].as_str().unwrap().to_string();
    trusted_and_sending(
        &lab.op,
        &smtpd,
        &fp,
        "the certificate is not valid for mail.example.test",
    );
}
