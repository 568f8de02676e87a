//! The "Add account" wizard, driven by label against the lab (DNS with SRV records on
//! loopback, aiosmtpd with STARTTLS and a test CA): finding the settings live under a visible
//! deadline, cancelling, reviewing with provenance, trusting, alternatives, verifying with a
//! one-click way out of a blocked port, saving, and the test message through the outbox.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::ui::OutpostApp;
use support::ui::{
    Port, WindowSetup, past_the_blocked_port, save_and_send_a_test_message, type_into, wait_for,
    window_with_account, window_with_zone,
};
use support::{PASSWORD, USER};

fn start(harness: &mut Harness<'_, OutpostApp>, email: &str, password: &str) {
    wait_for(harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    type_into(harness, "Your name", "Ann Example");
    type_into(harness, "E-mail address", email);
    type_into(harness, "Password", password);
    harness.get_by_label("Continue").click();
    harness.step();
}

fn disabled(harness: &Harness<'_, OutpostApp>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().is_disabled()
}

fn field(harness: &Harness<'_, OutpostApp>, label: &str) -> String {
    harness.get_by_label(label).value().unwrap_or_default()
}

#[test]
fn the_wizard_finds_verifies_saves_and_sends_a_test_message() {
    let mut setup = WindowSetup::new("example.test");
    // 465 is blocked on this "network"; 587 reaches the lab server.
    setup.port_map = vec![(465, Port::Closed), (587, Port::Smtpd)];
    let (mut harness, lab) = setup.open();
    start(&mut harness, USER, PASSWORD);
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by: DNS service records (SRV)")
            .is_some()
    });
    assert!(harness.query_by_label("mail.example.test").is_some());
    assert!(
        harness
            .query_by_label("Mail goes through example.test")
            .is_some(),
        "the review says where mail goes"
    );
    assert!(
        harness
            .query_all_by_label("from DNS service records (SRV)")
            .count()
            >= 3,
        "server, port and security say where they came from"
    );
    assert!(
        harness
            .query_by_label("from usual default (your address)")
            .is_some()
    );
    // Back to the first step keeps what was typed; Continue finds the settings again.
    harness.get_by_label("Back").click();
    harness.run();
    assert!(harness.query_by_label_contains("Step 1 of 4").is_some());
    assert_eq!(field(&harness, "E-mail address"), USER);
    harness.get_by_label("Continue").click();
    harness.step();
    wait_for(&mut harness, "the review again", |h| {
        h.query_by_label_contains("Step 3 of 4").is_some() && h.query_by_label("Continue").is_some()
    });
    harness.get_by_label("Continue").click();
    harness.step();
    // From a failed check, Back leads to the settings it tried.
    wait_for(&mut harness, "the blocked port", |h| {
        h.query_by_label("Try port 587 (STARTTLS) instead")
            .is_some()
    });
    assert!(
        harness
            .query_by_label("Step 4 of 4 · The connection did not work")
            .is_some()
    );
    harness.get_by_label("Back").click();
    harness.run();
    assert!(harness.query_by_label_contains("Step 3 of 4").is_some());
    harness.get_by_label("Continue").click();
    harness.step();
    past_the_blocked_port(&mut harness);
    // Said as it ended, not "Checking" after every step passed.
    assert!(
        harness
            .query_by_label("Step 4 of 4 · The connection works")
            .is_some()
    );
    save_and_send_a_test_message(&mut harness);
    wait_for(&mut harness, "the test message queued", |h| {
        h.query_by_label_contains("Test message #1 ").is_some()
    });
    let start = std::time::Instant::now();
    while lab.smtpd.received().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(20), "not delivered");
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
    // What the wizard says follows the message.
    wait_for(&mut harness, "the test message said to be sent", |h| {
        h.query_by_label("Test message #1 was accepted by the server.")
            .is_some()
    });
    let text = lab.smtpd.received_text().remove(0);
    assert!(text.contains("Subject: Outpost test message"), "{text}");
    assert!(text.contains(&format!("To: {USER}")), "{text}");
    harness.get_by_label("Finish").click();
    harness.run();
    assert!(
        harness
            .query_by_label(&format!("{USER} (default)"))
            .is_some()
    );
    assert_eq!(
        field(&harness, "Port"),
        "587",
        "the working settings were saved"
    );
}

#[test]
fn the_address_must_be_valid_before_continuing() {
    let (mut harness, _lab) = window_with_zone("example.test");
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    assert!(disabled(&harness, "Continue"));
    type_into(&mut harness, "E-mail address", "not-an-address");
    assert!(
        harness
            .query_by_label_contains("is not an e-mail address")
            .is_some()
    );
    assert!(disabled(&harness, "Continue"));
    type_into(&mut harness, "E-mail address", "ann@example.test");
    assert!(!disabled(&harness, "Continue"));
}

#[test]
fn untrusted_settings_need_an_explicit_trust() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    start(&mut harness, "ann@foreign.detect.test", "secret");
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by:").is_some()
    });
    assert!(harness.query_by_label("smtp.elsewhere.test").is_some());
    assert!(
        harness
            .query_by_label_contains("outside foreign.detect.test")
            .is_some(),
        "the warning is shown"
    );
    assert!(disabled(&harness, "Continue"));
    harness.get_by_label("I trust these settings").click();
    harness.run();
    assert!(!disabled(&harness, "Continue"));
}

#[test]
fn alternatives_are_one_click_away() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    start(&mut harness, "ann@srv.detect.test", "secret");
    let alt = "Use mail.srv.detect.test:587 with STARTTLS from DNS service records (SRV)";
    wait_for(&mut harness, "the alternative", |h| {
        h.query_by_label(alt).is_some()
    });
    assert!(harness.query_by_label("465").is_some());
    harness.get_by_label(alt).click();
    harness.run();
    assert!(harness.query_by_label("587").is_some());
    assert!(harness.query_by_label("STARTTLS").is_some());
}

#[test]
fn nothing_found_opens_a_prefilled_manual_form() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    start(&mut harness, "ann@nowhere.detect.test", "secret");
    wait_for(&mut harness, "the explanation", |h| {
        h.query_by_label_contains("No settings were found")
            .is_some()
    });
    assert_eq!(field(&harness, "Server"), "smtp.nowhere.detect.test");
    assert_eq!(field(&harness, "E-mail address"), "ann@nowhere.detect.test");
    assert_eq!(field(&harness, "Your name"), "Ann Example");
    assert!(harness.query_by_label("Check connection").is_some());
    assert!(
        harness.query_by_label_contains("outpost account").is_none(),
        "no command line shown in the window"
    );
}

#[test]
fn settings_found_for_one_address_do_not_stay_for_another() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    start(&mut harness, "ann@srv.detect.test", "secret");
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by: DNS service records (SRV)")
            .is_some()
    });
    assert!(harness.query_by_label("mail.srv.detect.test").is_some());
    harness.get_by_label("Back").click();
    harness.run();
    type_into(&mut harness, "E-mail address", "ann@nowhere.detect.test");
    harness.get_by_label("Continue").click();
    harness.step();
    wait_for(&mut harness, "the explanation", |h| {
        h.query_by_label_contains("No settings were found")
            .is_some()
    });
    assert_eq!(
        field(&harness, "Server"),
        "smtp.nowhere.detect.test",
        "the usual server of the new address, not the one found for the old"
    );
    assert!(
        harness.query_by_label_contains("srv.detect.test").is_none(),
        "nothing found for the old address is left on the page"
    );
}

#[test]
fn finding_shows_its_deadline_and_can_be_cancelled() {
    let mut setup = WindowSetup::new("detect.test");
    setup.dns_latency = Duration::from_secs(5);
    let (mut harness, _lab) = setup.open();
    start(&mut harness, "ann@srv.detect.test", "secret");
    wait_for(&mut harness, "the search", |h| {
        h.query_by_label_contains("Searching · at most").is_some()
    });
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("The search was cancelled")
            .is_some()
    );
    assert_eq!(field(&harness, "E-mail address"), "ann@srv.detect.test");
    assert!(!disabled(&harness, "Continue"));
}

#[test]
fn the_manual_form_can_still_find_settings() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Set up manually").is_some()
    });
    harness.get_by_label("Set up manually").click();
    harness.run();
    type_into(&mut harness, "E-mail address", "ann@srv.detect.test");
    harness.get_by_label("Find settings automatically").click();
    harness.step();
    wait_for(&mut harness, "the settings", |h| {
        h.query_by_label_contains("Found by: DNS service records (SRV)")
            .is_some()
    });
    assert_eq!(field(&harness, "Server"), "mail.srv.detect.test");
    assert_eq!(field(&harness, "Port"), "465");
}

#[test]
fn a_gmail_address_is_led_to_an_app_password_with_the_advanced_sign_in_behind() {
    let size = [1280.0, 800.0];
    let (mut harness, _lab) = WindowSetup {
        size,
        ..WindowSetup::new("example.test")
    }
    .open();
    start(&mut harness, "ann@gmail.com", "my normal password");
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Gmail needs an app password")
            .is_some()
    });
    // Continue is in view at a laptop's size, without scrolling.
    let bottom = harness
        .get_by_label("Continue")
        .accesskit_node()
        .bounding_box()
        .unwrap()
        .y1;
    assert!(
        bottom <= f64::from(size[1]),
        "Continue ends at {bottom}, below the window's {}",
        size[1]
    );
    assert!(
        harness
            .query_by_label_contains("It needs 2-Step Verification on first")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("1. Turn on 2-Step Verification")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Open the app password page")
            .is_some()
    );
    assert!(
        harness.query_by_label("Setting up a mail app").is_some(),
        "Gmail's help page"
    );
    // The field asks for what Gmail takes, not the account's password: it starts empty
    // (the password typed on the first page will not work there), and has the room an
    // app password needs.
    assert_eq!(field(&harness, "App password"), "");
    let width = harness.get_by_label("App password").rect().width();
    assert!(width > 300.0, "the field is {width} points wide");
    type_into(&mut harness, "App password", "abcdefghijklmnop");
    // Hidden, and replaced what was typed on the first page.
    assert_eq!(field(&harness, "App password").chars().count(), 16);
    // The sign-in with Google is there, behind "Advanced".
    assert!(
        harness
            .query_by_label("Sign in with Google instead")
            .is_none()
    );
    harness.get_by_label("Advanced").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Sign in with Google instead")
            .is_some()
    );
}

#[test]
fn accounts_found_on_this_computer_prefill_the_form_in_one_click() {
    let setup = WindowSetup {
        user_home: Some(support::data("import/home")),
        ..WindowSetup::new("example.test")
    };
    let (mut harness, _lab) = setup.open();
    wait_for(&mut harness, "the list of accounts found", |h| {
        h.query_by_label("Found on this computer").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("from msmtp · smtp.msmtp.example:587")
            .is_some()
    );
    harness
        .get_by_label("Use ann@msmtp.example")
        .click_accesskit();
    harness.run();
    assert_eq!(field(&harness, "E-mail address"), "ann@msmtp.example");
    assert_eq!(field(&harness, "Server"), "smtp.msmtp.example");
    assert_eq!(field(&harness, "Port"), "587");
    assert_eq!(field(&harness, "User name"), "ann");
    assert!(
        harness
            .query_by_label_contains("These are the settings msmtp sends with")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("never reads it from other programs")
            .is_some()
    );
    // Good news, not a failure: no "usual settings" as if nothing had been found.
    assert!(
        harness
            .query_by_label_contains("The usual settings are filled in below")
            .is_none()
    );
}

#[test]
fn settings_found_only_by_probing_are_called_a_guess() {
    let mut setup = WindowSetup::new("detect.test");
    setup.port_map = vec![(465, Port::Closed), (587, Port::Smtpd), (25, Port::Closed)];
    let (mut harness, _lab) = setup.open();
    start(&mut harness, "ann@guess.detect.test", "secret");
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by:").is_some()
    });
    assert!(harness.query_by_label("smtp.guess.detect.test").is_some());
    assert!(
        harness.query_by_label_contains("Guessed:").is_some(),
        "a probe's answer is not presented as published settings"
    );
}

#[test]
fn enter_in_the_password_field_continues() {
    let (mut harness, _lab) = window_with_zone("example.test");
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    type_into(&mut harness, "Your name", "Ann Example");
    type_into(&mut harness, "E-mail address", "ann@example.test");
    type_into(&mut harness, "Password", "secret");
    harness.key_press(egui::Key::Enter);
    harness.step();
    wait_for(&mut harness, "the settings found", |h| {
        h.query_by_label_contains("Step 3 of 4").is_some()
    });
}

#[test]
fn a_second_address_at_the_domain_starts_from_the_accounts_settings() {
    let (mut harness, _lab) = window_with_account(WindowSetup::new("example.test"));
    harness.get_by_label("Add account").click();
    harness.run();
    start(&mut harness, "bob@example.test", "secret");
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Step 3 of 4").is_some()
    });
    assert!(
        harness
            .query_by_label("Found by: Your account at this domain (ann@example.test)")
            .is_some(),
        "said as the source"
    );
    assert!(
        harness
            .query_all_by_label("mail.example.test")
            .next()
            .is_some()
    );
}

#[test]
fn the_proxy_under_advanced_is_used_to_find_the_settings_and_kept() {
    let (mut harness, _lab) = window_with_zone("detect.test");
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    type_into(&mut harness, "E-mail address", "ann@srv.detect.test");
    harness.get_by_label("Advanced").click();
    harness.run();
    // A proxy that is no SOCKS5 address is told, and holds Continue back.
    type_into(&mut harness, "Proxy (SOCKS5)", "ftp://proxy.example");
    assert!(disabled(&harness, "Continue"));
    let closed = support::free_port();
    let proxy = format!("socks5h://127.0.0.1:{closed}");
    type_into(&mut harness, "Proxy (SOCKS5)", &proxy);
    assert!(!disabled(&harness, "Continue"));
    harness.get_by_label("Continue").click();
    harness.step();
    // The DNS sources are not asked around the proxy: the search went through it.
    let around = format!("DNS lookups would go around the proxy {proxy}");
    wait_for(&mut harness, "the search through the proxy", |h| {
        h.query_all_by_label_contains(&around).next().is_some()
    });
    wait_for(&mut harness, "the form with the proxy kept", |h| {
        h.query_by_label_contains("No settings were found")
            .is_some()
    });
    assert_eq!(field(&harness, "Proxy (SOCKS5)"), proxy);
}

#[test]
fn a_better_match_that_arrives_late_is_offered_and_taken_with_one_click() {
    let mut setup = WindowSetup::new("example.test");
    setup.port_map = vec![(465, Port::Closed), (587, Port::Smtpd)];
    // The provider's own autoconfig (ranked above SRV) answers after the grace.
    setup.dns_records = "autoconfig IN A 127.0.0.1\n".into();
    let config = r#"<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">
<domain>example.test</domain><displayName>Example Mail</displayName>
<outgoingServer type="smtp"><hostname>mail.example.test</hostname><port>587</port>
<socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>
<authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"#;
    setup.web = Some((
        serde_json::json!({
            "autoconfig.example.test /mail/config-v1.1.xml": {"body": config, "delay": 2.0},
        }),
        vec!["autoconfig.example.test".into()],
    ));
    let (mut harness, _lab) = setup.open();
    start(&mut harness, USER, PASSWORD);
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by: DNS service records (SRV)")
            .is_some()
    });
    assert!(
        harness.query_by_label("465").is_some(),
        "SRV's implicit TLS"
    );
    wait_for(&mut harness, "the better match", |h| {
        h.query_by_label_contains("A better match arrived")
            .is_some()
    });
    let offer = harness
        .get_by_label_contains("A better match arrived")
        .value()
        .unwrap_or_default();
    assert!(
        offer.contains("Provider's autoconfig (HTTPS)") && offer.contains(":587"),
        "{offer}"
    );
    harness.get_by_label("Use it").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Found by: Provider's autoconfig (HTTPS)")
            .is_some()
    );
    assert!(harness.query_by_label("587").is_some());
    assert!(harness.query_by_label("465").is_none());
    assert!(harness.query_by_label("Use it").is_none(), "offered once");
}
