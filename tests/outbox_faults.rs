//! Server faults injected with Postfix's `smtp-sink` (-r/-f/-q/-Q/-w) and aiosmtpd's size
//! limit: each ends in the right state, with the server's own words.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{DnsServer, Outpost, SmtpSink, Smtpd, TestCa};

fn outpost_for(dns: &DnsServer, ca: &TestCa, port: u16) -> Outpost {
    let op = Outpost::new(dns, ca);
    let (code, v) = op.add(
        "mail.example.test",
        Some(port),
        "none",
        &["--auth", "none"],
        "",
    );
    assert_eq!(code, 0, "{v}");
    op
}

/// Queues one message, runs the worker once, and returns the message's state.
fn send_and_run(op: &Outpost, run_args: &[&str]) -> Value {
    let id = op.send_to_bob(&["--subject", "fault"]).to_string();
    let mut args = vec!["run", "--until-empty"];
    args.extend_from_slice(run_args);
    let (code, v) = op.json(&args, "");
    assert_eq!(code, 0, "{v}");
    let (_, v) = op.json(&["queue", "show", &id], "");
    v["message"].clone()
}

#[test]
fn a_421_and_disconnect_mid_session_waits_longer_before_retrying() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let sink = SmtpSink::start(&["-Q", "rcpt"]);
    let m = send_and_run(&outpost_for(&dns, &ca, sink.port), &[]);
    assert_eq!(m["state"], "retry", "{m}");
    assert!(m["last_reply"].as_str().unwrap().starts_with("421"), "{m}");
    // Throttled: four times the normal first wait of about a minute.
    assert!(
        m["next_attempt_ms"].as_i64().unwrap() > support::now_ms() + 150_000,
        "{m}"
    );
}

#[test]
fn a_hard_refusal_of_data_fails_with_the_servers_words() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let sink = SmtpSink::start(&["-f", "data"]);
    let m = send_and_run(&outpost_for(&dns, &ca, sink.port), &[]);
    assert_eq!(m["state"], "failed", "{m}");
    assert!(m["last_reply"].as_str().unwrap().starts_with('5'), "{m}");
}

#[test]
fn a_soft_refusal_of_mail_is_retried() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let sink = SmtpSink::start(&["-r", "mail"]);
    let m = send_and_run(&outpost_for(&dns, &ca, sink.port), &[]);
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some("retry"), Some(1)),
        "{m}"
    );
    assert!(m["last_reply"].as_str().unwrap().starts_with('4'), "{m}");
}

#[test]
fn a_server_that_hangs_up_or_stalls_is_retried() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let sink = SmtpSink::start(&["-q", "data"]);
    let m = send_and_run(&outpost_for(&dns, &ca, sink.port), &[]);
    assert_eq!(m["state"], "retry", "{m}");
    let stall = SmtpSink::start(&["-w", "30"]);
    let start = std::time::Instant::now();
    let m = send_and_run(&outpost_for(&dns, &ca, stall.port), &["--timeout", "1"]);
    assert_eq!(m["state"], "retry", "{m}");
    assert!(
        m["last_reply"].as_str().unwrap().contains("no answer"),
        "{m}"
    );
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn a_message_over_the_servers_size_limit_is_refused_when_queued_or_fails_without_being_sent() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let smtpd = Smtpd::start_with("plain", None, &["--max-size", "100"]);
    let mut op = outpost_for(&dns, &ca, smtpd.port);
    // Queued while the server cannot be asked (its port leads nowhere): the limit is not
    // known yet, and the sender finds it too large without sending it.
    let nowhere = support::free_port();
    op.env.push((
        "OUTPOST_PORT_MAP".into(),
        format!("{}={nowhere}", smtpd.port),
    ));
    let id = op.send_to_bob(&["--subject", "fault"]).to_string();
    op.env.pop();
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    let (_, v) = op.json(&["queue", "show", &id], "");
    let m = &v["message"];
    assert_eq!(m["state"], "failed", "{m}");
    assert!(
        m["last_reply"].as_str().unwrap().starts_with("552 5.3.4"),
        "{m}"
    );
    assert!(smtpd.received().is_empty());
    let (_, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(
        v["paused"],
        Value::Array(vec![]),
        "the account is not paused"
    );
    // Now the limit is known: the next one is refused before it is queued.
    let (code, v) = op.json(
        &[
            "send",
            "--from",
            support::USER,
            "--to",
            "bob@example.net",
            "--body",
            "again",
        ],
        "",
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "too_large", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("100 bytes its server takes"),
        "{v}"
    );
}
