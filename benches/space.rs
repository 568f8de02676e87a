//! The outbox stays small: 1,000 sent messages of 1 MB each and 50 waiting ones, then the
//! sent ones' texts let go. Outpost's way (`Outbox::prune_bodies`: bodies deleted in
//! batches; then `Outbox::reclaim`, timed apart) against the smallest the file can be (one
//! delete, then SQLite's full `VACUUM`). Each side fills its own outbox; the sides alternate
//! over three rounds; medians are reported.
//!
//! The file's size counts the database and its write-ahead log, as the disk holds them.
//! "Live data" is what stays: the waiting messages' texts.
//!
//! Run with `cargo bench --bench space`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use outpost::clock::now_ms;
use outpost::message::Composed;
use outpost::outbox::Outbox;

const SENT: usize = 1000;
const WAITING: usize = 50;
const SIZE: usize = 1_000_000;
const ROUNDS: usize = 3;

struct Run {
    took: Duration,
    file: u64,
    live: u64,
}

fn main() {
    let (mut ours, mut full) = (vec![], vec![]);
    for round in 0..ROUNDS {
        for side in 0..2 {
            if (side == 0) == (round % 2 == 0) {
                ours.push(run(|_, mut q| {
                    let began = Instant::now();
                    q.prune_bodies(now_ms() + 1).unwrap();
                    let pruned = began.elapsed();
                    q.reclaim().unwrap();
                    println!(
                        "    outpost: prune {pruned:.1?}, reclaim {:.1?}",
                        began.elapsed() - pruned
                    );
                }));
            } else {
                full.push(run(|path, q| {
                    drop(q);
                    let conn = rusqlite::Connection::open(path).unwrap();
                    conn.execute(
                        "DELETE FROM bodies WHERE message IN
                         (SELECT id FROM messages WHERE state = 'sent')",
                        [],
                    )
                    .unwrap();
                    conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                        .unwrap();
                }));
            }
        }
    }
    let mb = |b: u64| b as f64 / 1e6;
    let report = |name: &str, runs: &[Run]| {
        let mut took: Vec<Duration> = runs.iter().map(|r| r.took).collect();
        took.sort();
        let mut files: Vec<u64> = runs.iter().map(|r| r.file).collect();
        files.sort();
        let (file, live) = (files[files.len() / 2], runs[0].live);
        println!(
            "  {name}: {:.0} ms (runs {}), file after {:.1} MB for {:.1} MB of live data \
             ({:+.1} %)",
            took[took.len() / 2].as_secs_f64() * 1000.0,
            runs.iter()
                .map(|r| format!("{:.0}", r.took.as_secs_f64() * 1000.0))
                .collect::<Vec<_>>()
                .join(", "),
            mb(file),
            mb(live),
            (file as f64 / live as f64 - 1.0) * 100.0
        );
    };
    println!(
        "Letting go of {SENT} sent texts of {} MB with {WAITING} waiting, {ROUNDS} rounds, \
         sides alternating",
        SIZE / 1_000_000
    );
    report("outpost (prune in batches, reclaim)", &ours);
    report("baseline (one delete, full VACUUM)", &full);
}

/// Fills an outbox of its own, lets `prune` let go of the sent texts, and measures.
fn run(prune: impl FnOnce(&Path, Outbox)) -> Run {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = dir.path().join("outbox.sqlite");
    let mut q = Outbox::open(&path).unwrap();
    support::sent_messages(&mut q, SENT, SIZE);
    let body = vec![b'x'; SIZE];
    for n in 0..WAITING {
        let mut bytes = format!("Subject: waits {n}\r\n\r\n").into_bytes();
        bytes.extend_from_slice(&body);
        let c = Composed {
            message_id: format!("<waits-{n}@bench.example>"),
            envelope_from: "ann@example.org".into(),
            recipients: vec!["bob@example.net".into()],
            bytes,
            files: vec![],
        };
        q.enqueue("acc", &c, "bob", "bench").unwrap();
    }
    let began = Instant::now();
    prune(&path, q);
    let took = began.elapsed();
    let live = Outbox::open(&path).unwrap().space().unwrap().body_bytes;
    let size = |suffix: &str| {
        std::fs::metadata(format!("{}{suffix}", path.display()))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    Run {
        took,
        file: size("") + size("-wal"),
        live,
    }
}
