//! The replies real providers send (`tests/data/provider-replies.toml`, each with its source),
//! recognised, explained in their own terms and acted on: a test SMTP server (aiosmtpd)
//! replays each recorded reply to the real check and the real outbox.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde::Deserialize;
use serde_json::Value;
use support::{DnsServer, Outpost, PASSWORD, SendLab, TestCa, USER};

#[derive(Deserialize)]
struct Recorded {
    provider: String,
    stage: String,
    text: String,
    meaning: String,
    source: String,
}

#[derive(Deserialize)]
struct File {
    reply: Vec<Recorded>,
}

fn recorded() -> Vec<Recorded> {
    let text = std::fs::read_to_string(support::data("provider-replies.toml")).unwrap();
    toml::from_str::<File>(&text).unwrap().reply
}

fn find(meaning: &str, provider: &str) -> Recorded {
    recorded()
        .into_iter()
        .find(|r| r.meaning == meaning && r.provider == provider)
        .unwrap_or_else(|| panic!("no recorded {meaning} of {provider}"))
}

#[test]
fn every_recorded_reply_is_recognised() {
    let all = recorded();
    assert!(all.len() >= 17);
    for r in &all {
        assert!(r.source.starts_with("https://"), "{}", r.text);
        let reply: outpost::net::smtp::Reply = r.text.parse().unwrap();
        assert_eq!(
            outpost::net::smtp::Meaning::of(&reply).kind(),
            r.meaning,
            "{} ({})",
            r.text,
            r.provider
        );
    }
}

/// A lab whose server answers `stage` with the recorded reply (plus `extra` arguments), and
/// the account added on it.
fn replaying(r: &Recorded, extra: &[&str]) -> SendLab {
    let reply = format!("{}={}", r.stage, r.text);
    let mut args = vec!["--reply", reply.as_str()];
    args.extend_from_slice(extra);
    SendLab::start(&args, PASSWORD, &[])
}

fn check_error(lab: &SendLab) -> String {
    let (code, v) = lab.op.json(&["account", "check", USER], "");
    assert_eq!(code, 1, "{v}");
    format!("{} {}", v["error"]["message"], v["error"]["advice"])
}

fn run(op: &Outpost) -> Value {
    let (code, v) = op.json(&["run", "--until-empty", "--timeout", "10"], "");
    assert_eq!(code, 0, "{v}");
    v
}

fn show(op: &Outpost, id: i64) -> Value {
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v["message"].clone()
}

#[test]
fn gmails_app_password_reply_asks_for_an_app_password_and_pauses_the_account() {
    let lab = replaying(&find("app_password_required", "Gmail"), &[]);
    let words = check_error(&lab);
    assert!(words.contains("wants an app password"), "{words}");
    assert!(words.contains("2-step verification"), "{words}");
    let id = lab.op.send_to_bob(&[]);
    let v = run(&lab.op);
    let m = show(&lab.op, id);
    assert_eq!(m["attempts"], 0, "no retry used up: {m} {v}");
    assert!(
        m["last_reply"].as_str().unwrap().contains("app password"),
        "{m}"
    );
}

#[test]
fn smtp_auth_switched_off_by_the_administrator_is_not_called_a_wrong_password() {
    let lab = replaying(&find("smtp_auth_disabled", "Microsoft 365"), &[]);
    let words = check_error(&lab);
    assert!(
        words.contains("switched off for your organisation"),
        "{words}"
    );
    assert!(
        words.contains("administrator must allow SMTP AUTH"),
        "{words}"
    );
    assert!(!words.contains("Check both"), "{words}");
}

#[test]
fn a_daily_limit_holds_the_account_a_day_without_using_up_retries() {
    let lab = replaying(&find("daily_limit", "Gmail"), &[]);
    let first = lab.op.send_to_bob(&[]);
    let second = lab.op.send_to_bob(&["--subject", "another"]);
    let before = support::now_ms();
    run(&lab.op);
    for id in [first, second] {
        let m = show(&lab.op, id);
        assert_eq!(m["state"], "retry", "{m}");
        assert_eq!(m["attempts"], 0, "{m}");
        let next = m["next_attempt_ms"].as_i64().unwrap();
        assert!(next >= before + 23 * 3600 * 1000, "held about a day: {m}");
    }
    let m = show(&lab.op, first);
    let said = m["last_reply"].as_str().unwrap();
    assert!(said.contains("daily sending limit"), "{said}");
    assert!(said.contains("Sending resumes "), "{said}");
    assert!(lab.smtpd.received().is_empty());
}

#[test]
fn too_many_recipients_are_sent_in_rounds_the_server_accepts() {
    let lab = replaying(
        &find("too_many_recipients", "Postfix"),
        &["--rcpt-limit", "2"],
    );
    let mut args = vec!["--body", "hi"];
    let rcpts: Vec<String> = (1..=5).map(|i| format!("r{i}@example.net")).collect();
    for r in &rcpts {
        args.extend(["--to", r.as_str()]);
    }
    let id = lab.op.send(&args);
    run(&lab.op);
    let m = show(&lab.op, id);
    assert_eq!(m["state"], "sent", "{m}");
    let received = lab.smtpd.received_text();
    assert_eq!(received.len(), 3, "three rounds: 2 + 2 + 1");
    let mut got: Vec<String> = received
        .iter()
        .flat_map(|r| {
            r.lines()
                .filter_map(|l| l.strip_prefix("X-Envelope-To: "))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    got.sort();
    assert_eq!(got, rcpts, "each recipient once");
}

#[test]
fn a_demand_to_slow_down_holds_the_account_and_a_sender_not_owned_fails_in_words() {
    let lab = replaying(&find("rate_limited", "Gmail"), &[]);
    let id = lab.op.send_to_bob(&[]);
    run(&lab.op);
    let m = show(&lab.op, id);
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some("retry"), Some(0)),
        "{m}"
    );
    assert!(
        m["last_reply"].as_str().unwrap().contains("slow down"),
        "{m}"
    );

    let lab = replaying(&find("sender_not_allowed", "Postfix"), &[]);
    let id = lab.op.send_to_bob(&[]);
    run(&lab.op);
    let m = show(&lab.op, id);
    assert_eq!(m["state"], "failed", "{m}");
    let said = m["last_reply"].as_str().unwrap();
    assert!(
        said.contains("does not let this login send from this From address"),
        "{said}"
    );
    assert!(said.contains("553 5.7.1"), "the server's own words: {said}");
}

#[test]
fn a_real_postfix_refuses_a_sender_the_login_does_not_own_and_outpost_says_so() {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let postfix = support::postfix::Postfix::start(&cert, &[(USER, PASSWORD)], &[(USER, USER)]);
    let op = Outpost::new(&dns, &ca);
    op.add_starttls(postfix.port, PASSWORD, &[]);
    // A second address on the same login, which the server does not let it send from.
    let port = postfix.port.to_string();
    let (code, v) = op.json(
        &[
            "account",
            "add",
            "--email",
            "boss@example.test",
            "--host",
            "mail.example.test",
            "--port",
            &port,
            "--security",
            "starttls",
            "--username",
            USER,
            "--password-stdin",
            "--session-keyring",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{v}");
    let own = op.send_to_bob(&[]);
    let (code, v) = op.send_as(
        "boss@example.test",
        &["--to", "bob@example.net", "--body", "hi"],
    );
    assert_eq!(code, 0, "{v}");
    let foreign = v["id"].as_i64().unwrap();
    run(&op);
    assert_eq!(show(&op, own)["state"], "sent", "{}", postfix.log());
    let m = show(&op, foreign);
    assert_eq!(m["state"], "failed", "{m}");
    let said = m["last_reply"].as_str().unwrap();
    assert!(said.contains("553 5.7.1"), "{said}");
    assert!(
        said.contains("not owned by user"),
        "Postfix's own words: {said}"
    );
    assert!(
        said.contains("does not let this login send from this From address"),
        "{said}"
    );
}

#[test]
fn a_real_postfix_sends_from_an_allowed_alias_and_refuses_a_foreign_identity_which_is_marked() {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let alias = "ann.alias@example.test";
    let postfix = support::postfix::Postfix::start(
        &cert,
        &[(USER, PASSWORD)],
        &[(USER, USER), (alias, USER)],
    );
    let op = Outpost::new(&dns, &ca);
    op.add_starttls(postfix.port, PASSWORD, &[]);
    for (email, name) in [(alias, "Ann (alias)"), ("boss@example.test", "The Boss")] {
        let (code, v) = op.add_identity(email, &["--name", name]);
        assert_eq!(code, 0, "{v}");
    }
    let send_as = |from: &str| {
        let (code, v) = op.send_as(from, &["--to", "bob@example.net", "--body", "hi"]);
        assert_eq!(code, 0, "{v}");
        v["id"].as_i64().unwrap()
    };
    let allowed = send_as(alias);
    let foreign = send_as("boss@example.test");
    run(&op);
    assert_eq!(show(&op, allowed)["state"], "sent", "{}", postfix.log());
    let m = show(&op, foreign);
    assert_eq!(m["state"], "failed", "{m}");
    assert!(
        m["last_reply"]
            .as_str()
            .unwrap()
            .contains("not owned by user"),
        "{m}"
    );
    // The identity carries the server's words, and the way out.
    let (_, v) = op.json(&["account", "identity", "list"], "");
    let ids = &v["accounts"][0]["identities"];
    let boss = ids
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "boss@example.test")
        .unwrap();
    assert!(
        boss["refused"].as_str().unwrap().contains("553 5.7.1"),
        "{boss}"
    );
    let ok = ids
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == alias)
        .unwrap();
    assert!(ok["refused"].is_null(), "{ok}");
    let text = op.run(&["account", "identity", "list"], "");
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(
        said.contains("What to do: allow boss@example.test"),
        "{said}"
    );
    // Changed (allowed at the provider), the note goes.
    let (code, _) = op.add_identity("boss@example.test", &[]);
    assert_eq!(code, 0);
    let (_, v) = op.json(&["account", "identity", "list"], "");
    assert!(!v.to_string().contains("553 5.7.1"), "{v}");
}
