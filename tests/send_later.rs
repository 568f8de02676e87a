//! Send later and the grace in which sending can be undone, on the durable outbox, end to end
//! against aiosmtpd: a scheduled message is not sent early and is sent after its time by a
//! worker started again; a delayed message cancelled in time is never sent; a worker killed
//! (SIGKILL) during the grace still sends it, exactly once; times people write are checked.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Killed, Outpost, PASSWORD, SendLab, Smtpd};

fn lab() -> SendLab {
    SendLab::start(&[], PASSWORD, &[])
}

/// `outpost run`, until dropped (also when the test fails).
fn worker(op: &Outpost) -> Killed {
    Killed(
        op.command(&["run"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

fn state(op: &Outpost, id: i64) -> Value {
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v
}

fn wait_state(op: &Outpost, id: i64, wanted: &str) {
    let start = Instant::now();
    while state(op, id)["message"]["state"] != wanted {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not {wanted}: {}",
            state(op, id)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_received(smtpd: &Smtpd, n: usize, within: Duration) {
    let start = Instant::now();
    while smtpd.received().len() < n {
        assert!(start.elapsed() < within, "not delivered within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `seconds` from now, as ISO 8601 in UTC ("2026-12-24T08:00:05Z").
fn in_seconds(seconds: i64) -> String {
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap();
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[test]
fn a_scheduled_message_is_not_sent_early_and_goes_after_its_time_across_a_restart() {
    let lab = lab();
    let at = in_seconds(5);
    let (code, v) = lab.op.send_as(
        support::USER,
        &[
            "--to",
            "bob@example.net",
            "--subject",
            "Later",
            "--body",
            "hi",
            "--at",
            &at,
        ],
    );
    assert_eq!(code, 0, "{v}");
    let id = v["id"].as_i64().unwrap();
    assert!(v["not_before_ms"].as_i64().is_some(), "{v}");
    // A worker that runs before the time sends nothing, and stops (killed: the machine off).
    let first = worker(&lab.op);
    std::thread::sleep(Duration::from_secs(2));
    assert!(lab.smtpd.received().is_empty(), "sent before its time");
    drop(first);
    let m = state(&lab.op, id);
    assert_eq!(m["message"]["state"], "queued", "{m}");
    let history = m["history"].to_string();
    assert!(history.contains("to be sent"), "{history}");
    let list = lab.op.run(&["queue", "list"], "");
    let said = String::from_utf8_lossy(&list.stdout);
    assert!(
        said.contains("scheduled") && said.contains("to be sent"),
        "{said}"
    );
    // Started again, a worker sends it once its time has come.
    let second = worker(&lab.op);
    wait_received(&lab.smtpd, 1, Duration::from_secs(15));
    let sent_at = jiff::Timestamp::now();
    assert!(
        sent_at >= at.parse::<jiff::Timestamp>().unwrap(),
        "sent early"
    );
    // The server has it; the worker writes that down a moment later.
    wait_state(&lab.op, id, "sent");
    drop(second);
    // Dated when it was to leave, not when it was written.
    let text = lab.smtpd.received_text().remove(0);
    let date = at
        .parse::<jiff::Timestamp>()
        .unwrap()
        .strftime("%H:%M:%S")
        .to_string();
    assert!(text.contains(&date), "Date {date} in\n{text}");
}

#[test]
fn a_delayed_message_cancelled_in_time_is_never_sent() {
    let lab = lab();
    let id = lab.op.send_to_bob(&["--subject", "Oops", "--delay", "3"]);
    let (code, v) = lab.op.json(&["queue", "cancel", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    let w = worker(&lab.op);
    std::thread::sleep(Duration::from_secs(5));
    drop(w);
    assert!(
        lab.smtpd.received().is_empty(),
        "a cancelled message went out"
    );
    assert_eq!(state(&lab.op, id)["message"]["state"], "cancelled");
}

#[test]
fn a_worker_killed_during_the_grace_still_sends_the_message_exactly_once() {
    let lab = lab();
    let first = worker(&lab.op);
    let id = lab.op.send_to_bob(&["--subject", "Grace", "--delay", "2"]);
    std::thread::sleep(Duration::from_millis(500));
    drop(first); // SIGKILL, in the grace
    assert!(
        lab.smtpd.received().is_empty(),
        "sent before its grace ended"
    );
    let second = worker(&lab.op);
    wait_received(&lab.smtpd, 1, Duration::from_secs(15));
    wait_state(&lab.op, id, "sent");
    std::thread::sleep(Duration::from_secs(2));
    drop(second);
    assert_eq!(lab.smtpd.received().len(), 1, "sent exactly once");
}

#[test]
fn times_that_cannot_be_read_or_have_passed_are_refused_and_nothing_is_queued() {
    let lab = lab();
    for (at, kind) in [
        ("next week", "invalid_time"),
        ("32.12.2026 09:00", "invalid_time"),
        ("25:00", "invalid_time"),
        ("2020-01-01 09:00", "time_in_the_past"),
    ] {
        let (code, v) = lab.op.send_as(
            support::USER,
            &["--to", "b@example.net", "--body", "x", "--at", at],
        );
        assert_eq!(code, 2, "{v}");
        assert_eq!(v["error"]["kind"], kind, "{v}");
        let said = v["error"].to_string();
        assert!(!said.contains("Error("), "no library debug text: {said}");
    }
    // More than a day's delay: refused by the argument parser, in its words.
    let args = [
        "send",
        "--from",
        support::USER,
        "--to",
        "b@example.net",
        "--body",
        "x",
    ];
    let out = lab.op.run(&[&args[..], &["--delay", "90000"]].concat(), "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("0..=86400"),
        "{out:?}"
    );
    let (_, list) = lab.op.json(&["queue", "list"], "");
    assert_eq!(list["messages"].as_array().map(Vec::len), Some(0), "{list}");
}
