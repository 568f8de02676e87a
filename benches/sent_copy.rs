//! What filing copies in the Sent folder costs, against real servers: Debian's Postfix
//! (submission, SASL; every message discarded) and Dovecot (IMAP over TLS), the tests' own
//! `support::postfix` and `support::dovecot`, on loopback.
//!
//! Two Outpost homes with the same account, one filing copies and one not ("off", the
//! baseline), each drain [`BATCH`] queued messages with `outpost run --until-empty`; the sides
//! alternate over three rounds (the first side changes every round) and medians are
//! reported:
//!
//! - **the sending**: from the drain's start until the last message was accepted (its `sent`
//!   entry in the history, written on the server's 250): the goal is that copies do not
//!   delay it;
//! - **the copy's added time**: per message, from its acceptance to its `filed` entry (the
//!   server's answer to APPEND), median and 95th percentile;
//! - **the whole drain**: until `outpost run --until-empty` ends (with copies, when the last
//!   one is filed).
//!
//! Needs root (Postfix's master runs as root), postfix, sasl2-bin and dovecot-imapd
//! (`./scripts/test` installs them). Run with `cargo bench --bench sent_copy`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, ImapUser};
use support::postfix::Postfix;
use support::{MailLab, Outpost, PASSWORD, USER};

const ROUNDS: usize = 3;
/// Messages per drain.
const BATCH: usize = 50;

struct Drain {
    /// Drain start → the last acceptance.
    sending: Duration,
    /// Drain start → `run --until-empty` ended.
    whole: Duration,
    /// Per message: acceptance → filed.
    added: Vec<Duration>,
}

fn main() {
    let lab = MailLab::start();
    let dovecot = Dovecot::start(
        &lab.cert,
        &[ImapUser {
            login: USER,
            password: PASSWORD,
            quota_kb: None,
            sent_folder: true,
        }],
    );
    let postfix = Postfix::start(&lab.cert, &[(USER, PASSWORD)], &[(USER, USER)]);
    let port = dovecot.port.to_string();
    let imap = [
        "--imap-host",
        "mail.example.test",
        "--imap-port",
        &port,
        "--imap-security",
        "tls",
    ];
    let with = Outpost::new(&lab.dns, &lab.ca);
    with.add_starttls(postfix.port, PASSWORD, &imap);
    let without = Outpost::new(&lab.dns, &lab.ca);
    let mut off = imap.to_vec();
    off.push("--no-sent-copy");
    without.add_starttls(postfix.port, PASSWORD, &off);

    let (mut on_runs, mut off_runs) = (vec![], vec![]);
    for round in 0..ROUNDS {
        let copies_first = round % 2 == 1;
        for side in 0..2 {
            if (side == 0) == copies_first {
                on_runs.push(drain(&with, true));
            } else {
                off_runs.push(drain(&without, false));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let med = |runs: &[Drain], f: fn(&Drain) -> Duration| {
        let mut v: Vec<Duration> = runs.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    let each = |runs: &[Drain], f: fn(&Drain) -> Duration| {
        runs.iter()
            .map(|r| format!("{:.0}", ms(f(r))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut added: Vec<Duration> = on_runs.iter().flat_map(|r| r.added.clone()).collect();
    added.sort();
    println!(
        "Postfix submission + Dovecot IMAP (TLS) on loopback, {BATCH} messages per drain, \
         {ROUNDS} rounds, sides alternating"
    );
    println!(
        "  sending (drain start → last accepted): copies on {:.0} ms (runs: {}), off {:.0} ms \
         (runs: {}); on / off = {:.2} (goal ≤ 1.1: copies do not delay sending)",
        ms(med(&on_runs, |r| r.sending)),
        each(&on_runs, |r| r.sending),
        ms(med(&off_runs, |r| r.sending)),
        each(&off_runs, |r| r.sending),
        med(&on_runs, |r| r.sending).as_secs_f64() / med(&off_runs, |r| r.sending).as_secs_f64()
    );
    println!(
        "  copy's added time (accepted → filed), {} copies: median {:.0} ms, p95 {:.0} ms",
        added.len(),
        ms(added[added.len() / 2]),
        ms(support::percentile(&added, 0.95))
    );
    println!(
        "  whole drain (until run --until-empty ends): copies on {:.0} ms, off {:.0} ms",
        ms(med(&on_runs, |r| r.whole)),
        ms(med(&off_runs, |r| r.whole)),
    );
    for op in [&with, &without] {
        let out = op.run(&["account", "remove", USER, "--cancel-waiting"], "");
        assert!(out.status.success());
    }
}

/// Queues [`BATCH`] messages, drains them, and reads the times off their histories.
fn drain(op: &Outpost, copies: bool) -> Drain {
    let ids: Vec<i64> = (0..BATCH)
        .map(|i| {
            op.send(&[
                "--to",
                "bob@example.net",
                "--subject",
                &format!("m{i}"),
                "--body",
                "hi",
            ])
        })
        .collect();
    let began = support::now_ms();
    let start = Instant::now();
    let out = op.run(&["run", "--until-empty"], "");
    let whole = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut last_sent = 0;
    let mut added = vec![];
    for id in ids {
        let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
        assert_eq!(code, 0, "{v}");
        let at = |kind: &str| {
            v["history"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["kind"] == kind)
                .and_then(|e| e["at"].as_i64())
        };
        let sent = at("sent").unwrap_or_else(|| panic!("not sent: {v}"));
        last_sent = last_sent.max(sent);
        if copies {
            let filed = at("filed").unwrap_or_else(|| panic!("not filed: {v}"));
            added.push(Duration::from_millis((filed - sent).max(0) as u64));
        }
    }
    Drain {
        sending: Duration::from_millis((last_sent - began).max(0) as u64),
        whole,
        added,
    }
}
