//! The memory queueing a large attachment takes: `outpost send --attach` of a 30 MB file,
//! its peak resident memory (GNU time's maximum RSS) against the file's size. Goal: at most
//! 1.5 × the file (issue 31; before, composing held the file, its base64 and the whole
//! message at once).
//!
//! The lab's aiosmtpd announces a 100 MB limit, so the message is queued, not refused. With
//! `OUTPOST_BASELINE=/path/to/an/older/outpost`, that binary runs beside this one (its own
//! home, the same account), the sides alternating over three rounds; medians are reported.
//! Needs GNU time (`/usr/bin/time`). Run with `cargo bench --bench attach`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use support::{MailLab, Outpost, PASSWORD, Smtpd, USER};

const ROUNDS: usize = 3;
const FILE_BYTES: usize = 30_000_000;

fn main() {
    let lab = MailLab::start();
    let smtpd = Smtpd::start_with("starttls", Some(&lab.cert), &["--max-size", "100000000"]);
    let file = tempfile::NamedTempFile::new().unwrap();
    // Incompressible, as photos and archives are.
    let mut bytes = vec![0u8; FILE_BYTES];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(file.path(), &bytes).unwrap();
    drop(bytes);
    let this = Outpost::new(&lab.dns, &lab.ca);
    this.add_starttls(smtpd.port, PASSWORD, &[]);
    let baseline = std::env::var("OUTPOST_BASELINE").ok().map(|b| {
        let op = Outpost::new(&lab.dns, &lab.ca);
        op.add_starttls(smtpd.port, PASSWORD, &[]);
        (b, op)
    });
    let (mut now, mut before) = (vec![], vec![]);
    for round in 0..ROUNDS {
        let sides: Vec<bool> = if round % 2 == 0 {
            vec![true, false]
        } else {
            vec![false, true]
        };
        for current in sides {
            if current {
                now.push(peak_kib(env!("CARGO_BIN_EXE_outpost"), &this, file.path()));
            } else if let Some((binary, op)) = &baseline {
                before.push(peak_kib(binary, op, file.path()));
            }
        }
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let ratio = |kib: u64| kib as f64 * 1024.0 / FILE_BYTES as f64;
    let median = |mut v: Vec<u64>| {
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "outpost send --attach of a {:.1} MB file, peak RSS over {ROUNDS} rounds (sides alternating)",
        FILE_BYTES as f64 / 1e6
    );
    let m = median(now.clone());
    println!(
        "  this build: {:.1} MiB = {:.2} × the file (runs: {:?} KiB; goal ≤ 1.5)",
        mib(m),
        ratio(m),
        now
    );
    if !before.is_empty() {
        let b = median(before.clone());
        println!(
            "  baseline:   {:.1} MiB = {:.2} × the file (runs: {:?} KiB)",
            mib(b),
            ratio(b),
            before
        );
    }
}

/// `binary send --attach file` with `op`'s home and lab; its peak RSS in KiB.
fn peak_kib(binary: &str, op: &Outpost, file: &Path) -> u64 {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(binary);
    cmd.args([
        "send",
        "--from",
        USER,
        "--to",
        "bob@example.net",
        "--subject",
        "big",
    ])
    .args(["--body", "the file"])
    .arg("--attach")
    .arg(file);
    cmd.env("LANG", "C.UTF-8");
    for (k, v) in &op.env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(report.path())
        .unwrap()
        .trim()
        .lines()
        .last()
        .unwrap()
        .parse()
        .unwrap()
}
