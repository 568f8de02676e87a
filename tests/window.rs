//! The window, driven by label like a person would (egui_kittest), against real servers: the
//! account form's live connection test, its failure explanation, and saving.

mod support;

use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::net::NetConfig;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::OutpostApp;
use support::{DnsServer, PASSWORD, Smtpd, TestCa, USER};

struct Lab {
    _ca: TestCa,
    _dns: DnsServer,
    smtpd: Smtpd,
    home: tempfile::TempDir,
}

fn window() -> (Harness<'static, OutpostApp>, Lab) {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let home = tempfile::tempdir().unwrap();
    let net = NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: Some(ca.ca_pem.clone()),
    };
    let core = Core::start(&Paths::under(home.path()), Ok(net), || {});
    let harness = Harness::builder()
        .with_size([1000.0, 900.0])
        .with_max_steps(200)
        .build_ui_state(
            |ui, app: &mut OutpostApp| app.show(ui),
            OutpostApp::new(core),
        );
    let lab = Lab {
        _ca: ca,
        _dns: dns,
        smtpd,
        home,
    };
    (harness, lab)
}

/// Steps the UI until `done` holds; background events arrive on their own time.
fn wait_for(
    harness: &mut Harness<'_, OutpostApp>,
    what: &str,
    done: impl Fn(&Harness<'_, OutpostApp>) -> bool,
) {
    let start = Instant::now();
    while !done(harness) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

fn type_into(harness: &mut Harness<'_, OutpostApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn fill_form(harness: &mut Harness<'_, OutpostApp>, port: u16, password: &str) {
    wait_for(harness, "the first-run form", |h| {
        h.query_by_label("E-mail address").is_some()
    });
    type_into(harness, "E-mail address", USER);
    type_into(harness, "Server", "mail.example.test");
    harness.get_by_label("Security").click();
    harness.run();
    harness.get_by_label("STARTTLS").click();
    harness.run();
    type_into(harness, "Port", &port.to_string());
    type_into(harness, "Password", password);
}

#[test]
fn the_form_tests_a_connection_live_and_shows_each_step() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness.get_by_label("Test connection").click();
    // A spinner keeps repainting while the check runs: step, do not wait to settle.
    harness.step();
    wait_for(&mut harness, "the test to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    for step in [
        "Look up server",
        "Connect",
        "Start encryption (STARTTLS)",
        "Encrypt (TLS)",
        "Log in",
    ] {
        assert!(harness.query_by_label(step).is_some(), "step {step} shown");
    }
    assert!(harness.query_by_label_contains("logged in as").is_some());
}

#[test]
fn a_failed_login_is_explained_with_what_to_do() {
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, "wrong password");
    harness.get_by_label("Test connection").click();
    // A spinner keeps repainting while the check runs: step, do not wait to settle.
    harness.step();
    wait_for(&mut harness, "the failure", |h| {
        h.query_by_label_contains("What to do:").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("The server refused the login")
            .is_some()
    );
    assert!(harness.query_by_label_contains("app password").is_some());
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
    wait_for(&mut harness, "the save", |h| {
        h.query_by_label(&format!("{USER} (default)")).is_some()
    });
    assert!(harness.query_by_label_contains("Saved").is_some());
    // The saved account tests with the password from the keyring (the field is blank now).
    harness.get_by_label("Test connection").click();
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
fn invalid_fields_disable_the_buttons_and_say_why() {
    let (mut harness, _lab) = window();
    wait_for(&mut harness, "the first-run form", |h| {
        h.query_by_label("E-mail address").is_some()
    });
    type_into(&mut harness, "E-mail address", "not-an-address");
    assert!(
        harness
            .query_by_label_contains("is not an e-mail address")
            .is_some()
    );
    assert!(
        harness
            .get_by_label("Save account")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .get_by_label("Test connection")
            .accesskit_node()
            .is_disabled()
    );
}
