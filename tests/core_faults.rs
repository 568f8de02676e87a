//! Outpost survives its own bugs. Faults are injected on purpose (`outpost::fault`, or
//! `OUTPOST_FAULT` for the binary) at each point where a panic could freeze the window or
//! stop the sending: a core task serving the window (its screen gets words, not a spinner),
//! the core itself (the window says it stopped), one sending lane (only it ends, its message
//! waits, the other account's message leaves), and a lane that panics while it holds the
//! outbox in the middle of a change (no poisoning cascade).

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui_kittest::kittest::Queryable;
use support::ui::{WindowSetup, open_outbox, wait_for, window_with_account};
use support::{DnsServer, Outpost, Smtpd, TestCa};

/// One process, one set of armed faults: the window's steps run in this one test, in order.
#[test]
fn a_bug_in_the_core_reaches_the_window_in_words_never_as_an_endless_spinner() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    lab.outpost()
        .send_to_bob(&["--subject", "Buggy details", "--delay", "3600"]);
    open_outbox(&mut harness);
    wait_for(&mut harness, "the message in the table", |h| {
        h.query_by_label("Buggy details").is_some()
    });
    // Reading the message's details panics in the core.
    outpost::fault::arm("core-task");
    harness.get_by_label("Buggy details").click();
    harness.step();
    wait_for(&mut harness, "the bug in words where the details go", |h| {
        // Where the details go, and in the status line.
        h.query_all_by_label_contains(
            "A bug in Outpost stopped it while reading or changing the message",
        )
        .count()
            == 2
    });
    assert!(
        harness
            .query_all_by_label_contains("Nothing was lost")
            .next()
            .is_some(),
        "what to try, and that nothing was lost"
    );
    assert!(
        harness.query_by_label("Loading the message").is_none(),
        "no spinner left turning"
    );
    // The core's own loop panics on the next request: the window says the core stopped.
    outpost::fault::arm("core-loop");
    harness.get_by_label("Write").click();
    harness.step();
    wait_for(&mut harness, "the window to say the core stopped", |h| {
        h.query_by_label_contains("Outpost's background part stopped because of a bug")
            .is_some()
    });
    // The message is still in the outbox, as the command line sees it.
    let (code, v) = lab.outpost().json(&["queue", "list"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["messages"][0]["subject"], "Buggy details");
}

/// Two accounts on one server, each with a message in the outbox.
struct TwoAccounts {
    op: Outpost,
    smtpd: Smtpd,
    _dns: DnsServer,
    _ca: TestCa,
    /// The first account's message.
    ann: i64,
    /// The second account's.
    zed: i64,
    /// `fault` for the first account's lanes, as `OUTPOST_FAULT` takes it.
    armed: String,
}

fn two_accounts(fault: &str) -> TwoAccounts {
    let (dns, ca) = (DnsServer::start("example.test"), TestCa::new());
    let smtpd = Smtpd::start_with("plain", None, &[]);
    let op = Outpost::new(&dns, &ca);
    for email in ["ann@example.test", "zed@example.test"] {
        op.add_without_login(email, "mail.example.test", smtpd.port);
    }
    let (_, accounts) = op.json(&["account", "list"], "");
    let id_of = |email: &str| {
        accounts["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == email)
            .unwrap_or_else(|| panic!("{email} in {accounts}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ann = id_of("ann@example.test");
    let send = |from: &str| {
        let (code, v) = op.send_as(from, &["--to", "bob@example.net", "--body", from]);
        assert_eq!(code, 0, "{v}");
        v["id"].as_i64().unwrap()
    };
    let (a, z) = (send("ann@example.test"), send("zed@example.test"));
    TwoAccounts {
        armed: format!("{fault}:{ann}"),
        op,
        smtpd,
        _dns: dns,
        _ca: ca,
        ann: a,
        zed: z,
    }
}

fn run_with_fault(op: &Outpost, fault: &str) -> serde_json::Value {
    let out = op
        .command(&["--json", "run", "--until-empty"])
        .env("OUTPOST_FAULT", fault)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(text.trim()).unwrap()
}

fn show(op: &Outpost, id: i64) -> serde_json::Value {
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v
}

/// The lane of the first account panicked (at `fault`): the other account's message left,
/// the first account's waits to be tried again with the bug in its history, and leaves once
/// the bug is gone.
fn only_the_lane_with_the_bug_ends(fault: &str) {
    let lab = two_accounts(fault);
    let (op, smtpd, ann, zed) = (&lab.op, &lab.smtpd, lab.ann, lab.zed);
    let v = run_with_fault(op, &lab.armed);
    assert!(
        v["events"]
            .to_string()
            .contains("A bug stopped one connection"),
        "{v}"
    );
    assert_eq!(
        show(op, zed)["message"]["state"],
        "sent",
        "the other lane went on"
    );
    let m = show(op, ann);
    assert_eq!(m["message"]["state"], "retry", "{m}");
    let last = &m["message"]["last_event"];
    assert_eq!(last["kind"], "retry", "{m}");
    assert_eq!(last["cause"]["reason"], "bug", "{m}");
    assert!(
        last["cause"]["panic"]
            .as_str()
            .unwrap()
            .contains("a fault injected"),
        "{m}"
    );
    // Without the bug, it leaves.
    let (code, v) = op.json(&["queue", "retry", &ann.to_string()], "");
    assert_eq!(code, 0, "{v}");
    run_with_fault(op, "");
    assert_eq!(show(op, ann)["message"]["state"], "sent");
    let bodies = smtpd.received_text();
    assert!(bodies.iter().any(|b| b.contains("zed@example.test")));
    assert!(bodies.iter().any(|b| b.contains("ann@example.test")));
}

#[test]
fn a_bug_in_one_lane_ends_only_that_lane_and_its_message_waits() {
    only_the_lane_with_the_bug_ends("lane");
}

#[test]
fn a_lane_that_panics_holding_the_outbox_poisons_no_other_lane() {
    // The panic comes while the outcome is being written, inside the transaction: the
    // other lanes roll it back and go on. The message had reached the server, so it may
    // arrive twice (at most one per lane, as after a kill).
    only_the_lane_with_the_bug_ends("record");
}
