//! `outpost account …` against real servers: aiosmtpd over TLS and STARTTLS, a DNS server on
//! loopback, and a test CA. Secrets go to the kernel session keyring here; the Secret Service
//! has its own test file.

mod support;

use std::time::Instant;

use serde_json::Value;
use support::{DnsServer, Outpost, PASSWORD, Smtpd, TestCa, USER};

struct Lab {
    dns: DnsServer,
    ca: TestCa,
    cert: (std::path::PathBuf, std::path::PathBuf),
}

fn lab() -> Lab {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    Lab {
        dns: DnsServer::start("example.test"),
        ca,
        cert,
    }
}

fn add(op: &Outpost, host: &str, port: u16, security: &str, password: &str) {
    let port = port.to_string();
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            USER,
            "--name",
            "Ann Example",
            "--host",
            host,
            "--port",
            &port,
            "--security",
            security,
            "--password-stdin",
            "--session-keyring",
        ],
        &format!("{password}\n"),
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["host"], host);
}

fn test(op: &Outpost, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["account", "test", USER];
    args.extend_from_slice(extra);
    op.json(&args, "")
}

fn steps(v: &Value) -> Vec<(String, bool)> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["ok"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    steps(v).into_iter().map(|(s, _)| s).collect()
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
    let out = op.run(&["account", "test", USER], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
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
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "auth");
    assert_eq!(v["error"]["kind"], "auth_failed");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("535"), "{msg}");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("app password")
    );
}

#[test]
fn missing_starttls_is_refused_before_any_login() {
    let lab = lab();
    let smtpd = Smtpd::start("plain", None);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "starttls_not_offered");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stripping"),
        "{v}"
    );
    assert!(
        !names(&v).contains(&"auth".to_string()),
        "no login attempted: {v}"
    );
}

#[test]
fn certificate_for_another_name_is_refused_and_named() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    // other.example.test resolves to the same server, whose certificate is for mail.example.test.
    add(&op, "other.example.test", smtpd.port, "tls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "tls");
    assert_eq!(v["error"]["kind"], "certificate");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("not valid for other.example.test"), "{msg}");
    assert!(
        msg.contains("mail.example.test"),
        "the certificate's names: {msg}"
    );
    assert!(!names(&v).contains(&"auth".to_string()));
}

#[test]
fn certificate_from_an_unknown_authority_is_refused() {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let mut op = Outpost::new(&lab.dns, &lab.ca);
    // Trust only the system's authorities: the test CA is unknown to them.
    op.env.retain(|(k, _)| k != "SSL_CERT_FILE");
    add(&op, "mail.example.test", smtpd.port, "starttls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "certificate");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("not issued by a trusted authority"), "{msg}");
}

#[test]
fn no_common_login_method_names_what_the_server_offers() {
    let lab = lab();
    let smtpd = Smtpd::start_with("tls", Some(&lab.cert), &["--ntlm-only"]);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "tls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "auth");
    assert_eq!(v["error"]["kind"], "no_common_mechanism");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("NTLM"),
        "{v}"
    );
}

#[test]
fn closed_port_says_the_port_is_wrong() {
    let lab = lab();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", port, "tls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "connect");
    assert_eq!(v["error"]["kind"], "connection_refused");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("port is probably wrong")
    );
}

#[test]
fn unknown_host_says_check_the_spelling() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "nosuchhost.example.test", 465, "tls", PASSWORD);
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "resolve");
    assert_eq!(v["error"]["kind"], "dns_not_found");
    assert!(v["error"]["advice"].as_str().unwrap().contains("spelling"));
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
    let (code, v) = test(&op, &["--timeout", "1"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "greeting");
    assert_eq!(v["error"]["kind"], "timeout");
    assert!(start.elapsed().as_secs() < 6, "took {:?}", start.elapsed());
    assert!(
        v["error"]["advice"].as_str().unwrap().contains("tls"),
        "{v}"
    );
}

#[test]
fn bad_input_exits_2_and_saves_nothing() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--email",
                "ann",
                "--host",
                "mail.example.test",
                "--security",
                "tls",
            ],
            "invalid",
        ),
        (
            &["--email", USER, "--host", "bad host", "--security", "tls"],
            "invalid",
        ),
        (
            &[
                "--email",
                USER,
                "--host",
                "mail.example.test",
                "--security",
                "none",
            ],
            "invalid",
        ),
    ];
    for (args, kind) in cases {
        let mut all = vec!["account", "add"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--password-stdin", "--session-keyring"]);
        let (code, v) = op.json(&all, "pw\n");
        assert_eq!(code, 2, "{args:?}: {v}");
        assert_eq!(v["error"]["kind"], *kind, "{v}");
        assert!(!v["error"]["advice"].as_str().unwrap().is_empty());
    }
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
    let port = smtpd.port.to_string();
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            USER,
            "--host",
            "mail.example.test",
            "--port",
            &port,
            "--security",
            "none",
            "--password-stdin",
            "--session-keyring",
            "--allow-plaintext-password",
        ],
        "pw\n",
    );
    assert_eq!(code, 0, "{v}");
    // The server itself refuses AUTH without TLS; Outpost reports that and sends nothing more.
    let (code, v) = test(&op, &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["failed_step"], "auth");
}

#[test]
fn list_and_remove_and_duplicates() {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", 465, "tls", PASSWORD);
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            USER,
            "--host",
            "smtp.example.test",
            "--security",
            "starttls",
            "--password-stdin",
            "--session-keyring",
        ],
        "x\n",
    );
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "duplicate");
    let (code, v) = op.json(&["account", "list"], "");
    assert_eq!(code, 0);
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["email"], USER);
    assert_eq!(accounts[0]["default"], true);
    assert_eq!(accounts[0]["smtp"]["security"], "tls");
    assert_eq!(accounts[0]["secret_backend"], "session");
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
    std::fs::write(&file, "{\"version\": 1, \"accounts\": [{\"id\": ").unwrap();
    let (code, v) = op.json(&["account", "list"], "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "file_corrupt");
    add_expecting_failure(&op);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"version\": 1, \"accounts\": [{\"id\": "
    );
}

fn add_expecting_failure(op: &Outpost) {
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            USER,
            "--host",
            "mail.example.test",
            "--security",
            "tls",
            "--password-stdin",
            "--session-keyring",
        ],
        "pw\n",
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "file_corrupt");
}

#[test]
fn the_password_never_lands_in_the_data_dir_or_output() {
    let lab = lab();
    let smtpd = Smtpd::start("tls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, "mail.example.test", smtpd.port, "tls", PASSWORD);
    let out = op.run(&["account", "test", USER], "");
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
