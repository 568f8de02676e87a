//! Send latency against a real submission server, Outpost side by side with msmtp.
//!
//! The bench starts Debian's Postfix (STARTTLS, Cyrus SASL login, every accepted message
//! discarded; the tests' own `support::postfix`) on loopback, then compares:
//!
//! - **one message**: from the start of `outpost send` (the worker, `outpost run`, already
//!   running and idle) until Postfix has accepted the message, against `msmtp` sending the same
//!   message to the same server with the same login;
//! - **200 messages**: 200 queued messages drained by `outpost run --until-empty`, against 200
//!   `msmtp` runs one after the other;
//! - **cold start**: `outpost send` with no sender running, so that it starts the background
//!   sender (`outpost run --background`, which sends and ends), until Postfix has accepted the
//!   message, against `msmtp`, which always starts cold;
//! - **the idle background sender**: with one message due in an hour, its wake-ups (context
//!   switches of all its threads, read from `/proc`) over a minute, given per hour, and its
//!   resident memory (`VmRSS`, and the peak `VmHWM` after it sent).
//!
//! "Accepted" is read the same way for both: Postfix's queue manager logging the message
//! (`<queue id>: from=<…>`, after the 250 reply), its queue id found through the Message-ID
//! the cleanup daemon logged. The sides alternate over three rounds (the first side changes
//! every round); medians are reported. Needs root (Postfix's master runs as root), postfix,
//! sasl2-bin and msmtp (`./scripts/test` installs them).
//!
//! Run with `cargo bench --bench send`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::postfix::Postfix;
use support::{DnsServer, Outpost, PASSWORD, TestCa, USER};

const ROUNDS: usize = 3;
/// Single messages per side and round.
const SINGLES: usize = 10;
/// Messages of the bulk comparison.
const BULK: usize = 200;
const TO: &str = "bob@example.net";

fn main() {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let postfix = Postfix::start(&cert, &[(USER, PASSWORD)], &[(USER, USER)]);
    let mut log = MailLog::new(postfix.dir.path().join("maillog"));
    let op = Outpost::new(&dns, &ca);
    op.add_starttls(postfix.port, PASSWORD, &[]);
    let msmtp = Msmtp::new(postfix.port, &ca.ca_pem);

    let (mut outpost_one, mut msmtp_one) = (vec![], vec![]);
    let (mut outpost_bulk, mut msmtp_bulk) = (vec![], vec![]);
    let mut worker = Worker::start(&op, &mut log);
    for round in 0..ROUNDS {
        let outpost_first = round % 2 == 0;
        for side in 0..2 {
            if (side == 0) == outpost_first {
                for _ in 0..SINGLES {
                    outpost_one.push(outpost_send(&op, &mut log));
                    settle();
                }
            } else {
                for i in 0..SINGLES {
                    msmtp_one.push(msmtp.send(&format!("one-{round}-{i}"), &mut log));
                    settle();
                }
            }
        }
    }
    worker.stop();
    for round in 0..ROUNDS {
        let outpost_first = round % 2 == 1;
        for side in 0..2 {
            if (side == 0) == outpost_first {
                outpost_bulk.push(outpost_drain(&op, &mut log));
            } else {
                log.skip_to_end();
                let start = Instant::now();
                for i in 0..BULK {
                    msmtp.run(&format!("bulk-{round}-{i}"));
                }
                log.wait_accepted_count(BULK);
                msmtp_bulk.push(start.elapsed());
            }
            settle();
        }
    }
    let (mut outpost_cold, mut msmtp_cold) = (vec![], vec![]);
    for round in 0..ROUNDS {
        let outpost_first = round % 2 == 0;
        for side in 0..2 {
            for i in 0..SINGLES {
                if (side == 0) == outpost_first {
                    outpost_cold.push(outpost_cold_send(&op, &mut log));
                } else {
                    msmtp_cold.push(msmtp.send(&format!("cold-{round}-{i}"), &mut log));
                }
                settle();
            }
        }
    }
    let idle = idle_sender(&op);
    // The password goes from the session keyring with the account.
    let out = op.run(&["account", "remove", USER, "--cancel-waiting"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    println!(
        "Postfix submission on loopback (STARTTLS, SASL PLAIN), {ROUNDS} rounds, sides alternating"
    );
    singles(
        "one message, send → accepted",
        &outpost_one,
        &msmtp_one,
        " (target ≤ 1.2)",
    );
    let rate = |d: Duration| BULK as f64 / d.as_secs_f64();
    let (o, m) = (median(&outpost_bulk), median(&msmtp_bulk));
    let runs = |ts: &[Duration]| {
        ts.iter()
            .map(|t| format!("{:.1}", rate(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  {BULK} messages: outpost drain {:.1} msg/s (runs: {}), {BULK} msmtp runs {:.1} msg/s \
         (runs: {}); outpost / msmtp = {:.1} (target ≥ 10)",
        rate(o),
        runs(&outpost_bulk),
        rate(m),
        runs(&msmtp_bulk),
        rate(o) / rate(m)
    );
    singles(
        "cold start, no sender running, send → accepted",
        &outpost_cold,
        &msmtp_cold,
        "",
    );
    println!(
        "  idle background sender (next message due in 1 h): {:.0} wake-ups per hour \
         (goal 0), RSS {:.1} MiB idle, peak {:.1} MiB (goal ≤ 20 MiB)",
        idle.wakeups_per_hour, idle.rss_mib, idle.peak_mib
    );
}

/// One comparison of single messages: the medians, their ratio, and each round's medians.
fn singles(what: &str, outpost: &[Duration], msmtp: &[Duration], target: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (o, m) = (median(outpost), median(msmtp));
    println!(
        "  {what}: outpost {:.1} ms, msmtp {:.1} ms (medians of {} each); outpost / msmtp = \
         {:.2}{target}",
        ms(o),
        ms(m),
        SINGLES * ROUNDS,
        o.as_secs_f64() / m.as_secs_f64()
    );
    for (name, runs) in [("outpost", outpost), ("msmtp", msmtp)] {
        let per_round: Vec<String> = runs
            .chunks(SINGLES)
            .map(|c| format!("{:.1}", ms(median(c))))
            .collect();
        println!("    {name} per round (ms): {}", per_round.join(", "));
    }
}

/// `outpost send` with no sender running: it starts the background sender; timed until
/// Postfix has accepted the message. Returns once that sender has ended again.
fn outpost_cold_send(op: &Outpost, log: &mut MailLog) -> Duration {
    let start = Instant::now();
    let v = queue(op, &["--subject", "cold", "--body", "hi"], true);
    assert_eq!(v["sender"]["started"], true, "{v}");
    log.wait_accepted(v["message_id"].as_str().unwrap());
    let took = start.elapsed();
    let sender = support::KillPid(v["sender"]["pid"].as_u64().unwrap() as u32);
    assert!(
        sender.ends_within(Duration::from_secs(10)),
        "the sender ends"
    );
    took
}

/// What the idle background sender costs.
struct Idle {
    wakeups_per_hour: f64,
    rss_mib: f64,
    peak_mib: f64,
}

/// Context switches of every thread of process `pid` so far.
fn switches(pid: u32) -> u64 {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).unwrap();
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// A `/proc/pid/status` figure in kB, as MiB.
fn status_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb / 1024.0
}

/// The background sender with a message due in an hour (after it sent one now): its
/// wake-ups over a minute, and its memory.
fn idle_sender(op: &Outpost) -> Idle {
    let v = queue(op, &["--body", "later", "--delay", "3600"], true);
    let pid = v["sender"]["pid"].as_u64().expect("a sender started") as u32;
    let sender = support::KillPid(pid);
    // One message now, through the same sender, so that it has sent before it idles.
    queue_one(op, "before idling");
    // The blocking threads it used end after 10 s idle: then it sleeps for good.
    std::thread::sleep(Duration::from_secs(15));
    let (before, began) = (switches(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(60));
    let woke = switches(pid) - before;
    let idle = Idle {
        wakeups_per_hour: woke as f64 * 3600.0 / began.elapsed().as_secs_f64(),
        rss_mib: status_mib(pid, "VmRSS:"),
        peak_mib: status_mib(pid, "VmHWM:"),
    };
    assert!(sender.alive(), "it waits for the later message");
    let cancel = op.run(&["queue", "cancel", &v["id"].to_string()], "");
    assert!(cancel.status.success());
    assert!(
        sender.ends_within(Duration::from_secs(10)),
        "nothing waits: it ends"
    );
    idle
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// A pause between runs, so that each starts with the worker idle and the server quiet.
fn settle() {
    std::thread::sleep(Duration::from_millis(100));
}

/// `outpost send --json` of one message to [`TO`] with `args`; with `background`, queueing
/// may start the background sender (the bench's Outpost has it off). Its answer.
fn queue(op: &Outpost, args: &[&str], background: bool) -> serde_json::Value {
    let mut all = vec!["--json", "send", "--from", USER, "--to", TO];
    all.extend_from_slice(args);
    let mut cmd = op.command(&all);
    if background {
        cmd.env_remove("OUTPOST_BACKGROUND");
    }
    let out = support::run_with_stdin(cmd, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `outpost send` of one message to [`TO`]; returns its Message-ID.
fn queue_one(op: &Outpost, subject: &str) -> String {
    let v = queue(op, &["--subject", subject, "--body", "hi"], false);
    v["message_id"].as_str().expect("a Message-ID").to_string()
}

/// `outpost send`, timed until Postfix has accepted the message.
fn outpost_send(op: &Outpost, log: &mut MailLog) -> Duration {
    let start = Instant::now();
    let id = queue_one(op, "bench");
    log.wait_accepted(&id);
    start.elapsed()
}

/// `BULK` messages queued with no worker running, then `outpost run --until-empty`, timed
/// from its start until Postfix has accepted all of them.
fn outpost_drain(op: &Outpost, log: &mut MailLog) -> Duration {
    for _ in 0..BULK {
        queue_one(op, "bulk");
    }
    log.skip_to_end();
    let start = Instant::now();
    let out = op.run(&["run", "--until-empty"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    log.wait_accepted_count(BULK);
    start.elapsed()
}

/// `outpost run` in the background, idle between messages.
struct Worker(std::process::Child);

impl Worker {
    fn start(op: &Outpost, log: &mut MailLog) -> Self {
        let mut child = op
            .command(&["run"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // It says so once it holds the worker lock; what it says afterwards is read away.
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(line.contains("Sending"), "the worker said {line:?}");
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        // One message through it, so that it is listening for wake-ups and warmed up.
        outpost_send(op, log);
        Self(child)
    }

    fn stop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// msmtp with an account for the same server and login.
struct Msmtp {
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Msmtp {
    fn new(port: u16, ca: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("msmtprc");
        let text = format!(
            "account bench\nhost 127.0.0.1\nport {port}\nfrom {USER}\nauth plain\nuser {USER}\n\
             password {PASSWORD}\ntls on\ntls_starttls on\ntls_trust_file {}\n\
             tls_host_override mail.example.test\nlogfile\naccount default : bench\n",
            ca.display()
        );
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            // msmtp refuses a configuration with a password that others can read.
            .mode(0o600)
            .open(&config)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
        Self { config, _dir: dir }
    }

    /// Sends a message with Message-ID `<tag@bench.example.test>`; returns that Message-ID.
    fn run(&self, tag: &str) -> String {
        let id = format!("<{tag}@bench.example.test>");
        let message =
            format!("From: {USER}\r\nTo: {TO}\r\nSubject: bench\r\nMessage-ID: {id}\r\n\r\nhi\r\n");
        let mut child = Command::new("msmtp")
            .arg("-C")
            .arg(&self.config)
            .arg(TO)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("msmtp runs (./scripts/test installs it)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(message.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "msmtp: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        id
    }

    /// One msmtp run, timed until Postfix has accepted the message.
    fn send(&self, tag: &str, log: &mut MailLog) -> Duration {
        let start = Instant::now();
        let id = self.run(tag);
        log.wait_accepted(&id);
        start.elapsed()
    }
}

/// Postfix's log, read as it grows.
struct MailLog {
    path: PathBuf,
    offset: usize,
    /// Message-ID (without brackets) → queue id, from the cleanup daemon's lines.
    queue_ids: HashMap<String, String>,
    /// Queue ids the queue manager has taken (accepted by the server).
    accepted: Vec<String>,
}

impl MailLog {
    fn new(path: PathBuf) -> Self {
        let mut log = Self {
            path,
            offset: 0,
            queue_ids: HashMap::new(),
            accepted: vec![],
        };
        log.read();
        log
    }

    /// Reads the complete lines written since the last read.
    fn read(&mut self) {
        let mut text = Vec::new();
        let mut file = std::fs::File::open(&self.path).expect("Postfix's log is readable");
        file.seek(SeekFrom::Start(self.offset as u64)).unwrap();
        file.read_to_end(&mut text).unwrap();
        let Some(end) = text.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let new = String::from_utf8_lossy(&text[..=end]).into_owned();
        self.offset += end + 1;
        for line in new.lines() {
            let Some((_, rest)) = line.split_once("]: ") else {
                continue;
            };
            let Some((queue_id, what)) = rest.split_once(": ") else {
                continue;
            };
            if let Some(id) = what.strip_prefix("message-id=") {
                let id = id.trim_start_matches('<').trim_end_matches('>');
                self.queue_ids.insert(id.to_string(), queue_id.to_string());
            } else if what.starts_with("from=<") && line.contains("postfix/qmgr") {
                self.accepted.push(queue_id.to_string());
            }
        }
    }

    /// Forgets what was accepted so far.
    fn skip_to_end(&mut self) {
        self.read();
        self.accepted.clear();
    }

    /// Waits until the message with this Message-ID has been accepted.
    fn wait_accepted(&mut self, message_id: &str) {
        let id = message_id.trim_start_matches('<').trim_end_matches('>');
        let start = Instant::now();
        loop {
            self.read();
            if let Some(queue_id) = self.queue_ids.get(id)
                && self.accepted.contains(queue_id)
            {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "Postfix did not accept {id}"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Waits until `n` messages have been accepted since [`Self::skip_to_end`], then forgets
    /// them.
    fn wait_accepted_count(&mut self, n: usize) {
        let start = Instant::now();
        loop {
            self.read();
            if self.accepted.len() >= n {
                self.accepted.clear();
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "Postfix accepted {} of {n}",
                self.accepted.len()
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}
