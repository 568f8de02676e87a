//! Copies of sent messages filed in the Sent folder over IMAP, against a real Dovecot beside
//! a real Postfix with the same users: Postfix delivers to the recipients' maildirs, Dovecot
//! serves them and Ann's Sent folder, and what each holds is read back over IMAP.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::dovecot::{Dovecot, ImapUser};
use support::postfix::Postfix;
use support::{MailLab, Outpost, PASSWORD, USER};

const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

struct Lab {
    lab: MailLab,
    dovecot: Dovecot,
    postfix: Postfix,
    op: Outpost,
}

/// Ann (with or without a Sent folder, with or without a quota), Bob and Carol on Dovecot;
/// Postfix delivers to Bob and Carol; Ann's account files copies on Dovecot.
fn lab(sent_folder: bool, quota_kb: Option<u32>) -> Lab {
    let lab = MailLab::start();
    let user = |login, sent_folder, quota_kb| ImapUser {
        login,
        password: PASSWORD,
        quota_kb,
        sent_folder,
    };
    let dovecot = Dovecot::start(
        &lab.cert,
        &[
            user(USER, sent_folder, quota_kb),
            user(BOB, false, None),
            user(CAROL, false, None),
        ],
    );
    let base = dovecot.mail_base();
    let postfix = Postfix::start_delivering(
        &lab.cert,
        &[(USER, PASSWORD)],
        &[(USER, USER)],
        Some((&base, &[BOB, CAROL])),
    );
    let op = Outpost::new(&lab.dns, &lab.ca);
    let port = dovecot.port.to_string();
    op.add_starttls(
        postfix.port,
        PASSWORD,
        &[
            "--imap-host",
            "mail.example.test",
            "--imap-port",
            &port,
            "--imap-security",
            "tls",
        ],
    );
    Lab {
        lab,
        dovecot,
        postfix,
        op,
    }
}

impl Lab {
    fn folder(&self, user: &str, folder: &str) -> Vec<(String, Vec<u8>)> {
        self.dovecot
            .fetch(&self.lab.ca.ca_pem, user, PASSWORD, folder)
    }

    fn send(&self) -> i64 {
        self.send_body("Here are the minutes.\nÄnderungen folgen.")
    }

    fn send_body(&self, body: &str) -> i64 {
        self.op.send(&[
            "--to",
            BOB,
            "--bcc",
            CAROL,
            "--subject",
            "Minutes",
            "--body",
            body,
        ])
    }

    fn run(&self) -> serde_json::Value {
        let (code, v) = self.op.json(&["run", "--until-empty"], "");
        assert_eq!(code, 0, "{v}\n{}", self.dovecot.log());
        v
    }

    fn show(&self, id: i64) -> serde_json::Value {
        let (code, v) = self.op.json(&["queue", "show", &id.to_string()], "");
        assert_eq!(code, 0, "{v}");
        v
    }

    /// Bob's copy, as Postfix delivered it, less the trace fields Postfix put on top.
    fn delivered(&self) -> Vec<u8> {
        assert!(
            within(Duration::from_secs(10), || !self
                .folder(BOB, "INBOX")
                .is_empty()),
            "Bob got nothing:\n{}",
            self.postfix.log()
        );
        let inbox = self.folder(BOB, "INBOX");
        assert_eq!(inbox.len(), 1, "sent once");
        without_trace(&inbox[0].1)
    }
}

/// A delivered message without the fields the delivering server added above it.
fn without_trace(delivered: &[u8]) -> Vec<u8> {
    let text = delivered;
    let mut at = 0;
    let trace = [
        &b"Return-Path:"[..],
        b"X-Original-To:",
        b"Delivered-To:",
        b"Received:",
    ];
    while at < text.len() {
        let line_end = text[at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(text.len(), |p| at + p + 2);
        let line = &text[at..line_end];
        let continues = line.starts_with(b" ") || line.starts_with(b"\t");
        if !continues
            && !trace
                .iter()
                .any(|t| line.len() >= t.len() && line[..t.len()].eq_ignore_ascii_case(t))
        {
            break;
        }
        at = line_end;
    }
    text[at..].to_vec()
}

/// Whether `done` comes true within `limit`.
fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let began = std::time::Instant::now();
    while !done() {
        if began.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

fn has_kind(show: &serde_json::Value, kind: &str) -> bool {
    show["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == kind)
}

#[test]
fn the_copy_in_sent_is_what_postfix_delivered_plus_bcc_seen_and_filed_once() {
    let l = lab(true, None);
    let id = l.send();
    l.run();
    let delivered = l.delivered();
    let sent = l.folder(USER, "Sent");
    assert_eq!(sent.len(), 1, "one copy:\n{}", l.dovecot.log());
    let (flags, copy) = &sent[0];
    assert!(flags.contains("\\Seen"), "{flags}");
    // The copy is the delivered message with one field more: Bcc, where mail apps keep it.
    let bcc = format!("Bcc: {CAROL}\r\n");
    let text = String::from_utf8_lossy(copy);
    assert!(text.contains(&bcc), "{text}");
    let without_bcc = text.replacen(&bcc, "", 1);
    assert_eq!(
        without_bcc.as_bytes(),
        &delivered[..],
        "copy:\n{text}\ndelivered:\n{}",
        String::from_utf8_lossy(&delivered)
    );
    assert!(
        !String::from_utf8_lossy(&delivered).contains(CAROL),
        "Bcc is not delivered"
    );
    let show = l.show(id);
    assert_eq!(show["message"]["copy"], "filed", "{show}");
    assert_eq!(show["message"]["copy_folder"], "Sent", "{show}");
    assert!(has_kind(&show, "filed"), "{show}");
    let text = l.op.run(&["queue", "show", &id.to_string()], "");
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Copy filed in Sent"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    // A second run files nothing again.
    l.run();
    assert_eq!(l.folder(USER, "Sent").len(), 1);
}

#[test]
fn a_user_without_a_sent_folder_gets_one_made_and_the_copy_in_it() {
    let l = lab(false, None);
    let id = l.send();
    l.run();
    let sent = l.folder(USER, "Sent");
    assert_eq!(sent.len(), 1, "{}", l.dovecot.log());
    let show = l.show(id);
    assert!(has_kind(&show, "folder_created"), "{show}");
    assert_eq!(show["message"]["copy"], "filed", "{show}");
}

#[test]
fn over_quota_the_mail_is_sent_once_and_the_copy_refused_in_words() {
    // 1 KB of room; the message is larger.
    let l = lab(true, Some(1));
    let id = l.send_body(&"The full minutes follow. ".repeat(200));
    l.run();
    l.delivered();
    let show = l.show(id);
    assert_eq!(show["message"]["state"], "sent", "{show}");
    assert_eq!(show["message"]["copy"], "failed", "{show}");
    let entry = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "copy_not_filed")
        .unwrap_or_else(|| panic!("{show}"))
        .clone();
    assert_eq!(entry["cause"]["reason"], "over_quota", "{entry}");
    let words = entry["text"].as_str().unwrap_or_default().to_string();
    let text = String::from_utf8_lossy(&l.op.run(&["queue", "show", &id.to_string()], "").stdout)
        .into_owned();
    assert!(
        text.contains("the mailbox is full") && text.contains("Quota exceeded"),
        "{text} {words}"
    );
    assert!(l.folder(USER, "Sent").is_empty());
    // Nothing sent again, however often the sender runs.
    l.run();
    assert_eq!(l.folder(BOB, "INBOX").len(), 1);
}

#[test]
fn imap_down_the_mail_leaves_and_after_a_kill_the_copy_is_filed_once_when_imap_returns() {
    let l = lab(true, None);
    l.dovecot.stop();
    let id = l.send();
    // The sender sends, cannot reach IMAP, and is killed while the copy waits.
    let mut child =
        l.op.command(&["run"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
    let waiting = within(Duration::from_secs(15), || {
        has_kind(&l.show(id), "copy_retry")
    });
    assert!(waiting, "{}", l.show(id));
    child.kill().unwrap();
    child.wait().unwrap();
    let show = l.show(id);
    assert_eq!(show["message"]["state"], "sent", "{show}");
    assert_eq!(show["message"]["copy"], "waiting", "{show}");
    let words = show["history"].to_string();
    assert!(words.contains("not filed, trying again"), "{words}");
    // IMAP is back: the next sender files it; the mail itself is not sent again.
    l.dovecot.run();
    let (code, v) = l.op.json(&["queue", "retry", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    l.run();
    assert_eq!(l.folder(USER, "Sent").len(), 1, "{}", l.show(id));
    assert_eq!(l.folder(BOB, "INBOX").len(), 1, "sent once");
    assert_eq!(l.show(id)["message"]["copy"], "filed");
}

/// The `step` of `account check --json`'s steps.
fn check_step(l: &Lab, step: &str) -> serde_json::Value {
    let (_, v) = l.op.json(&["account", "check", USER], "");
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step)
        .unwrap_or_else(|| panic!("no step {step}: {v}"))
        .clone()
}

#[test]
fn the_connection_check_logs_in_to_imap_and_finds_the_sent_folder() {
    let l = lab(true, None);
    let imap = check_step(&l, "imap");
    assert_eq!(imap["ok"], true, "{imap}");
    assert!(
        imap["detail"]
            .as_str()
            .unwrap()
            .contains("mail.example.test"),
        "{imap}"
    );
    let folder = check_step(&l, "sent_folder");
    assert_eq!(
        folder["detail"], "Sent (the server marks it as Sent)",
        "{folder}"
    );
    // IMAP down: the check says so, in words, with what to do.
    l.dovecot.stop();
    let down = check_step(&l, "imap");
    assert_eq!(down["ok"], false, "{down}");
    assert!(
        down["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("--no-sent-copy"),
        "{down}"
    );
    // Copies off: no IMAP step, and the account says so.
    let (code, v) = l.op.json(&["account", "edit", USER, "--no-sent-copy"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["imap"]["sent_copy"], false, "{v}");
    let (_, v) = l.op.json(&["account", "check", USER], "");
    assert_eq!(v["ok"], true, "{v}");
    assert!(!v["steps"].to_string().contains("\"imap\""), "{v}");
}

#[test]
fn without_a_sent_folder_the_check_says_the_first_copy_makes_one() {
    let l = lab(false, None);
    let folder = check_step(&l, "sent_folder");
    assert_eq!(folder["ok"], true, "{folder}");
    assert!(
        folder["detail"]
            .as_str()
            .unwrap()
            .contains("makes it with the first copy"),
        "{folder}"
    );
}
