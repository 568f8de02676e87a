//! Crash safety: `outpost run` killed with SIGKILL at many moments while it drains the queue,
//! then restarted, until the queue is empty. Every message must arrive at least once, none
//! may be lost, and the queue must end with every message sent.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use support::{DnsServer, Outpost, Smtpd, TestCa};

const MESSAGES: usize = 30;

#[test]
fn sigkill_at_any_moment_loses_no_message() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    // A slow answer to the final "." keeps each delivery in flight long enough to be
    // interrupted, also in the moment when the message is sent but not yet acknowledged.
    let smtpd = Smtpd::start_with("plain", None, &["--data-delay", "0.04"]);
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
    // Kill the worker after varied delays (a fixed pseudo-random sequence), many times.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut kills = 0;
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "draining took too long"
        );
        let mut child = op
            .command(&["run", "--until-empty"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(20 + seed % 250);
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(status) => {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
                assert!(status.success(), "{err}");
                break;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    eprintln!("the worker was killed {kills} times while draining");
    assert!(
        kills >= 3,
        "the worker was killed only {kills} times: make the test slower"
    );
    let (_, list) = op.json(&["queue", "list"], "");
    let messages = list["messages"].as_array().unwrap();
    assert_eq!(messages.len(), MESSAGES, "none lost from the queue");
    for m in messages {
        assert_eq!(m["state"], "sent", "{m}");
    }
    let subjects: HashSet<String> = smtpd
        .received()
        .iter()
        .filter_map(|r| {
            String::from_utf8_lossy(r)
                .lines()
                .find(|l| l.starts_with("Subject: crash "))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(
        subjects.len(),
        MESSAGES,
        "every message arrived at least once"
    );
}
