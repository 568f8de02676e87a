//! Outbox throughput: drain N queued 2 KiB messages into Postfix's `smtp-sink` on loopback,
//! and in the same run let Postfix's `smtp-source` send as many of the same size at the same
//! concurrency over reused connections (the ceiling on this machine). Also reports the
//! latency of a power-safe enqueue (SQLite, WAL, synchronous=FULL).
//! Run with `cargo bench --bench outbox` (as root, or with smtp-sink allowed to bind).

#[path = "../tests/support/mod.rs"]
mod support;

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

fn main() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let sink = support::SmtpSink::start(&[]);
    let port = sink.port;
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
    enqueue.sort();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _lock = worker::lock(&paths).unwrap();
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
    let outpost_time = start.elapsed();
    assert_eq!(sent, MESSAGES, "every message sent");

    let start = Instant::now();
    let status = Command::new("smtp-source")
        .args([
            "-d",
            "-s",
            &CONCURRENCY.to_string(),
            "-m",
            &MESSAGES.to_string(),
        ])
        .args([
            "-l",
            &SIZE.to_string(),
            "-f",
            "bench@example.org",
            "-t",
            "sink@example.net",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .status()
        .expect("smtp-source runs");
    let source_time = start.elapsed();
    assert!(status.success());

    let rate = |t: Duration| MESSAGES as f64 / t.as_secs_f64();
    println!(
        "{MESSAGES} messages of {SIZE} bytes into smtp-sink on loopback, {CONCURRENCY} connections, reused"
    );
    println!(
        "  outpost (queue → worker):  {:>8.0} msg/s  ({:.2} s)",
        rate(outpost_time),
        outpost_time.as_secs_f64()
    );
    println!(
        "  smtp-source (ceiling):     {:>8.0} msg/s  ({:.2} s)",
        rate(source_time),
        source_time.as_secs_f64()
    );
    println!(
        "  outpost / smtp-source:     {:>8.0} %",
        100.0 * rate(outpost_time) / rate(source_time)
    );
    println!(
        "  enqueue with fsync: p50 {:.2} ms, p99 {:.2} ms",
        support::percentile(&enqueue, 0.5).as_secs_f64() * 1000.0,
        support::percentile(&enqueue, 0.99).as_secs_f64() * 1000.0
    );
}
