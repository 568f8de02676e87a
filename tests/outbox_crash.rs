//! Crash safety: `outpost run` killed with SIGKILL at many moments while it drains the queue,
//! then restarted, until the queue is empty. Every message must arrive at least once, none
//! may be lost, the queue must end with every message sent — and a kill may send again only
//! what was in flight at that moment: one message per lane.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use outpost::outbox::worker::{BATCH, LANES_PER_ACCOUNT};
use support::{DnsServer, Outpost, Smtpd, TestCa};

const MESSAGES: usize = 150;
const KILLS: usize = 6;

#[test]
fn sigkill_at_any_moment_loses_no_message_and_repeats_only_the_one_in_flight() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    // A slow answer to the final "." keeps each delivery in flight long enough to be
    // interrupted, also in the moment when the message is sent but not yet acknowledged.
    let smtpd = Smtpd::start_with("plain", None, &["--data-delay", "0.01"]);
    let op = Outpost::new(&dns, &ca);
    let (code, v) = op.add(
        "mail.example.test",
        Some(smtpd.port),
        "none",
        &["--auth", "none"],
        "",
    );
    assert_eq!(code, 0, "{v}");
    for i in 0..MESSAGES {
        let out = op.run(
            &["sendmail", "-i", "bob@example.net"],
            &format!("Subject: crash {i}\n\nbody {i}\n"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Kill the worker KILLS times while it delivers: each time after the server has taken
    // 5 to 19 messages more from this run (a fixed pseudo-random sequence), so that the kill
    // finds outcomes that a batched write would still hold back.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let start = Instant::now();
    for kill in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let before = smtpd.received().len();
        let target = before + 5 + (seed % 15) as usize;
        assert!(target < MESSAGES, "drained before kill {kill}: queue more");
        // Killed when dropped: also when the test fails.
        let mut child = support::Killed(
            op.command(&["run", "--until-empty"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        while smtpd.received().len() < target {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the worker stopped delivering"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            child.0.try_wait().unwrap().is_none(),
            "the worker ended before the kill"
        );
        drop(child); // SIGKILL
    }
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    let (_, list) = op.json(&["queue", "list"], "");
    let messages = list["messages"].as_array().unwrap();
    assert_eq!(messages.len(), MESSAGES, "none lost from the queue");
    for m in messages {
        assert_eq!(m["state"], "sent", "{m}");
    }
    let mut arrived: HashMap<String, usize> = HashMap::new();
    for r in smtpd.received() {
        let text = String::from_utf8_lossy(&r).into_owned();
        if let Some(subject) = text.lines().find(|l| l.starts_with("Subject: crash ")) {
            *arrived.entry(subject.to_string()).or_default() += 1;
        }
    }
    assert_eq!(
        arrived.len(),
        MESSAGES,
        "every message arrived at least once"
    );
    let twice: usize = arrived.values().map(|n| n - 1).sum();
    let allowed = KILLS * LANES_PER_ACCOUNT;
    eprintln!(
        "{KILLS} kills -9 while draining {MESSAGES} messages: {twice} delivered twice (at most \
         {allowed}: one in flight per lane and kill). A power cut would repeat at most what \
         was not yet on disk: {BATCH} outcomes per lane."
    );
    assert!(
        twice <= allowed,
        "{twice} messages were delivered twice after {KILLS} kills; at most {allowed} may be"
    );
}

#[test]
fn sigkill_while_texts_are_let_go_loses_nothing_else() {
    use outpost::message::Composed;
    use outpost::outbox::{Outbox, OutboxError};
    const SENT: usize = 400;
    let home = tempfile::tempdir().unwrap();
    let file = outpost::paths::Paths::under(home.path()).outbox_file();
    let waiting;
    {
        let mut q = Outbox::open(&file).unwrap();
        support::sent_messages(&mut q, SENT, 100_000);
        let c = Composed {
            message_id: "<waits@example.org>".into(),
            envelope_from: "ann@example.org".into(),
            recipients: vec!["bob@example.net".into()],
            bytes: b"Subject: waits\r\n\r\nstill here\r\n".to_vec(),
            files: vec![],
        };
        waiting = q.enqueue("acc", &c, "bob", "waits").unwrap();
    }
    let check = |q: &Outbox| {
        let ok: String = q.integrity_check().unwrap();
        assert_eq!(ok, "ok");
        let list = q.list().unwrap();
        assert_eq!(list.len(), SENT + 1, "every message stays");
        let (bytes, _) = q.content(waiting).unwrap();
        assert!(
            bytes.ends_with(b"still here\r\n"),
            "the waiting one keeps its text"
        );
        for m in list.iter().filter(|m| m.id != waiting) {
            match q.content(m.id) {
                Ok((bytes, _)) => assert!(bytes.len() > 100_000),
                Err(OutboxError::BodyGone(_)) => assert!(!m.kept),
                Err(e) => panic!("message {}: {e}", m.id),
            }
            assert!(!q.get(m.id).unwrap().1.is_empty(), "its history stays");
        }
        list.iter().filter(|m| !m.kept).count()
    };
    let mut gone = 0;
    // From before the prune begins to after it ended, a kill every few milliseconds.
    for delay_ms in (4..=40).step_by(3) {
        let mut prune = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
            .args(["queue", "prune", "--older-than", "0"])
            .env("OUTPOST_HOME", home.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        prune.kill().unwrap();
        prune.wait().unwrap();
        let now_gone = check(&Outbox::open(&file).unwrap());
        assert!(now_gone >= gone, "what was let go stays let go");
        eprintln!("killed after {delay_ms} ms: {now_gone} of {SENT} texts let go");
        gone = now_gone;
    }
    // Whatever the kills interrupted, the next prune finishes it and the file shrinks.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"))
        .args(["--json", "queue", "prune", "--older-than", "0"])
        .env("OUTPOST_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let q = Outbox::open(&file).unwrap();
    assert_eq!(check(&q), SENT);
    let space = q.space().unwrap();
    assert!(space.file_bytes < 5_000_000, "{space:?}");
    eprintln!("killed with {gone} of {SENT} texts let go; then {space:?}");
}
