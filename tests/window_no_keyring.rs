//! The window when no keyring service runs: saving says so plainly and offers the session
//! keyring with one click. Alone in its test binary, because it points the process's D-Bus
//! address at nothing before anything else starts.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui_kittest::kittest::Queryable;
use support::ui::{fill_form, wait_for, window};
use support::{PASSWORD, USER};

#[test]
fn without_a_keyring_service_saving_offers_the_session_keyring() {
    let nowhere = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary, and no other thread has started yet.
    unsafe {
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", nowhere.path().display()),
        );
    }
    let (mut harness, lab) = window();
    fill_form(&mut harness, lab.smtpd.port, PASSWORD);
    harness.get_by_label("Save account").click();
    harness.run();
    harness.get_by_label("Save anyway").click();
    harness.run();
    wait_for(&mut harness, "the keyring error", |h| {
        h.query_by_label_contains("No keyring service is running")
            .is_some()
    });
    harness
        .get_by_label("Keep the password for this session only")
        .click();
    harness.run();
    wait_for(&mut harness, "the save", |h| {
        h.query_by_label(&format!("{USER} (default)")).is_some()
    });
    let file = std::fs::read_to_string(lab.home.path().join("config/accounts.json")).unwrap();
    assert!(file.contains("\"secret_backend\": \"session\""), "{file}");
    assert!(!file.contains(PASSWORD));
}
