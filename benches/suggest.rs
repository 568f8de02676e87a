//! Address suggestions for 10,000 addresses (issue 29): the time from a keystroke to the
//! list, which Write computes on the UI thread when the text typed changes. Goal: well within
//! one frame (16.7 ms at 60 Hz). Also the time to merge and rank the sources once (done by
//! the core, off the UI thread). Queries of 1–4 letters, one that matches only inside
//! addresses, and one that matches nothing (the whole list is read); each timed 200 times,
//! three rounds, medians.
//!
//! Run with `cargo bench --bench suggest`.

// Bench code: an unwrap that fails is a bench that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::time::{Duration, Instant};

use outpost::contacts::{Contact, Origin, merge, suggest};

const ADDRESSES: usize = 10_000;
const ROUNDS: usize = 3;
const RUNS: usize = 200;

fn contacts() -> Vec<Contact> {
    let first = [
        "Anna", "Bernd", "Clara", "Dieter", "Eva", "Frank", "Greta", "Hans",
    ];
    let last = [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
    ];
    let domains = [
        "example.org",
        "example.net",
        "beispiel.de",
        "mail.example.com",
    ];
    (0..ADDRESSES)
        .map(|i| {
            let (f, l) = (first[i % first.len()], last[(i / 8) % last.len()]);
            Contact {
                name: (i % 3 != 0).then(|| format!("{f} {l}")),
                email: format!(
                    "{}.{}{i}@{}",
                    f.to_lowercase(),
                    l.to_lowercase(),
                    domains[i % 4]
                ),
                origin: [Origin::Sent, Origin::AddressBook][i % 2],
                uses: (i % 17) as u32,
                last: i as i64,
            }
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let raw = contacts();
    let mut merges = vec![];
    let mut all = vec![];
    for _ in 0..ROUNDS {
        let t = Instant::now();
        all = merge(raw.clone());
        merges.push(t.elapsed());
    }
    println!(
        "merge and rank {ADDRESSES} addresses: median {:.2} ms",
        median(merges).as_secs_f64() * 1e3
    );
    for q in ["a", "sc", "greta", "müll", "0@beis", "zzzz"] {
        let mut rounds = vec![];
        let mut found = 0;
        for _ in 0..ROUNDS {
            let mut times = vec![];
            for _ in 0..RUNS {
                let t = Instant::now();
                found = std::hint::black_box(suggest(&all, q, &[], 6)).len();
                times.push(t.elapsed());
            }
            rounds.push(median(times));
        }
        let rounds_ms: Vec<String> = rounds
            .iter()
            .map(|d| format!("{:.3}", d.as_secs_f64() * 1e3))
            .collect();
        println!(
            "suggest {q:?} among {ADDRESSES}: median {:.3} ms (rounds {}), {found} shown",
            median(rounds).as_secs_f64() * 1e3,
            rounds_ms.join(", ")
        );
    }
}
