//! Spelling a 10,000-word text in Write (issue 29): what each frame spends on it. Outpost's
//! way (`spelling::Marks`: each distinct word checked once and remembered, new words a slice
//! of at most 4 ms per frame) against the plain way (every word checked by the dictionary on
//! every frame). Debian's en_US Hunspell dictionary, read by spellbook. Cold: a text never
//! seen (pasted), frames until every word is checked and the longest frame's share; warm:
//! a frame after a keystroke. The sides alternate, three rounds, medians.
//!
//! Run with `cargo bench --bench spelling`.

// Bench code: an unwrap that fails is a bench that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::collections::HashSet;
use std::time::{Duration, Instant};

use outpost::spelling::{BUDGET, Marks, Speller, words};

const ROUNDS: usize = 3;

fn text() -> String {
    let base = "Outpost sends what people write through a durable outbox that retries until \
                the message is delivered or definitely refused and the sentense with a tpyo \
                stays marked while everything else is chekced once";
    let mut out = String::new();
    let mut n = 0;
    let mut i = 0;
    while n < 10_000 {
        for w in base.split(' ') {
            // Numbered variants: many distinct words, as a long real text has.
            if i % 7 == 0 {
                out.push_str(&format!("{w}{} ", i % 50));
            }
            out.push_str(w);
            out.push(' ');
            n += 1;
            i += 1;
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let aff = std::fs::read_to_string("/usr/share/hunspell/en_US.aff")
        .expect("hunspell-en-us is installed (./scripts/test installs it)");
    let dic = std::fs::read_to_string("/usr/share/hunspell/en_US.dic").unwrap();
    let loaded = Instant::now();
    let speller = Speller::new("en_US", &aff, &dic, HashSet::new()).unwrap();
    println!("en_US read in {}", ms(loaded.elapsed()));
    let text = text();
    let count = words(&text).count();
    let mut plain = vec![];
    let (mut cold_total, mut cold_frames, mut cold_max, mut warm) =
        (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        // The plain way: the whole text through the dictionary, each frame.
        let t = Instant::now();
        let wrong = words(&text).filter(|(_, w)| !speller.check(w)).count();
        plain.push(t.elapsed());
        std::hint::black_box(wrong);
        // Outpost's way, cold: frames until complete.
        let mut marks = Marks::default();
        let (mut frames, mut longest, start) = (0, Duration::ZERO, Instant::now());
        loop {
            let t = Instant::now();
            let found = marks.find(&text, &speller, BUDGET);
            longest = longest.max(t.elapsed());
            frames += 1;
            if found.complete {
                break;
            }
        }
        cold_total.push(start.elapsed());
        cold_frames.push(Duration::from_millis(frames));
        cold_max.push(longest);
        // Warm: a keystroke later (one word more, already known).
        let typed = format!("{text} outbox");
        let t = Instant::now();
        std::hint::black_box(marks.find(&typed, &speller, BUDGET));
        warm.push(t.elapsed());
    }
    println!("{count} words:");
    println!("  plain way, every frame: {}", ms(median(plain)));
    println!(
        "  Outpost, cold: {} in {} frames, longest frame {}",
        ms(median(cold_total)),
        median(cold_frames).as_millis(),
        ms(median(cold_max))
    );
    println!("  Outpost, a keystroke later: {}", ms(median(warm)));
}
