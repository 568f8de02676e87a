//! `outpost send`, `queue` and `run` end to end against aiosmtpd: delivery checked on the
//! received bytes, and the server's faults (451 then 250, one recipient refused, refused
//! login, connection dropped after DATA) each ending in the right state with the server's words.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{DnsServer, Killed, Outpost, PASSWORD, SendLab, Smtpd, TestCa, USER};

fn lab(smtpd_args: &[&str], password: &str) -> SendLab {
    SendLab::start(smtpd_args, password, &["--name", "Ann Example"])
}

fn send(op: &Outpost, extra: &[&str]) -> i64 {
    let mut args = vec!["--subject", "Grüße", "--body", "Hello there.\n.dot line\n"];
    args.extend_from_slice(extra);
    op.send(&args)
}

fn assert_state(m: &Value, state: &str, attempts: i64) {
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some(state), Some(attempts)),
        "{m}"
    );
}

fn run(op: &Outpost) -> Value {
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    v
}

fn show(op: &Outpost, id: i64) -> Value {
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v
}

#[test]
fn a_message_is_delivered_with_attachments_and_bcc_only_in_the_envelope() {
    let lab = lab(&[], PASSWORD);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "attached text").unwrap();
    let id = send(
        &lab.op,
        &[
            "--to",
            "Bob <bob@example.net>",
            "--cc",
            "carol@example.net",
            "--bcc",
            "dave@example.net",
            "--attach",
            file.to_str().unwrap(),
        ],
    );
    let v = run(&lab.op);
    assert!(
        v["events"].to_string().contains(&format!("#{id} sent")),
        "{v}"
    );
    let m = &show(&lab.op, id)["message"];
    assert_eq!(m["state"], "sent");
    assert!(
        m["server_queue_id"].as_str().is_some_and(|q| !q.is_empty()),
        "{m}"
    );
    let received = lab.smtpd.received();
    assert_eq!(received.len(), 1);
    let text = String::from_utf8_lossy(&received[0]);
    for rcpt in ["bob@example.net", "carol@example.net", "dave@example.net"] {
        assert!(
            text.contains(&format!("X-Envelope-To: {rcpt}")),
            "{rcpt}: {text}"
        );
    }
    // The test server writes the envelope first; the message itself follows.
    let message: Vec<&str> = text
        .split("\r\n")
        .skip_while(|l| l.starts_with("X-Envelope-"))
        .collect();
    let headers = message[..message.iter().position(|l| l.is_empty()).unwrap()].join("\n");
    assert!(
        !headers.contains("dave@example.net"),
        "Bcc stays out of the headers: {headers}"
    );
    assert!(
        headers.contains("From: \"Ann Example\" <ann@example.test>"),
        "{headers}"
    );
    assert!(
        text.contains("multipart/mixed") && text.contains("filename=\"notes.txt\""),
        "{text}"
    );
    assert!(
        text.contains(".dot line"),
        "dot-stuffing is undone by the server: {text}"
    );
}

#[test]
fn a_temporary_refusal_is_retried_and_then_delivered() {
    let lab = lab(&["--fail-first", "1"], PASSWORD);
    let id = send(&lab.op, &["--to", "bob@example.net"]);
    let v = run(&lab.op);
    assert!(v["waiting"].to_string().contains("451 4.3.0"), "{v}");
    let m = &show(&lab.op, id)["message"];
    assert_state(m, "retry", 1);
    assert!(
        m["next_attempt_ms"].as_i64().unwrap() > support::now_ms() + 30_000,
        "about a minute"
    );
    let (code, _) = lab.op.json(&["queue", "retry", &id.to_string()], "");
    assert_eq!(code, 0);
    run(&lab.op);
    assert_eq!(show(&lab.op, id)["message"]["state"], "sent");
    assert_eq!(lab.smtpd.received().len(), 1);
}

#[test]
fn one_refused_recipient_of_three_is_reported_and_the_others_get_it() {
    let lab = lab(&["--refuse-rcpt", "nobody@example.net"], PASSWORD);
    let id = send(
        &lab.op,
        &[
            "--to",
            "bob@example.net",
            "--to",
            "nobody@example.net",
            "--to",
            "carol@example.net",
        ],
    );
    run(&lab.op);
    let v = show(&lab.op, id);
    assert_eq!(v["message"]["state"], "sent");
    let history = v["history"].to_string();
    assert!(
        history.contains("refused recipient nobody@example.net: 550 5.1.1"),
        "{history}"
    );
    // Which recipients got it, as data, for programs.
    let refused = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "recipient_refused")
        .unwrap();
    assert_eq!(refused["recipient"], "nobody@example.net");
    let rcpts = &v["message"]["recipients"];
    let states: Vec<_> = (0..3).map(|i| rcpts[i]["state"].clone()).collect();
    assert_eq!(states, ["accepted", "refused", "accepted"], "{v}");
    assert!(rcpts[1]["reply"].as_str().unwrap().starts_with("550 5.1.1"));
    // And in words, as the list says it.
    let list = lab.op.run(&["queue", "list"], "");
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("sent, 1 refused"), "{list}");
    let text = String::from_utf8_lossy(&lab.smtpd.received()[0]).into_owned();
    assert!(
        text.contains("X-Envelope-To: carol@example.net")
            && !text.contains("X-Envelope-To: nobody")
    );
}

#[test]
fn a_deferred_recipient_gets_the_message_later_and_only_once() {
    let lab = lab(&["--defer-rcpt-once", "busy@example.net"], PASSWORD);
    let id = send(
        &lab.op,
        &["--to", "bob@example.net", "--to", "busy@example.net"],
    );
    run(&lab.op);
    let v = show(&lab.op, id);
    assert_eq!(v["message"]["state"], "retry", "{v}");
    assert!(
        v["history"]
            .to_string()
            .contains("recipient busy@example.net deferred: 450 4.2.1"),
        "{v}"
    );
    let states = |v: &serde_json::Value| -> Vec<String> {
        let rcpts = v["message"]["recipients"].as_array().unwrap();
        rcpts.iter().map(|r| r["state"].to_string()).collect()
    };
    assert_eq!(states(&v), ["\"accepted\"", "\"deferred\""], "{v}");
    lab.op.json(&["queue", "retry", &id.to_string()], "");
    run(&lab.op);
    let v = show(&lab.op, id);
    assert_eq!(v["message"]["state"], "sent");
    assert_eq!(states(&v), ["\"accepted\"", "\"accepted\""], "{v}");
    let received = lab.smtpd.received_text();
    assert_eq!(received.len(), 2);
    let to_bob = received
        .iter()
        .filter(|t| t.contains("X-Envelope-To: bob@"))
        .count();
    let to_busy = received
        .iter()
        .filter(|t| t.contains("X-Envelope-To: busy@"))
        .count();
    assert_eq!(
        (to_bob, to_busy),
        (1, 1),
        "each recipient gets it once: {received:?}"
    );
}

#[test]
fn a_permanent_refusal_fails_with_the_servers_words() {
    let lab = lab(&["--refuse-rcpt", "nobody@example.net"], PASSWORD);
    let id = send(&lab.op, &["--to", "nobody@example.net"]);
    run(&lab.op);
    let m = &show(&lab.op, id)["message"];
    assert_eq!(m["state"], "failed");
    assert!(
        m["last_reply"].as_str().unwrap().contains("550 5.1.1"),
        "{m}"
    );
    // Asked to try again, it tries the refused recipient again (the person may have had it
    // fixed), and the server refuses it again.
    let (code, v) = lab.op.json(&["queue", "retry", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    run(&lab.op);
    let v = show(&lab.op, id);
    assert_eq!(v["message"]["state"], "failed", "{v}");
    let refusals = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "recipient_refused")
        .count();
    assert_eq!(refusals, 2, "{v}");
}

#[test]
fn a_refused_login_pauses_the_account_without_using_up_retries() {
    let lab = lab(&[], "wrong password");
    let id = send(&lab.op, &["--to", "bob@example.net"]);
    let v = run(&lab.op);
    assert!(v["paused"].to_string().contains("535"), "{v}");
    let m = &show(&lab.op, id)["message"];
    assert_state(m, "retry", 0);
    // Still paused on the next run: nothing is sent, nothing counted.
    run(&lab.op);
    assert_eq!(show(&lab.op, id)["message"]["attempts"], 0);
    assert!(lab.smtpd.received().is_empty());
    // The right password, entered again, lets it go.
    lab.op
        .add_starttls(lab.smtpd.port, PASSWORD, &["--replace"]);
    run(&lab.op);
    assert_eq!(show(&lab.op, id)["message"]["state"], "sent");
}

#[test]
fn a_connection_lost_after_the_final_dot_may_have_been_sent() {
    let lab = lab(&["--drop-after-data"], PASSWORD);
    let id = send(&lab.op, &["--to", "bob@example.net"]);
    run(&lab.op);
    let m = &show(&lab.op, id)["message"];
    assert_eq!(m["state"], "retry");
    assert_eq!(m["maybe_sent"], true);
    assert!(
        m["last_reply"]
            .as_str()
            .unwrap()
            .contains("same Message-ID"),
        "{m}"
    );
    lab.op.json(&["queue", "retry", &id.to_string()], "");
    run(&lab.op);
    let received = lab.smtpd.received();
    assert_eq!(received.len(), 2, "delivered again");
    let ids: Vec<String> = received
        .iter()
        .map(|r| {
            let t = String::from_utf8_lossy(r);
            t.lines()
                .find(|l| l.starts_with("Message-ID:"))
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids[0], ids[1], "the same Message-ID both times");
}

#[test]
fn bad_input_queues_nothing_and_cancel_works() {
    let lab = lab(&[], PASSWORD);
    let (code, v) = lab
        .op
        .json(&["send", "--from", USER, "--to", "bob@", "--body", "x"], "");
    assert_eq!(code, 2, "{v}");
    let (code, v) = lab.op.send_as(
        "stranger@example.org",
        &["--to", "bob@example.net", "--body", "x"],
    );
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "not_found");
    let (code, v) = lab.op.send_as(
        USER,
        &[
            "--to",
            "bob@example.net",
            "--subject",
            "a\nb",
            "--body",
            "x",
        ],
    );
    assert_eq!(code, 2, "{v}");
    let (_, v) = lab.op.json(&["queue", "list"], "");
    assert_eq!(v["messages"], Value::Array(vec![]));
    let id = send(&lab.op, &["--to", "bob@example.net"]);
    let (code, _) = lab.op.json(&["queue", "cancel", &id.to_string()], "");
    assert_eq!(code, 0);
    run(&lab.op);
    assert_eq!(show(&lab.op, id)["message"]["state"], "cancelled");
    assert!(lab.smtpd.received().is_empty());
}

#[test]
fn sendmail_mode_queues_real_messages_with_and_without_t() {
    let lab = lab(&[], PASSWORD);
    let message = "From: Ann <ann@example.test>\nTo: bob@example.net\nBcc: eve@example.net\nSubject: cron\n\nTo: mallory@example.net\nreport\n";
    let out = lab.op.run(&["sendmail", "-t", "-i"], message);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "silent, like sendmail");
    // Called by the name sendmail, recipients from the arguments, -f picks the account.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("sendmail");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_outpost"), &link).unwrap();
    let mut cmd = std::process::Command::new(&link);
    cmd.args(["-f", USER, "carol@example.net"]);
    for (k, v) in &lab.op.env {
        cmd.env(k, v);
    }
    let out = support::run_with_stdin(cmd, "Subject: plain\n\nhello\n.\nnot part of it\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run(&lab.op);
    let received = lab.smtpd.received_text();
    assert_eq!(received.len(), 2, "{received:?}");
    let with_t = received
        .iter()
        .find(|t| t.contains("Subject: cron"))
        .unwrap();
    assert!(with_t.contains("X-Envelope-To: bob@example.net"));
    assert!(with_t.contains("X-Envelope-To: eve@example.net"));
    assert!(
        !with_t.contains("X-Envelope-To: mallory"),
        "body lines are not headers"
    );
    assert!(!with_t.contains("Bcc:"), "{with_t}");
    let plain = received
        .iter()
        .find(|t| t.contains("Subject: plain"))
        .unwrap();
    assert!(plain.contains("X-Envelope-To: carol@example.net"));
    assert!(
        plain.contains("Message-ID: <")
            && plain.contains(&format!("From: \"Ann Example\" <{USER}>")),
        "{plain}"
    );
    assert!(
        !plain.contains("not part of it"),
        "a lone dot ends the input without -i"
    );
    // An unknown sender is refused with sendmail's exit code for "no such user".
    let out = lab.op.run(
        &["sendmail", "-f", "stranger@example.org", "bob@example.net"],
        "Subject: x\n\ny\n",
    );
    assert_eq!(
        out.status.code(),
        Some(67),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_running_worker_sends_a_new_message_at_once_and_is_the_only_one() {
    let lab = lab(&[], PASSWORD);
    // Ended however the test ends.
    let mut worker = Killed(
        lab.op
            .command(&["run"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // It says so once it holds the outbox; a second worker started before that would take
    // the outbox first and this one would stop.
    let mut held = String::new();
    let mut stdout = std::io::BufReader::new(worker.0.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut held).unwrap();
    assert!(
        !held.is_empty(),
        "the worker ended before holding the outbox"
    );
    // Then a second worker on the same outbox is refused.
    let (code, v) = lab.op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "already_running", "{v}");
    let start = std::time::Instant::now();
    let id = send(&lab.op, &["--to", "bob@example.net"]);
    while lab.smtpd.received().is_empty() {
        assert!(start.elapsed().as_secs() < 10, "not sent within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let waited = start.elapsed();
    drop(worker);
    assert!(
        waited.as_secs_f64() < 5.0,
        "woken at once, not at the next poll: {waited:?}"
    );
    assert_eq!(show(&lab.op, id)["message"]["state"], "sent");
}

#[test]
fn messages_waiting_for_the_network_go_as_soon_as_it_is_back() {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let smtpd = Smtpd::start("starttls", Some(&cert));
    // The DNS server's address is known, but nothing answers there yet: "offline". A port
    // below the system's range for outgoing connections: a TCP connection Outpost tries to a
    // port nobody listens on may be given that very port and connect to itself, and then the
    // server could not come back there.
    let at = support::free_port_below_ephemeral();
    let placeholder = DnsServer::start("example.test");
    let mut op = Outpost::new(&placeholder, &ca);
    op.env.retain(|(k, _)| k != "OUTPOST_DNS");
    op.env.push(("OUTPOST_DNS".into(), at.to_string()));
    op.add_starttls(smtpd.port, PASSWORD, &[]);
    let log = tempfile::NamedTempFile::new().unwrap();
    let out = log.reopen().unwrap();
    // Ended however the test ends.
    let worker = Killed(
        op.command(&["run"])
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap(),
    );
    let id = op.send_to_bob(&[]);
    let start = std::time::Instant::now();
    while show(&op, id)["message"]["state"] != "retry" {
        assert!(start.elapsed().as_secs() < 20, "{}", show(&op, id));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        show(&op, id)["message"]["attempts"],
        0,
        "offline time is not an attempt"
    );
    // The network comes back: the message goes within seconds, not at its next retry.
    let _dns = DnsServer::start_at("example.test", at, std::time::Duration::ZERO);
    let back = std::time::Instant::now();
    while lab_received(&smtpd) == 0 {
        assert!(
            back.elapsed().as_secs() < 20,
            "{}\n{}",
            show(&op, id),
            std::fs::read_to_string(log.path()).unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(worker);
    assert!(back.elapsed().as_secs() < 15, "took {:?}", back.elapsed());
}

fn lab_received(smtpd: &Smtpd) -> usize {
    smtpd.received().len()
}

#[test]
fn removing_an_account_says_what_becomes_of_its_waiting_messages() {
    let lab = lab(&[], PASSWORD);
    let kept = send(&lab.op, &["--to", "bob@example.net"]);

    // No terminal to ask on and no choice given: nothing is removed, and it says why.
    let (code, v) = lab.op.json(&["account", "remove", USER], "");
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "messages_waiting");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("One message from"), "{v}");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("--keep-waiting"),
        "{v}"
    );
    let (_, v) = lab.op.json(&["account", "list"], "");
    assert_eq!(
        v["accounts"].as_array().unwrap().len(),
        1,
        "still there: {v}"
    );

    // Kept: the message waits for the address to come back, then the new account sends it.
    let (code, v) = lab
        .op
        .json(&["account", "remove", USER, "--keep-waiting"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        (
            v["waiting"]["kept"].as_i64(),
            v["waiting"]["cancelled"].as_i64()
        ),
        (Some(1), Some(0)),
        "{v}"
    );
    assert_eq!(show(&lab.op, kept)["message"]["state"], "queued");
    lab.op
        .add_starttls(lab.smtpd.port, PASSWORD, &["--name", "Ann Example"]);
    run(&lab.op);
    let v = show(&lab.op, kept);
    assert_eq!(v["message"]["state"], "sent", "{v}");
    assert!(
        v["history"]
            .to_string()
            .contains("its account was added again"),
        "{v}"
    );

    // Cancelled: said in words, and the message will not be sent.
    let cancelled = send(&lab.op, &["--to", "bob@example.net"]);
    let out = lab
        .op
        .run(&["account", "remove", USER, "--cancel-waiting"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("Removed {USER}.")), "{text}");
    assert!(
        text.contains("One waiting message cancelled; it will not be sent."),
        "{text}"
    );
    let v = show(&lab.op, cancelled);
    assert_eq!(v["message"]["state"], "cancelled", "{v}");
    assert!(
        v["history"].to_string().contains("its account was removed"),
        "{v}"
    );
}

#[test]
fn an_identity_sends_with_its_name_reply_to_and_signature() {
    let lab = lab(&[], PASSWORD);
    let (code, v) = lab.op.add_identity(
        "ann.work@example.test",
        &[
            "--name",
            "Ann at Work",
            "--reply-to",
            "team@example.test",
            "--signature",
            "Ann Example\nExample Ltd",
        ],
    );
    assert_eq!(code, 0, "{v}");
    // A wrong Reply-To is refused, in words, and nothing changes.
    let (code, v) = lab
        .op
        .add_identity("x@example.test", &["--reply-to", "nope"]);
    assert_eq!(code, 2, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("'nope'"),
        "{v}"
    );
    let (code, v) = lab.op.send_as(
        "ANN.WORK@example.test",
        &[
            "--to",
            "bob@example.net",
            "--subject",
            "As Ann at work",
            "--body",
            "Hello there.",
        ],
    );
    assert_eq!(code, 0, "{v}");
    let id = v["id"].as_i64().unwrap();
    run(&lab.op);
    assert_eq!(show(&lab.op, id)["message"]["state"], "sent");
    let text = lab.smtpd.received_text().remove(0).replace("\r\n", "\n");
    assert!(
        text.contains("From: \"Ann at Work\" <ann.work@example.test>"),
        "{text}"
    );
    assert!(text.contains("Reply-To: team@example.test"), "{text}");
    assert!(text.contains("\n-- \nAnn Example\nExample Ltd"), "{text}");
    assert!(
        text.contains("X-Envelope-From: ann.work@example.test"),
        "{text}"
    );
    // sendmail picks the identity from -f too, without a signature (programs' text as is).
    let out = lab.op.run(
        &["sendmail", "-f", "ann.work@example.test", "bob@example.net"],
        "Subject: from a program\n\nbody\n",
    );
    assert!(out.status.success(), "{out:?}");
    run(&lab.op);
    let texts = lab.smtpd.received_text();
    let text = texts
        .iter()
        .find(|t| t.contains("Subject: from a program"))
        .expect("the program's message");
    assert!(
        text.contains("X-Envelope-From: ann.work@example.test"),
        "{text}"
    );
    assert!(!text.contains("Example Ltd"), "{text}");
    // Removed, it no longer sends.
    let (code, _) = lab.op.json(
        &["account", "identity", "remove", "ann.work@example.test"],
        "",
    );
    assert_eq!(code, 0);
    let (code, v) = lab.op.send_as(
        "ann.work@example.test",
        &["--to", "b@example.net", "--body", "x"],
    );
    assert_eq!(code, 2, "{v}");
}

#[test]
fn the_queue_says_whether_a_sender_runs_which_and_since_when() {
    let lab = lab(&[], PASSWORD);
    let sender = |op: &Outpost| {
        let (code, v) = op.json(&["queue", "list"], "");
        assert_eq!(code, 0, "{v}");
        v["sender"].clone()
    };
    assert_eq!(sender(&lab.op)["running"], false);
    // A message set to leave in an hour waits, and nothing sends it: the list says so.
    send(&lab.op, &["--to", "bob@example.net", "--delay", "3600"]);
    let out = lab.op.run(&["queue", "list"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Nothing is sending now"), "{text}");
    let run = Killed(
        lab.op
            .command(&["run"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = std::time::Instant::now();
    let s = loop {
        let s = sender(&lab.op);
        if s["running"] == true {
            break s;
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "the sender never showed: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(s["pid"], run.0.id(), "{s}");
    assert_eq!(s["role"], "run", "{s}");
    assert!(s["since"].as_i64().unwrap() > 0, "{s}");
    assert!(
        s["next_due"].as_i64().unwrap() > 0,
        "the message for later: {s}"
    );
    let out = lab.op.run(&["queue", "list"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Sending: 'outpost run' (process {})", run.0.id())),
        "{text}"
    );
    drop(run);
    assert_eq!(
        sender(&lab.op)["running"],
        false,
        "it ended with its process"
    );
}

#[test]
fn run_stop_lets_the_sender_finish_what_it_sends_and_stop_losing_and_repeating_nothing() {
    // Each message's last reply takes a while: the stop arrives in the middle of the drain.
    let lab = lab(&["--data-delay", "0.3"], PASSWORD);
    let ids: Vec<i64> = (0..6)
        .map(|_| send(&lab.op, &["--to", "bob@example.net"]))
        .collect();
    let mut sender = Killed(
        lab.op
            .command(&["run"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let states = |op: &Outpost| -> Vec<String> {
        let (_, v) = op.json(&["queue", "list"], "");
        let list = v["messages"].as_array().unwrap();
        list.iter()
            .map(|m| m["state"].as_str().unwrap().to_string())
            .collect()
    };
    let started = std::time::Instant::now();
    while !states(&lab.op).iter().any(|s| s == "sent") {
        assert!(started.elapsed().as_secs() < 20, "nothing was sent");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (code, v) = lab.op.json(&["run", "--stop"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stopped"], true, "{v}");
    assert_eq!(v["pid"], sender.0.id(), "{v}");
    let ended = (0..100).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        sender.0.try_wait().unwrap()
    });
    assert!(
        ended.is_some_and(|s| s.success()),
        "the sender ended by itself"
    );
    let after = states(&lab.op);
    let sent = after.iter().filter(|s| *s == "sent").count();
    assert!(
        (1..ids.len()).contains(&sent) && after.iter().all(|s| s == "sent" || s == "queued"),
        "stopped in the middle, nothing left half-sent: {after:?}"
    );
    let (_, v) = lab.op.json(&["run", "--stop"], "");
    assert_eq!(v["running"], false, "{v}");
    // The rest leaves with the next sender, and each message arrives once.
    run(&lab.op);
    assert!(states(&lab.op).iter().all(|s| s == "sent"));
    assert_eq!(lab.smtpd.received().len(), ids.len());
}

#[test]
fn sent_texts_are_let_go_when_asked_or_after_their_time_and_the_file_shrinks() {
    let lab = lab(&[], PASSWORD);
    let big = tempfile::tempdir().unwrap();
    let attachment = big.path().join("photo.jpg");
    std::fs::write(&attachment, vec![7u8; 2_000_000]).unwrap();
    let attach = attachment.display().to_string();
    let sent = send(&lab.op, &["--to", "bob@example.net", "--attach", &attach]);
    let out = lab.op.run(&["run", "--until-empty"], "");
    assert!(out.status.success());
    let waiting = send(
        &lab.op,
        &[
            "--to",
            "bob@example.net",
            "--attach",
            &attach,
            "--delay",
            "3600",
        ],
    );
    let (code, before) = lab.op.json(&["queue", "stats"], "");
    assert_eq!(code, 0, "{before}");
    assert_eq!(before["messages"]["sent"], 1, "{before}");
    assert_eq!(before["texts_kept"], 2, "{before}");
    assert_eq!(before["keep_sent_text_days"], 30, "{before}");
    assert!(
        before["text_bytes"].as_u64().unwrap() > 5_000_000,
        "{before}"
    );
    let text = String::from_utf8_lossy(&lab.op.run(&["queue", "stats"], "").stdout).to_string();
    assert!(text.contains("The outbox holds 2 messages"), "{text}");
    assert!(text.contains("keep their text for 30 days"), "{text}");
    // Sent a moment ago: the setting's 30 days keep it.
    let (_, v) = lab.op.json(&["queue", "prune"], "");
    assert_eq!(v["pruned"], 0, "{v}");
    // Asked for everything finished: the sent one goes, the waiting one stays.
    let (code, v) = lab.op.json(&["queue", "prune", "--older-than", "0"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["pruned"], 1, "{v}");
    let (_, after) = lab.op.json(&["queue", "stats"], "");
    assert_eq!(after["texts_kept"], 1, "{after}");
    assert!(
        after["file_bytes"].as_u64().unwrap() + 2_000_000 < before["file_bytes"].as_u64().unwrap(),
        "{before} → {after}"
    );
    let (_, shown) = lab.op.json(&["queue", "show", &sent.to_string()], "");
    assert_eq!(shown["message"]["kept"], false, "{shown}");
    assert_eq!(
        shown["message"]["state"], "sent",
        "its history stays: {shown}"
    );
    assert!(!shown["history"].as_array().unwrap().is_empty());
    let (_, shown) = lab.op.json(&["queue", "show", &waiting.to_string()], "");
    assert_eq!(shown["message"]["kept"], true, "{shown}");
    // The setting, from the command line: a file of its own, read by every sender.
    let (code, v) = lab.op.json(&["queue", "keep-text", "--forever"], "");
    assert_eq!(code, 0, "{v}");
    let file = lab.op.home.path().join("config/outbox.toml");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("keep_sent_text_days = \"forever\"")
    );
    let (_, v) = lab.op.json(&["queue", "stats"], "");
    assert_eq!(v["keep_sent_text_days"], "forever", "{v}");
    // A file written by hand that says nothing Outpost knows: said, with what to write.
    std::fs::write(&file, "keep_sent_text_days = \"a while\"\n").unwrap();
    let (code, v) = lab.op.json(&["queue", "prune"], "");
    assert_eq!(code, 1, "{v}");
    let said = v["error"]["message"].as_str().unwrap();
    assert!(
        said.contains("neither a number of days nor \"forever\""),
        "{said}"
    );
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("keep_sent_text_days = 30"),
        "{v}"
    );
}
