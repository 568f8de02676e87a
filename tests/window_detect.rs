//! The add-account form finds the settings itself, live, against the detection lab (DNS with
//! SRV records on loopback): trusted results fill the fields, untrusted ones need an explicit
//! confirmation, and nothing found leaves a pre-filled manual form.

mod support;

use egui_kittest::kittest::{NodeT, Queryable};
use support::ui::{type_into, wait_for, window_with_zone};

fn find(harness: &mut egui_kittest::Harness<'_, outpost::ui::OutpostApp>, email: &str) {
    wait_for(harness, "the first-run form", |h| {
        h.query_by_label("E-mail address").is_some()
    });
    type_into(harness, "E-mail address", email);
    harness.get_by_label("Find settings automatically").click();
    harness.step();
}

fn field(harness: &egui_kittest::Harness<'_, outpost::ui::OutpostApp>, label: &str) -> String {
    harness.get_by_label(label).value().unwrap_or_default()
}

#[test]
fn found_settings_fill_the_form_and_say_where_they_came_from() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    find(&mut harness, "ann@srv.detect.test");
    wait_for(&mut harness, "the settings", |h| {
        h.query_by_label_contains("Found by: DNS service records (SRV)")
            .is_some()
    });
    assert_eq!(field(&harness, "Server"), "mail.srv.detect.test");
    assert_eq!(field(&harness, "Port"), "465");
    assert!(
        harness
            .query_by_label_contains("Finding settings")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Use instead: mail.srv.detect.test:587")
            .is_some(),
        "the alternative is offered"
    );
}

#[test]
fn untrusted_settings_need_an_explicit_confirmation() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    find(&mut harness, "ann@foreign.detect.test");
    wait_for(&mut harness, "the settings", |h| {
        h.query_by_label_contains("Found by:").is_some()
    });
    assert_eq!(field(&harness, "Server"), "smtp.elsewhere.test");
    assert!(
        harness
            .query_by_label_contains("outside foreign.detect.test")
            .is_some()
    );
    type_into(&mut harness, "Password", "secret");
    assert!(
        harness
            .get_by_label("Save account")
            .accesskit_node()
            .is_disabled()
    );
    harness
        .get_by_label("I checked these settings and trust them")
        .click();
    harness.run();
    assert!(
        !harness
            .get_by_label("Save account")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn nothing_found_leaves_a_prefilled_manual_form() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    find(&mut harness, "ann@nowhere.detect.test");
    wait_for(&mut harness, "the explanation", |h| {
        h.query_by_label_contains("No settings were found")
            .is_some()
    });
    assert_eq!(field(&harness, "Server"), "smtp.nowhere.detect.test");
}
