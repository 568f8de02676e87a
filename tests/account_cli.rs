//! `outpost account …` against real servers: aiosmtpd over TLS and STARTTLS, a DNS server on
//! loopback, and a test CA. Secrets go to the kernel session keyring here; the Secret Service
//! has its own test file.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use serde_json::Value;
use support::{Outpost, PASSWORD, Smtpd, USER};

use support::MailLab as Lab;

fn lab() -> Lab {
    Lab::start()
}

const SESSION: &[&str] = &["--session-keyring"];

/// Adds the test account in the session keyring; it must succeed.
fn add(op: &Outpost, host: &str, port: u16, security: &str, password: &str) {
    let extra = ["--name", "Ann Example", "--session-keyring"];
    let (code, v) = op.add(host, Some(port), security, &extra, password);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["host"], host);
}

fn test(op: &Outpost, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["account", "check", USER];
    args.extend_from_slice(extra);
    op.json(&args, "")
}

/// Runs `account check`, which must fail at `step` with an error of `kind`.
fn fails_at(op: &Outpost, extra: &[&str], step: &str, kind: &str) -> Value {
    let (code, v) = test(op, extra);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], step, "{v}");
    assert_eq!(v["error"]["kind"], kind, "{v}");
    assert!(!names(&v).contains(&"auth".to_string()) || step == "auth");
    v
}

fn text(v: &Value, field: &str) -> String {
    v["error"][field].as_str().unwrap().to_string()
}

fn names(v: &Value) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn good_login_over_implicit_tls() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "tls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(
        names(&v),
        [
            "resolve", "connect", "tls", "greeting", "ehlo", "auth", "quit"
        ]
    );
    assert!(
        v["capabilities"]["auth"]
            .as_array()
            .unwrap()
            .contains(&"PLAIN".into())
    );
    assert!(v["tls"].as_str().unwrap().starts_with("TLS 1."));
    for s in v["steps"].as_array().unwrap() {
        assert!(s["ms"].is_u64(), "every step is timed: {s}");
    }
}

#[test]
fn good_login_over_starttls_with_human_output() {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let out = op.run(&["account", "check", USER], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // The command's old name still works, for scripts written before the rename.
    let old_name = op.run(&["account", "test", USER], "");
    assert!(old_name.status.success());
    let starttls = text.find("STARTTLS").expect("a STARTTLS step is printed");
    let login = text.find("✓ Log in").expect("the login step is printed");
    assert!(
        starttls < login,
        "encryption comes before the login:\n{text}"
    );
    assert!(text.contains("All steps passed"), "{text}");
    assert!(text.contains(" ms)"), "durations are printed:\n{text}");
}

#[test]
fn wrong_password_is_refused_with_the_servers_words() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(
        &op,
        "mail.example.test",
        smtpd.port,
        "tls",
        "not the password",
    );
    let v = fails_at(&op, &[], "auth", "auth_failed");
    assert!(text(&v, "message").contains("535"), "{v}");
    assert!(text(&v, "advice").contains("app password"), "{v}");
}

#[test]
fn missing_starttls_is_refused_before_any_login() {
    let lab = lab();
    let smtpd = Smtpd::start("plain", None);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let v = fails_at(&op, &[], "starttls", "starttls_not_offered");
    assert!(text(&v, "message").contains("stripping"), "{v}");
}

#[test]
fn certificate_for_another_name_is_refused_and_named() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    // other.example.test resolves to the same server, whose certificate is for mail.example.test.
    add(&op, "other.example.test", smtpd.port, "tls", PASSWORD);
    let v = fails_at(&op, &[], "tls", "certificate");
    let msg = text(&v, "message");
    assert!(msg.contains("not valid for other.example.test"), "{msg}");
    assert!(
        msg.contains("mail.example.test"),
        "the certificate's names: {msg}"
    );
}

#[test]
fn certificate_from_an_unknown_authority_is_refused() {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let mut op = Outpost::new(&lab.dns, &lab.ca);
    // Trust only the system's authorities: the test CA is unknown to them.
    op.env.retain(|(k, _)| k != "SSL_CERT_FILE");
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let v = fails_at(&op, &[], "tls", "certificate");
    let msg = text(&v, "message");
    assert!(msg.contains("not issued by a trusted authority"), "{msg}");
}

#[test]
fn no_common_login_method_names_what_the_server_offers() {
    let lab = lab();
    let smtpd = Smtpd::start_with("tls", Some(&lab.cert), &["--ntlm-only"]);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "tls", PASSWORD);
    let v = fails_at(&op, &[], "auth", "no_common_mechanism");
    assert!(text(&v, "message").contains("NTLM"), "{v}");
}

#[test]
fn closed_port_says_the_port_is_wrong() {
    let lab = lab();
    let port = support::free_port();
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", port, "tls", PASSWORD);
    let v = fails_at(&op, &[], "connect", "connection_refused");
    assert!(text(&v, "advice").contains("port is probably wrong"), "{v}");
}

#[test]
fn unknown_host_says_check_the_spelling() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "nosuchhost.example.test", 465, "tls", PASSWORD);
    let v = fails_at(&op, &[], "resolve", "dns_not_found");
    assert!(text(&v, "advice").contains("spelling"), "{v}");
}

#[test]
fn a_dead_dns_server_fails_in_time() {
    let lab = lab();
    let mut op = Outpost::new(&lab.dns, &lab.ca);
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    for (k, v) in op.env.iter_mut() {
        if k == "OUTPOST_DNS" {
            *v = dead_addr.to_string();
        }
    }
    add(&op, "mail.example.test", 465, "tls", PASSWORD);
    let start = Instant::now();
    let (code, v) = test(&op, &["--timeout", "3"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "resolve");
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn a_silent_server_times_out_at_the_greeting() {
    let lab = lab();
    let smtpd = Smtpd::start("stall", None);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let start = Instant::now();
    let v = fails_at(&op, &["--timeout", "1"], "greeting", "timeout");
    assert!(start.elapsed().as_secs() < 6, "took {:?}", start.elapsed());
    assert!(text(&v, "advice").contains("tls"), "{v}");
}

#[test]
fn bad_input_exits_2_and_saves_nothing() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    let mut results = vec![
        op.json(
            &[
                "account",
                "add",
                "--email",
                "ann",
                "--host",
                "h.example",
                "--security",
                "tls",
            ],
            "pw\n",
        ),
        op.add("bad host", None, "tls", SESSION, "pw"),
        op.add("mail.example.test", None, "none", SESSION, "pw"),
    ];
    results.push(op.add("mail.example.test", None, "tls", SESSION, ""));
    for (code, v) in &results {
        assert_eq!(*code, 2, "{v}");
        assert!(!text(v, "advice").is_empty(), "{v}");
    }
    assert_eq!(results[0].1["error"]["kind"], "invalid");
    assert_eq!(results[3].1["error"]["kind"], "empty_secret");
    let out = op.run(
        &[
            "account",
            "add",
            "--email",
            USER,
            "--host",
            "h.example",
            "--security",
            "ssl",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls, starttls, none"));
    let (_, v) = op.json(&["account", "list"], "");
    assert_eq!(v["accounts"], Value::Array(vec![]));
}

#[test]
fn plaintext_password_needs_explicit_consent() {
    let lab = lab();
    let smtpd = Smtpd::start("plain", None);
    let op = Outpost::new(&lab.dns, &lab.ca);
    let consent = ["--session-keyring", "--allow-plaintext-password"];
    let (code, v) = op.add(
        "mail.example.test",
        Some(smtpd.port),
        "none",
        &consent,
        "pw",
    );
    assert_eq!(code, 0, "{v}");
    // This server offers AUTH only after TLS: Outpost says so and sends no password.
    let v = fails_at(&op, &[], "auth", "auth_not_offered");
    assert_eq!(v["capabilities"]["auth"], Value::Array(vec![]), "{v}");
}

#[test]
fn list_and_remove_and_duplicates() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", 465, "tls", PASSWORD);
    let (code, v) = op.add("smtp.example.test", None, "starttls", SESSION, "x");
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "duplicate");
    // The command line says what to type; the use case itself only what to do.
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(advice.contains("--replace"), "{advice}");
    let (code, v) = op.json(&["account", "list"], "");
    assert_eq!(code, 0);
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["email"], USER);
    assert_eq!(accounts[0]["default"], true);
    assert_eq!(accounts[0]["smtp"]["security"], "tls");
    assert_eq!(accounts[0]["secret_backend"], "session");
    let (code, v) = op.add(
        "smtp.example.test",
        None,
        "starttls",
        &["--session-keyring", "--replace"],
        "x",
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["account"]["id"], accounts[0]["id"],
        "replacing keeps the id"
    );
    assert_eq!(v["account"]["smtp"]["port"], 587);
    let (code, v) = op.json(&["account", "remove", USER], "");
    assert_eq!(code, 0, "{v}");
    let (code, v) = op.json(&["account", "remove", USER], "");
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "not_found");
    let (_, v) = op.json(&["account", "list"], "");
    assert_eq!(v["accounts"], Value::Array(vec![]));
}

#[test]
fn a_damaged_account_file_is_reported_and_kept() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    let file = op.home.path().join("config/accounts.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let damaged = "{\"version\": 1, \"accounts\": [{\"id\": ";
    std::fs::write(&file, damaged).unwrap();
    for (code, v) in [
        op.json(&["account", "list"], ""),
        op.add("mail.example.test", None, "tls", SESSION, "pw"),
    ] {
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["error"]["kind"], "file_corrupt");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), damaged);
}

#[test]
fn the_password_never_lands_in_the_data_dir_or_output() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "tls", PASSWORD);
    let out = op.run(&["account", "check", USER], "");
    assert!(out.status.success());
    let out2 = op.run(&["--json", "account", "list"], "");
    for stream in [&out.stdout, &out.stderr, &out2.stdout, &out2.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(PASSWORD));
    }
    let files = support::all_files(op.home.path());
    assert!(!files.is_empty());
    for (path, bytes) in files {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "password found in {}",
            path.display()
        );
    }
}
