//! A transcript a person can hand to support, and a log, that never show a secret: known
//! passwords go through AUTH PLAIN and AUTH LOGIN (a sign-in token through XOAUTH2 is in
//! tests/oauth_cli.rs), and the transcript (`outpost account check --transcript`), the log on
//! standard error and the sender's log file (`OUTPOST_LOG=debug`) are searched for them in
//! every encoding a login uses.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use support::{PASSWORD, SendLab, USER};

/// `secret` in the encodings a login or a log could carry it in.
fn encodings(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let url: String = url::form_urlencoded::byte_serialize(bytes).collect();
    vec![
        secret.to_string(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        hex.clone(),
        hex.to_uppercase(),
        url,
        format!("{bytes:?}"),
    ]
}

/// Every word of `text` that decodes as base64, decoded: a secret hidden inside a longer
/// base64 string (AUTH PLAIN's "\0user\0password") is found too.
fn decoded_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=-_".contains(c)))
        .filter(|w| w.len() >= 8)
        .filter_map(|w| {
            STANDARD
                .decode(w)
                .or_else(|_| STANDARD_NO_PAD.decode(w))
                .ok()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

fn assert_no_secret(what: &str, text: &str) {
    for form in encodings(PASSWORD) {
        assert!(
            !text.contains(&form),
            "{what} shows the password as {form:?}:\n{text}"
        );
    }
    for word in decoded_words(text) {
        assert!(
            !word.contains(PASSWORD),
            "{what} shows the password in base64 ({word:?}):\n{text}"
        );
    }
}

/// The lab (with `smtpd_args`), a check with its transcript and the log on standard error,
/// and a message sent by `outpost run` with its log file; all their words, and the transcript.
fn check_and_send(smtpd_args: &[&str]) -> (String, String) {
    let lab = SendLab::start(smtpd_args, PASSWORD, &[]);
    let out = lab.op.check_with_transcript(USER);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("C: EHLO"),
        "the log on standard error has the conversation: {stderr}"
    );
    let (code, json) = lab.op.json(&["account", "check", USER, "--transcript"], "");
    assert_eq!(code, 0, "{json}");
    lab.op.send_to_bob(&[]);
    let sent = lab
        .op
        .command(&["run", "--until-empty"])
        .env("OUTPOST_LOG", "debug")
        .output()
        .unwrap();
    assert!(sent.status.success());
    assert_eq!(lab.smtpd.received().len(), 1);
    let logs = lab.op.home.path().join("data/logs");
    let files = support::all_files(&logs);
    assert!(
        !files.is_empty(),
        "the sender writes its log under {logs:?}"
    );
    let file_log: String = files
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(
        file_log.contains("C: MAIL FROM:<") && file_log.contains(" sent"),
        "the sender's log has the conversation and what became of the message: {file_log}"
    );
    let everything = format!("{stdout}\n{stderr}\n{json}\n{file_log}");
    assert_no_secret("the transcript or a log", &everything);
    (everything, stdout)
}

#[test]
fn auth_plain_is_hidden_in_the_transcript_and_the_logs() {
    let (_, transcript) = check_and_send(&[]);
    assert!(
        transcript.contains("The conversation with the server"),
        "{transcript}"
    );
    assert!(
        transcript.contains("C: AUTH PLAIN [hidden]"),
        "{transcript}"
    );
    assert!(transcript.contains("S: 235"), "{transcript}");
    assert!(transcript.contains("[TLS 1.3 began]"), "{transcript}");
}

#[test]
fn auth_login_is_hidden_in_the_transcript_and_the_logs() {
    let (_, transcript) = check_and_send(&["--exclude-auth", "PLAIN"]);
    assert!(transcript.contains("C: AUTH LOGIN\n"), "{transcript}");
    // The user name and the password each answer a challenge: both hidden.
    assert_eq!(transcript.matches("C: [hidden]").count(), 2, "{transcript}");
    assert!(transcript.contains("S: 235"), "{transcript}");
}

#[test]
fn the_checks_search_finds_a_password_in_any_of_its_encodings() {
    let plain = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    for leaked in [
        format!("C: AUTH PLAIN {plain}"),
        format!("C: {}", STANDARD.encode(PASSWORD)),
        format!("password={PASSWORD}"),
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_secret("a leak", &leaked));
        assert!(caught.is_err(), "not caught: {leaked}");
    }
}
