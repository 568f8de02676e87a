//! Outbox throughput, compared fairly with Postfix's `smtp-source` into the same `smtp-sink`
//! on loopback (2 KiB messages, the same concurrency, connections reused: the ceiling on
//! this machine).
//!
//! Each side runs alone: Outpost's side is this executable started again as a child process
//! (queue filled, then drained by the worker, then the process ends), so while the baseline
//! runs nothing of Outpost's is alive. The sides alternate over [`ROUNDS`] rounds (the first
//! side changes every round) and the medians are reported. Enqueue (power-safe: SQLite WAL,
//! `synchronous=FULL`, one transaction per message) is reported on its own, with the file
//! system the queue is on (statfs); the queue never lives on tmpfs.
//!
//! Run with `cargo bench --bench outbox` (as root, or with smtp-sink allowed to bind).

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use outpost::account::Security;
use outpost::message::{self, Draft};
use outpost::net::{Net, NetConfig};
use outpost::outbox::Outbox;
use outpost::outbox::worker::{self, Worker};
use outpost::paths::Paths;

const MESSAGES: usize = 10_000;
const SIZE: usize = 2048;
const CONCURRENCY: usize = worker::LANES_PER_ACCOUNT;
const ROUNDS: usize = 3;
/// Set in the child that runs Outpost's side: the sink's port.
const CHILD: &str = "OUTPOST_BENCH_OUTBOX_PORT";

fn main() {
    if let Ok(port) = std::env::var(CHILD) {
        outpost_side(port.parse().expect("a port"));
        return;
    }
    let work = queue_dir();
    let fs = file_system(&work);
    assert_ne!(fs, "tmpfs", "the queue must be on a disk, not on tmpfs");
    let sink = support::SmtpSink::start(&[]);
    let (mut drain, mut ceiling, mut enqueue) = (vec![], vec![], vec![]);
    for round in 0..ROUNDS {
        let outpost_first = round % 2 == 1;
        for side in 0..2 {
            if (side == 0) == outpost_first {
                let run = run_outpost(&work, sink.port);
                drain.push(run.drain);
                enqueue.push(run.enqueue);
            } else {
                ceiling.push(run_smtp_source(sink.port));
            }
        }
    }
    let rate = |t: Duration| MESSAGES as f64 / t.as_secs_f64();
    let runs = |ts: &[Duration]| {
        ts.iter()
            .map(|t| format!("{:.0}", rate(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (outpost, source) = (median(&drain), median(&ceiling));
    println!(
        "{MESSAGES} messages of {SIZE} bytes into smtp-sink on loopback, {CONCURRENCY} \
         connections, reused; {ROUNDS} rounds, sides alternating, each alone"
    );
    println!(
        "  outpost drain (queue → worker): median {:>6.0} msg/s  (runs: {})",
        rate(outpost),
        runs(&drain)
    );
    println!(
        "  smtp-source (ceiling):          median {:>6.0} msg/s  (runs: {})",
        rate(source),
        runs(&ceiling)
    );
    println!(
        "  outpost / smtp-source:          {:.2}",
        rate(outpost) / rate(source)
    );
    let p50: Vec<Duration> = enqueue.iter().map(|e| e.p50).collect();
    let p99: Vec<Duration> = enqueue.iter().map(|e| e.p99).collect();
    let total: Vec<Duration> = enqueue.iter().map(|e| e.total).collect();
    println!(
        "  enqueue on {fs} ({}): p50 {:.2} ms, p99 {:.2} ms, {:.0} msg/s (medians of {ROUNDS})",
        work.display(),
        median(&p50).as_secs_f64() * 1000.0,
        median(&p99).as_secs_f64() * 1000.0,
        rate(median(&total))
    );
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// Where the queue lives: the target folder's scratch space (a disk), not /tmp.
fn queue_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-outbox");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The type of the file system `dir` is on, as statfs(2) reports it (through `stat -f`).
fn file_system(dir: &Path) -> String {
    let out = Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(dir)
        .output()
        .expect("stat runs");
    assert!(out.status.success(), "stat -f {} failed", dir.display());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Enqueue figures of one run.
struct Enqueue {
    p50: Duration,
    p99: Duration,
    total: Duration,
}

/// One run of Outpost's side, in a process of its own.
struct OutpostRun {
    drain: Duration,
    enqueue: Enqueue,
}

fn run_outpost(work: &Path, port: u16) -> OutpostRun {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, port.to_string())
        .env("TMPDIR", work)
        .output()
        .expect("the bench starts again as Outpost's side");
    assert!(
        out.status.success(),
        "Outpost's side failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    let nanos: Vec<u64> = line
        .split_whitespace()
        .map(|n| n.parse().expect("nanoseconds"))
        .collect();
    let [drain, p50, p99, total] = nanos[..] else {
        panic!("Outpost's side said {line:?}");
    };
    OutpostRun {
        drain: Duration::from_nanos(drain),
        enqueue: Enqueue {
            p50: Duration::from_nanos(p50),
            p99: Duration::from_nanos(p99),
            total: Duration::from_nanos(total),
        },
    }
}

fn run_smtp_source(port: u16) -> Duration {
    let start = Instant::now();
    let status = Command::new("smtp-source")
        .args(["-d", "-s", &CONCURRENCY.to_string()])
        .args(["-m", &MESSAGES.to_string(), "-l", &SIZE.to_string()])
        .args(["-f", "bench@example.org", "-t", "sink@example.net"])
        .arg(format!("127.0.0.1:{port}"))
        .status()
        .expect("smtp-source runs");
    let elapsed = start.elapsed();
    assert!(status.success());
    elapsed
}

/// Outpost's side (in the child): fills a new queue, drains it into the sink, prints the
/// drain time, the enqueue p50 and p99 and the enqueue total, in nanoseconds.
fn outpost_side(port: u16) {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let account = support::account_without_login(
        &paths,
        "bench@example.org",
        "127.0.0.1",
        port,
        Security::None,
    );
    let body = "x".repeat(SIZE - 2) + "\n";
    let mut outbox = Outbox::open(&paths.outbox_file()).unwrap();
    let from = message::parse_address("From", &account.email).unwrap();
    let mut enqueue = Vec::with_capacity(MESSAGES);
    for i in 0..MESSAGES {
        let draft = Draft {
            from: account.email.clone(),
            to: vec!["sink@example.net".into()],
            subject: format!("bench {i}"),
            body: body.clone(),
            ..Default::default()
        };
        let composed =
            message::compose(&draft, SystemTime::now(), &message::new_message_id(&from)).unwrap();
        let start = Instant::now();
        outbox
            .enqueue(
                account.id.as_str(),
                &composed,
                "sink@example.net",
                &draft.subject,
            )
            .unwrap();
        enqueue.push(start.elapsed());
    }
    drop(outbox);
    let total: Duration = enqueue.iter().sum();
    enqueue.sort();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _lock = worker::lock(&paths, worker::Role::Run).unwrap();
    let net = rt
        .block_on(async { Net::new(&NetConfig::default()) })
        .unwrap();
    let worker = Worker::new(net, paths.clone());
    let start = Instant::now();
    let mut sent = 0usize;
    rt.block_on(worker.run_until_empty(|e| {
        if matches!(e, worker::WorkerEvent::Sent { .. }) {
            sent += 1;
        }
    }))
    .unwrap();
    let drain = start.elapsed();
    assert_eq!(sent, MESSAGES, "every message sent");
    println!(
        "{} {} {} {}",
        drain.as_nanos(),
        support::percentile(&enqueue, 0.5).as_nanos(),
        support::percentile(&enqueue, 0.99).as_nanos(),
        total.as_nanos()
    );
}
