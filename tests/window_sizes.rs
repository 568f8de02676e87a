//! At the smallest size the window allows (`outpost::ui::MIN_SIZE`), every screen fits its
//! width: nothing is drawn past the window's edge (long text is cut with "…" and shown whole
//! on hover), and each screen's main action is in view without scrolling.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use outpost::ui::{MIN_SIZE, OutpostApp};
use support::ui::{WindowSetup, assert_fits, open_outbox, wait_for, window_with_account};

fn assert_in_view(harness: &Harness<'_, OutpostApp>, label: &str) {
    let r = harness.get_by_label(label).rect();
    assert!(
        r.bottom() <= MIN_SIZE[1] && r.right() <= MIN_SIZE[0],
        "{label:?} is out of view at {MIN_SIZE:?}: {r:?}"
    );
}

fn small(zone: &str) -> WindowSetup {
    let mut setup = WindowSetup::new(zone);
    setup.size = MIN_SIZE;
    setup
}

#[test]
fn the_first_run_wizard_fits_the_smallest_window() {
    let (mut harness, _lab) = small("example.test").open();
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    assert_fits(&harness, "the wizard");
    assert_in_view(&harness, "Continue");
}

#[test]
fn every_screen_fits_the_smallest_window() {
    let (mut harness, lab) = window_with_account(small("example.test"));
    let who = format!("{} (default)", support::USER);
    harness.get_by_label(&who).click();
    harness.run();
    wait_for(&mut harness, "the account's settings", |h| {
        h.query_by_label("Save changes").is_some()
    });
    assert_fits(&harness, "the account form");

    let op = lab.outpost();
    for subject in [
        "Minutes of Tuesday's meeting, with the action items everyone agreed on at the end",
        "Train tickets",
    ] {
        op.send(&[
            "--to",
            "Bob Example-Longname <bob.example.longname@a-rather-long-domain.example.net>",
            "--subject",
            subject,
            "--body",
            "hello",
        ]);
    }
    open_outbox(&mut harness);
    wait_for(&mut harness, "the messages", |h| {
        h.query_by_label("Train tickets").is_some()
    });
    harness.get_by_label("Train tickets").click();
    harness.run();
    wait_for(&mut harness, "the details", |h| {
        h.query_by_label("History").is_some()
    });
    assert_fits(&harness, "the outbox");

    harness
        .query_all_by_label("Write")
        .next()
        .expect("the Write tab")
        .click();
    harness.run();
    wait_for(&mut harness, "the message editor", |h| {
        h.query_by_label("Send").is_some()
    });
    assert_fits(&harness, "Write");
    assert_in_view(&harness, "Send");

    harness.get_by_label("Settings").click();
    harness.run();
    assert_fits(&harness, "Settings");
}
