//! The command line's documentation, made from its own definition: the manual pages it
//! writes (`--manuals`), and the completions the shell asks the binary for (`COMPLETE=…`),
//! with this computer's accounts and messages.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use support::{DnsServer, Outpost, TestCa, USER};

#[test]
fn the_manual_has_a_page_for_every_command_in_english_and_german() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_outpost"))
        .arg("--manuals")
        .arg(dir.path())
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for page in [
        "outpost.1",
        "outpost-send.1",
        "outpost-queue.1",
        "outpost-queue-prune.1",
        "outpost-account-add.1",
        "outpost-run.1",
        "outpost-sendmail.1",
    ] {
        for lang in ["man1", "de/man1"] {
            let path = dir.path().join(lang).join(page);
            assert!(path.exists(), "{} is missing", path.display());
        }
    }
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let sendmail = read("man1/outpost-sendmail.1");
    for said in [
        "sysexits.h",
        "64 wrong usage",
        "75 the outbox could not store it",
        "Bcc",
    ] {
        assert!(
            sendmail.contains(said),
            "outpost-sendmail(1) says {said:?}:\n{sendmail}"
        );
    }
    assert!(read("man1/outpost-run.1").contains("\\-\\-background"));
    let german = read("de/man1/outpost-sendmail.1");
    assert!(german.contains("Rückgabewert"), "{german}");
    assert!(read("de/man1/outpost-queue-prune.1").contains("Platz zurückgeben"));
}

/// The values the shell is offered for the last word of `line`, options left out (fish's
/// protocol: one candidate a line, its description after a tab).
fn offered(op: &Outpost, line: &[&str]) -> Vec<String> {
    let mut args = vec!["--", "outpost"];
    args.extend_from_slice(line);
    let out = op.command(&args).env("COMPLETE", "fish").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .filter(|c| !c.starts_with('-'))
        .collect()
}

#[test]
fn completions_offer_commands_the_accounts_addresses_and_the_messages_ids() {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let op = Outpost::new(&dns, &ca);
    // Registering: a script for each shell that asks `outpost` again.
    for shell in ["bash", "zsh", "fish"] {
        let out = op.command(&[]).env("COMPLETE", shell).output().unwrap();
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success() && script.contains("outpost"),
            "{shell}: {script}"
        );
    }
    assert!(offered(&op, &["que"]).contains(&"queue".to_string()));
    assert!(offered(&op, &["queue", "pr"]).contains(&"prune".to_string()));
    // Nothing here yet: no address, no message, and no outbox made by asking.
    assert!(offered(&op, &["queue", "show", ""]).is_empty());
    assert!(!op.home.path().join("data/outbox.sqlite").exists());
    op.add_without_login(USER, "mail.example.test", 2525);
    let id = op
        .send(&["--to", "bob@example.net", "--body", "hi", "--subject", "Hi"])
        .to_string();
    assert_eq!(offered(&op, &["send", "--from", ""]), [USER]);
    assert_eq!(offered(&op, &["account", "remove", ""]), [USER]);
    assert_eq!(offered(&op, &["queue", "show", ""]), [id.as_str()]);
    assert_eq!(offered(&op, &["queue", "cancel", ""]), [id.as_str()]);
}
