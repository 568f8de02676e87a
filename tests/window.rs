//! The window, driven by label like a person would (egui_kittest), against real servers: the
//! account form's live connection check, its failure explanation, saving, and a self-signed
//! certificate trusted for the account.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use support::ui::{
    WindowSetup, fill_form, save_in_session_keyring, wait_for, window, window_with_account,
};
use support::{PASSWORD, USER};

#[test]
fn the_form_tests_a_connection_live_and_shows_each_step() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness.get_by_label("Check connection").click();
    // A spinner keeps repainting while the check runs: step, do not wait to settle.
    harness.step();
    wait_for(&mut harness, "the test to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    for step in [
        "Find the server",
        "Connect",
        "Switch to encryption",
        "Encrypt the connection",
        "Check what the server supports",
        "Log in",
        "Say goodbye",
    ] {
        assert!(
            harness.query_all_by_label(step).next().is_some(),
            "step {step} shown"
        );
    }
    // Each result in a word, each time in milliseconds on loopback (never "0.0 s"); the
    // server's own words one click away.
    assert!(harness.query_all_by_label("passed").count() >= 7);
    assert!(harness.query_by_label("0.0 s").is_none());
    assert!(harness.query_all_by_label_contains(" ms").count() >= 7);
    assert!(harness.query_by_label_contains("logged in as").is_none());
    assert!(harness.query_by_label_contains("221").is_none());
    harness.get_by_label("Details").click();
    harness.run();
    assert!(harness.query_by_label_contains("logged in as").is_some());
}

#[test]
fn the_checks_details_wrap_within_the_smallest_window() {
    let size = outpost::ui::MIN_SIZE;
    let (mut harness, lab) = WindowSetup {
        size,
        smtpd_args: vec!["--smtputf8".into()],
        ..WindowSetup::new("example.test")
    }
    .open();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness.get_by_label("Check connection").click_accesskit();
    harness.step();
    wait_for(&mut harness, "the test to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    harness.get_by_label("Details").click_accesskit();
    harness.run();
    // The server's extensions, the longest answer, wrap: none is cut at the window's edge.
    let extensions = harness
        .query_all_by(|n| n.value().is_some_and(|v| v.contains("SMTPUTF8")))
        .next()
        .expect("the server's extensions");
    let right = extensions.accesskit_node().bounding_box().unwrap().x1;
    assert!(
        right <= f64::from(size[0]),
        "the extensions end at {right}, the window at {}",
        size[0]
    );
}

#[test]
fn a_failed_login_is_explained_with_what_to_do() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, "wrong password");
    harness.get_by_label("Check connection").click();
    // A spinner keeps repainting while the check runs: step, do not wait to settle.
    harness.step();
    wait_for(&mut harness, "the failure", |h| {
        h.query_by_label_contains("What to do:").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("The server refused the user name or password")
            .is_some()
    );
    assert!(harness.query_by_label_contains("app password").is_some());
    // The conversation, for the provider's support, with the password hidden.
    harness.get_by_label("Copy transcript").click();
    harness.step();
    let copied: Vec<String> = harness
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied.len(), 1, "{copied:?}");
    assert!(
        copied[0].contains("C: AUTH PLAIN [hidden]"),
        "{}",
        copied[0]
    );
    assert!(copied[0].contains("S: 535"), "{}", copied[0]);
    assert!(!copied[0].contains("wrong password"), "{}", copied[0]);
    harness.run();
    assert!(harness.query_by_label("Copied to the clipboard.").is_some());
}

#[test]
fn saving_adds_the_account_to_the_list_without_writing_the_password() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness
        .get_by_label("For this session only (forgotten at logout)")
        .click();
    harness.run();
    harness.get_by_label("Save account").click();
    harness.run();
    // Not tested yet: saving asks first, and says what it means.
    assert!(
        harness
            .query_by_label("These settings have not been checked.")
            .is_some()
    );
    assert!(
        harness
            .query_by_label(&format!("{USER} (default)"))
            .is_none()
    );
    harness.get_by_label("Save anyway").click();
    harness.run();
    wait_for(&mut harness, "the save", |h| {
        h.query_by_label(&format!("{USER} (default)")).is_some()
    });
    // Said beside the button that saved (not at the top of a long form), and to a screen
    // reader as it appears.
    let said = format!("Saved {USER}.");
    let saved = harness.get_by_label(&said);
    assert_eq!(saved.accesskit_node().live(), egui::accesskit::Live::Polite);
    let saved_box = saved.accesskit_node().bounding_box().unwrap();
    let button = harness
        .get_by_label("Save changes")
        .accesskit_node()
        .bounding_box()
        .unwrap();
    assert!(
        saved_box.y0 < button.y1 && button.y0 < saved_box.y1,
        "on the button's line: {saved_box:?} beside {button:?}"
    );
    // The saved account tests with the password from the keyring (the field is blank now).
    harness.get_by_label("Check connection").click();
    // A spinner keeps repainting while the check runs: step, do not wait to settle.
    harness.step();
    wait_for(&mut harness, "the test to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    for (path, bytes) in support::all_files(lab.home.path()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "password found in {}",
            path.display()
        );
    }
}

#[test]
fn the_window_sends_what_the_command_line_queues() {
    let (mut harness, lab) = window();
    wait_for(&mut harness, "the first-run form", |h| {
        h.query_by_label("E-mail address").is_some()
    });
    let op = lab.outpost();
    op.add_starttls(lab.smtpd.port, PASSWORD, &[]);
    op.send_to_bob(&[]);
    wait_for(&mut harness, "the window's worker to send it", |h| {
        h.query_by_label_contains("message #1 sent").is_some()
    });
    assert_eq!(lab.smtpd.received().len(), 1);
    let (_, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(
        v["error"]["kind"], "already_running",
        "the window holds the outbox: {v}"
    );
}

/// The value labelled by a row's `name` (the name's own node carries it too), and where it
/// ends on the right.
fn valued(harness: &Harness<'_, outpost::ui::OutpostApp>, name: &str) -> (String, f64) {
    let node = harness
        .query_by(|n| n.label().is_some_and(|l| l == name) && n.value().is_some_and(|v| v != name))
        .unwrap_or_else(|| panic!("no value for {name}"));
    let right = node.accesskit_node().bounding_box().map_or(0.0, |b| b.x1);
    (node.value().unwrap_or_default(), right)
}

#[test]
fn a_self_signed_certificate_is_shown_trusted_for_the_account_and_kept() {
    let setup = WindowSetup {
        self_signed: true,
        ..WindowSetup::new("example.test")
    };
    let (mut harness, lab) = setup.open();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness.get_by_label("Check connection").click();
    harness.step();
    wait_for(&mut harness, "the refused certificate", |h| {
        h.query_by_label("Trust this certificate for this account")
            .is_some()
    });
    assert!(
        harness
            .query_all_by_label_contains("issued by itself")
            .next()
            .is_some()
    );
    // The panel names the server; the fingerprint to compare is there whole, in lines
    // within the window, and the text points up at it.
    assert!(
        harness
            .query_by_label("The certificate of mail.example.test")
            .is_some()
    );
    let (issued_to, _) = valued(&harness, "Issued to");
    assert!(issued_to.starts_with("mail.example.test ("), "{issued_to}");
    let (shown, right) = valued(&harness, "Key SHA-256");
    assert_eq!(shown.lines().count(), 4, "{shown}");
    let width = f64::from(harness.ctx.content_rect().width());
    assert!(
        right <= width,
        "the fingerprint ends at {right}, the window at {width}"
    );
    assert!(
        harness
            .query_by_label_contains("the key's SHA-256 above is the one")
            .is_some()
    );
    assert!(
        harness.query_by_label_contains("SECURITY.md").is_none(),
        "the window points at no file of the source"
    );
    assert!(lab.smtpd.logins().is_empty(), "no login before trusting");

    // Below the fold: as a screen reader (or a keyboard) reaches it.
    harness
        .get_by_label("Trust this certificate for this account")
        .click_accesskit();
    harness.step();
    wait_for(&mut harness, "the check to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    assert!(harness.query_by_label("Trusted certificate").is_some());
    assert!(
        harness
            .query_by_label_contains("accepts only this key from mail.example.test")
            .is_some()
    );
    harness.get_by_label("Details").click_accesskit();
    harness.run();
    assert!(
        harness
            .query_all_by_label_contains("trusted for this account")
            .next()
            .is_some()
    );
    save_in_session_keyring(&mut harness);
    wait_for(&mut harness, "the save", |h| {
        h.query_by_label(&format!("{USER} (default)")).is_some()
    });
    let (code, v) = lab.outpost().json(&["account", "list"], "");
    assert_eq!(code, 0, "{v}");
    let pin = &v["accounts"][0]["pinned_certificate"];
    assert_eq!(pin["sha256"].as_str().map(str::len), Some(95), "{v}");
    assert_eq!(
        pin["sha256"].as_str(),
        Some(shown.replace('\n', ":").as_str())
    );
    assert!(
        pin["exception"]
            .as_str()
            .unwrap_or_default()
            .contains("issued by itself"),
        "{v}"
    );
}

#[test]
fn the_form_keeps_the_imap_server_for_copies_and_their_switch() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    // Closed at first, saying where copies go; open, it asks for the server in words.
    assert!(
        harness
            .query_by_label_contains("No IMAP server is set")
            .is_some()
    );
    harness.get_by_label("Copies in the Sent folder").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Enter the IMAP server")
            .is_some()
    );
    support::ui::type_into(&mut harness, "IMAP server", "imap.example.test");
    support::ui::type_into(&mut harness, "IMAP port", "1993");
    save_in_session_keyring(&mut harness);
    harness.get_by_label("Save anyway").click();
    harness.run();
    wait_for(&mut harness, "the save", |h| {
        h.query_by_label(&format!("{USER} (default)")).is_some()
    });
    let accounts = |lab: &support::ui::Lab| {
        let file = lab.home.path().join("config/accounts.json");
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["accounts"][0]["imap"].clone()
    };
    let imap = accounts(&lab);
    assert_eq!(imap["host"], "imap.example.test", "{imap}");
    assert_eq!(imap["port"], 1993, "{imap}");
    assert_eq!(imap["security"], "tls", "{imap}");
    assert_eq!(imap["sent_copy"], true, "{imap}");
    // Switched off: the server is kept, copies are not filed.
    harness
        .get_by_label("File a copy of each sent message in the Sent folder (IMAP)")
        .click();
    harness.run();
    assert!(harness.query_by_label("IMAP server").is_none());
    harness.get_by_label("Save changes").click();
    harness.run();
    if harness.query_by_label("Save anyway").is_some() {
        harness.get_by_label("Save anyway").click();
        harness.run();
    }
    wait_for(&mut harness, "the second save", |_| {
        accounts(&lab)["sent_copy"] == false
    });
    assert_eq!(accounts(&lab)["host"], "imap.example.test");
}

#[test]
fn with_an_account_the_accounts_page_no_longer_says_welcome() {
    let (harness, lab) = window_with_account(WindowSetup::new("example.test"));
    drop(harness);
    // The next start: the account is there, nothing open beside the list.
    let mut harness = lab.window_again();
    wait_for(&mut harness, "the account in the list", |h| {
        h.query_by_label_contains(USER).is_some()
    });
    assert!(harness.query_by_label("Welcome to Outpost").is_none());
    assert!(
        harness.query_by_label("Your accounts").is_some(),
        "{}",
        support::ui::screen_text(&harness)
    );
}

#[test]
fn the_status_line_and_the_outbox_tab_say_the_same() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    assert!(harness.query_by_label("Outbox: Nothing to send.").is_some());
    lab.outpost().send(&[
        "--to",
        "bob@example.net",
        "--body",
        "later",
        "--delay",
        "3600",
    ]);
    wait_for(&mut harness, "the tab's count", |h| {
        h.query_by_label("Outbox (1 waiting)").is_some()
    });
    assert!(
        harness.query_by_label("Outbox: Nothing to send.").is_none(),
        "{}",
        support::ui::screen_text(&harness)
    );
    assert!(harness.query_by_label_contains("Outbox: 1 ").is_some());
}
