//! What Outpost must refuse, proven against real servers and an attacker in the middle:
//! STARTTLS stripped or refused, bad certificates, outdated TLS; hostile sizes, times and
//! files; and no secret anywhere it should not be.

mod support;

use serde_json::Value;
use support::proxy::{Attack, StripProxy};
use support::{DnsServer, Outpost, PASSWORD, Smtpd, TestCa};

struct Lab {
    ca: TestCa,
    dns: DnsServer,
    cert: (std::path::PathBuf, std::path::PathBuf),
}

fn lab() -> Lab {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    Lab {
        dns: DnsServer::start("example.test"),
        cert,
        ca,
    }
}

fn add(op: &Outpost, port: u16, security: &str) {
    let (code, v) = op.add(
        "mail.example.test",
        Some(port),
        security,
        &["--session-keyring"],
        PASSWORD,
    );
    assert_eq!(code, 0, "{v}");
}

fn account_test(op: &Outpost) -> Value {
    let (code, v) = op.json(&["account", "test", support::USER], "");
    assert_ne!(code, 0, "the check must fail: {v}");
    v
}

fn error_text(v: &Value) -> String {
    format!("{} {}", v["error"]["message"], v["error"]["advice"])
}

/// Queues one message and lets the worker try it once; returns the message as `queue show`
/// reports it.
fn send_once(op: &Outpost) -> Value {
    let id = op.send_to_bob(&["--subject", "Secret plans"]);
    let (_, _) = op.json(&["run", "--until-empty", "--timeout", "20"], "");
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v["message"].clone()
}

fn stripped(attack: Attack, kind: &str) {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let proxy = StripProxy::start(smtpd.port, attack);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, proxy.port, "starttls");

    let v = account_test(&op);
    assert_eq!(v["failed_step"], "starttls", "{v}");
    assert_eq!(v["error"]["kind"], kind, "{v}");
    let m = send_once(&op);
    assert_ne!(m["state"], "sent", "{m}");
    assert!(
        m["last_reply"].as_str().unwrap_or("").contains("STARTTLS"),
        "the outbox says why: {m}"
    );
    for command in ["AUTH", "MAIL", "RCPT", "DATA"] {
        assert!(
            !proxy.client_sent(command),
            "{command} crossed the network in the clear: {:?}",
            proxy.client_lines.lock().unwrap()
        );
    }
    assert!(smtpd.received().is_empty());
}

#[test]
fn starttls_hidden_by_an_attacker_stops_everything_before_the_login() {
    stripped(Attack::HideStarttls, "starttls_not_offered");
}

#[test]
fn starttls_refused_by_an_attacker_stops_everything_before_the_login() {
    stripped(Attack::RefuseStarttls, "starttls_refused");
}

fn certificate_refused(cert: &(std::path::PathBuf, std::path::PathBuf), lab: &Lab) -> String {
    let smtpd = Smtpd::start("tls", Some(cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, smtpd.port, "tls");
    let v = account_test(&op);
    assert_eq!(v["failed_step"], "tls", "{v}");
    assert_eq!(v["error"]["kind"], "certificate", "{v}");
    let m = send_once(&op);
    assert_ne!(m["state"], "sent", "{m}");
    assert!(smtpd.received().is_empty());
    error_text(&v)
}

#[test]
fn an_expired_certificate_is_refused_and_says_so() {
    let lab = lab();
    let cert = lab.ca.issue_with("expired", &["mail.example.test"], |p| {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    });
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains("expired"), "{text}");
}

#[test]
fn a_certificate_not_valid_yet_is_refused_and_says_so() {
    let lab = lab();
    let cert = lab.ca.issue_with("future", &["mail.example.test"], |p| {
        p.not_before = rcgen::date_time_ymd(2090, 1, 1);
        p.not_after = rcgen::date_time_ymd(2091, 1, 1);
    });
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains("not valid before"), "{text}");
}

#[test]
fn a_self_signed_certificate_is_refused_and_names_itself() {
    let lab = lab();
    let cert = lab.ca.self_signed("self", &["mail.example.test"]);
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains("not issued by a trusted authority"), "{text}");
    assert!(
        text.contains("mail.example.test"),
        "the certificate's names: {text}"
    );
}

#[test]
fn tls_older_than_1_2_is_refused() {
    let lab = lab();
    let smtpd = Smtpd::start_with("tls", Some(&lab.cert), &["--tls-max", "1.1"]);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, smtpd.port, "tls");
    let v = account_test(&op);
    assert_eq!(v["failed_step"], "tls", "{v}");
    let text = error_text(&v);
    assert!(text.contains("older than 1.2"), "{text}");
    assert!(smtpd.received().is_empty());
}
