//! Programs' mail taken as a real MTA takes it: a 5,000-character line from `sendmail -t`
//! arrives whole, a UTF-8 Subject goes as encoded words to a server without SMTPUTF8 and as
//! UTF-8 with the parameter to one with it, what cannot be mended is refused at the door
//! (exit 65). What arrived is read by Python's `email` package, a real MIME parser.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use support::mime::{parsed, received};
use support::{PASSWORD, SendLab};

/// `message` through `sendmail -t -i` (it must be taken), sent, and as the server got it.
fn sendmail_t(lab: &SendLab, message: &str) -> Vec<u8> {
    let out = lab.op.run(&["sendmail", "-t", "-i"], message);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, v) = lab.op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    received(lab)
}

#[test]
fn a_cron_line_of_5000_characters_arrives_whole() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let line: String = (0..5000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let message = format!(
        "From: ann@example.test\nTo: bob@example.net\nSubject: cron output\n\nstart\n{line}\nend\n"
    );
    let got = sendmail_t(&lab, &message);
    assert!(
        got.split(|&b| b == b'\n').all(|l| l.len() <= 1000),
        "no line over 998 octets on the wire"
    );
    let p = parsed(&got);
    assert_eq!(p["text"], format!("start\n{line}\nend\n"), "{p}");
    assert_eq!(p["defects"], serde_json::json!([]));
}

#[test]
fn a_utf8_subject_goes_as_encoded_words_without_smtputf8_and_as_utf8_with_it() {
    let message = "From: Jürgen Groß <ann@example.test>\nTo: bob@example.net\n\
                   Subject: Grüße aus Köln\n\nHallo\n";
    // Without SMTPUTF8 (the test server's default): 7-bit header, the same words.
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let got = sendmail_t(&lab, message);
    let head = &got[..got.windows(4).position(|w| w == b"\r\n\r\n").unwrap()];
    assert!(head.is_ascii(), "{}", String::from_utf8_lossy(head));
    let p = parsed(&got);
    assert_eq!(p["subject"], "Grüße aus Köln", "{p}");
    assert_eq!(p["from_name"], "Jürgen Groß", "{p}");
    assert!(!lab.smtpd.mail_options()[0].contains("SMTPUTF8"));
    // With SMTPUTF8 announced: UTF-8 as written, and MAIL says so.
    let lab = SendLab::start(&["--smtputf8"], PASSWORD, &[]);
    let got = sendmail_t(&lab, message);
    assert!(
        String::from_utf8_lossy(&got).contains("Subject: Grüße aus Köln\r\n"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        lab.smtpd.mail_options()[0].contains("SMTPUTF8"),
        "{:?}",
        lab.smtpd.mail_options()
    );
    assert_eq!(parsed(&got)["subject"], "Grüße aus Köln");
}

#[test]
fn a_non_ascii_recipient_at_a_server_without_smtputf8_fails_at_once_in_words() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let out = lab.op.run(
        &["sendmail", "-i", "jürgen@beispiel.example"],
        "Subject: hi\n\nhi\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, v) = lab.op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    assert!(lab.smtpd.received().is_empty(), "nothing sent");
    let (_, v) = lab.op.json(&["queue", "list"], "");
    let m = &v["messages"][0];
    assert_eq!(m["state"], "failed", "{m}");
    let why = m["last_reply"].as_str().unwrap();
    assert!(
        why.contains("553 5.6.7") && why.contains("does not offer SMTPUTF8"),
        "{why}"
    );
}

#[test]
fn what_cannot_be_mended_is_refused_at_the_door_and_nul_bytes_go() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let long = "s".repeat(1500);
    let signed = format!(
        "From: ann@example.test\nTo: bob@example.net\nSubject: signed\n\n\
         -----BEGIN PGP SIGNED MESSAGE-----\n{long}\n"
    );
    let out = lab.op.run(&["sendmail", "-t", "-i"], &signed);
    assert_eq!(out.status.code(), Some(65), "EX_DATAERR");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("signature"), "{said}");
    let (_, v) = lab.op.json(&["queue", "list"], "");
    assert_eq!(v["messages"].as_array().unwrap().len(), 0, "nothing queued");
    // A NUL byte and a bare CR from a program: removed, and a space (never a line end).
    let got = sendmail_t(
        &lab,
        "From: ann@example.test\nTo: bob@example.net\nSubject: n\n\na\0b\rc\n",
    );
    assert!(!got.contains(&0), "no NUL byte");
    assert_eq!(parsed(&got)["text"], "ab c\n");
}

#[test]
fn postfix_delivers_the_long_line_whole() {
    use support::postfix::Postfix;
    let lab = support::MailLab::start();
    let base = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(base.path().join("bob/Maildir/new")).unwrap();
    let chown = Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(base.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let postfix = Postfix::start_delivering(
        &lab.cert,
        &[(support::USER, PASSWORD)],
        &[(support::USER, support::USER)],
        Some((base.path(), &["bob@example.test"])),
    );
    let op = support::Outpost::new(&lab.dns, &lab.ca);
    op.add_starttls(postfix.port, PASSWORD, &[]);
    let line = "0123456789".repeat(500);
    let message =
        format!("From: ann@example.test\nTo: bob@example.test\nSubject: Grüße, cron\n\n{line}\n");
    let out = op.run(&["sendmail", "-t", "-i"], &message);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    let new = base.path().join("bob/Maildir/new");
    let start = std::time::Instant::now();
    let delivered = loop {
        if let Some(file) = std::fs::read_dir(&new).unwrap().next() {
            break std::fs::read(file.unwrap().path()).unwrap();
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "not delivered:\n{}",
            postfix.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let p = parsed(&delivered);
    assert_eq!(p["text"], format!("{line}\n"), "{p}");
    assert_eq!(p["subject"], "Grüße, cron", "{p}");
}

#[test]
fn a_message_larger_than_the_server_takes_is_refused_before_it_is_queued() {
    // The server announces 20,000 bytes.
    let lab = SendLab::start(&["--max-size", "20000"], PASSWORD, &[]);
    let big = format!(
        "From: ann@example.test\nTo: bob@example.net\nSubject: big\n\n{}\n",
        "line of text\n".repeat(3000)
    );
    let out = lab.op.run(&["sendmail", "-t", "-i"], &big);
    assert_eq!(out.status.code(), Some(73), "EX_CANTCREAT");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("20 kB its server takes"), "{said}");
    // From the command line too, in words; nothing queued either way.
    let file = lab.op.home.path().join("big.txt");
    std::fs::write(&file, "x".repeat(30_000)).unwrap();
    let (code, v) = lab.op.json(
        &[
            "send",
            "--from",
            support::USER,
            "--to",
            "bob@example.net",
            "--body",
            "hi",
            "--attach",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "too_large", "{v}");
    let (_, v) = lab.op.json(&["queue", "list"], "");
    assert_eq!(v["messages"].as_array().unwrap().len(), 0, "{v}");
    // A small one goes.
    let out = lab.op.run(
        &["sendmail", "-t", "-i"],
        "From: ann@example.test\nTo: bob@example.net\n\nhi\n",
    );
    assert!(out.status.success());
}
