//! Plain text done right (issue 29): what is typed leaves as RFC 3676 `format=flowed` —
//! wrapped near 72 characters with soft breaks, quotes and long links whole, the signature
//! separator intact — in 8-bit UTF-8 where the server announces 8BITMIME, as
//! quoted-printable where it does not. Python's `email` package reads what the lab server
//! received, and the text reflowed by RFC 3676's rules equals what was typed.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::mime::{parsed, received};
use support::{PASSWORD, SendLab};

/// A text as people write it: a long paragraph with umlauts, a quote, a long link, a line
/// starting with "From ", and a signature.
fn typed() -> String {
    let link = format!("https://example.org/downloads/{}", "report-2026-".repeat(8));
    format!(
        "Hallo Bob,\n\n\
         Grüße aus Köln! Wir haben den Bericht fertig, und er ist länger geworden, als wir \
         dachten: dreißig Seiten über Straßen, Brücken und die Frage, wer die Übersicht behält.\n\n\
         > Kannst du mir den Bericht bis Freitag schicken? Es wäre wirklich gut, ihn vor der \
         Sitzung zu haben.\n\n\
         Hier ist er: {link}\n\
         From now on every report goes through Outpost.\n\n\
         -- \nAnn"
    )
}

fn send(lab: &SendLab, text: &str) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let path = file.path().to_str().unwrap();
    lab.op.send(&[
        "--to",
        "bob@example.net",
        "--subject",
        "Der Bericht",
        "--body-file",
        path,
    ]);
    let (code, v) = lab.op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
}

/// The longest line of the received message's text, quotes and links aside (kept whole).
fn longest_text_line(message: &[u8]) -> usize {
    let text = String::from_utf8_lossy(message);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    body.split("\r\n")
        .filter(|l| !l.starts_with("https://") && !l.starts_with('>'))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn typed_text_leaves_flowed_in_8bit_utf8_and_reflows_to_what_was_typed() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let text = typed();
    send(&lab, &text);
    let got = received(&lab);
    let raw = String::from_utf8(got.clone()).expect("8-bit UTF-8 on the wire");
    assert!(
        raw.contains("Content-Type: text/plain; charset=utf-8; format=flowed"),
        "{raw}"
    );
    assert!(raw.contains("Content-Transfer-Encoding: 8bit"), "{raw}");
    assert!(raw.contains("Grüße aus Köln!"), "readable as it is: {raw}");
    assert!(longest_text_line(&got) <= 72, "{raw}");
    assert!(raw.contains("\r\n From now on"), "stuffed: {raw}");
    assert!(raw.contains("\r\n-- \r\nAnn"), "signature separator: {raw}");
    assert!(
        lab.smtpd.mail_options()[0].contains("BODY=8BITMIME"),
        "{:?}",
        lab.smtpd.mail_options()
    );
    let p = parsed(&got);
    assert_eq!(p["format"], "flowed");
    assert_eq!(p["unflowed"].as_str().unwrap().trim_end(), text, "{p}");
    assert_eq!(p["defects"], serde_json::json!([]));
}

#[test]
fn without_8bitmime_the_text_goes_as_quoted_printable_and_still_reflows() {
    let lab = SendLab::start(&["--no-8bitmime"], PASSWORD, &[]);
    let text = typed();
    send(&lab, &text);
    let got = received(&lab);
    assert!(got.is_ascii(), "{}", String::from_utf8_lossy(&got));
    let raw = String::from_utf8(got.clone()).unwrap();
    assert!(
        raw.contains("Content-Transfer-Encoding: quoted-printable"),
        "{raw}"
    );
    assert!(raw.contains("format=flowed"), "{raw}");
    assert!(
        !lab.smtpd.mail_options()[0].contains("8BITMIME"),
        "{:?}",
        lab.smtpd.mail_options()
    );
    let p = parsed(&got);
    assert_eq!(p["encoding"], "quoted-printable");
    assert_eq!(p["unflowed"].as_str().unwrap().trim_end(), text, "{p}");
}

#[test]
fn plain_ascii_text_goes_in_7bit() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let text = "Hi Bob,\n\nsee you on Friday.\n\n-- \nAnn";
    send(&lab, text);
    let got = received(&lab);
    let raw = String::from_utf8(got.clone()).unwrap();
    assert!(raw.contains("Content-Transfer-Encoding: 7bit"), "{raw}");
    assert!(!lab.smtpd.mail_options()[0].contains("8BITMIME"));
    let p = parsed(&got);
    assert_eq!(p["unflowed"].as_str().unwrap().trim_end(), text);
}
