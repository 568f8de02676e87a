//! The window in German, as with LANG=de_DE.UTF-8: the first-run wizard from the first step
//! to the test message, at the smallest window size, nothing cut off at any step; the words,
//! the test message and the account list are German. (A test binary of its own: the language
//! is the process's.)

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use outpost::i18n::Language;
use outpost::ui::MIN_SIZE;
use support::ui::{Port, WindowSetup, assert_fits, open_tab, type_into, wait_for, wait_received};
use support::{PASSWORD, USER};

#[test]
fn the_wizard_in_german_fits_the_smallest_window_at_every_step() {
    let mut setup = WindowSetup::new("example.test");
    setup.size = MIN_SIZE;
    setup.language = Language::German;
    // Long enough to see step 2; 465 is blocked, so the failed check is seen too.
    setup.dns_latency = Duration::from_millis(400);
    setup.port_map = vec![(465, Port::Closed), (587, Port::Smtpd)];
    let (mut harness, lab) = setup.open();
    wait_for(&mut harness, "Schritt 1", |h| {
        h.query_by_label_contains("Schritt 1 von 4 · Wer Sie sind")
            .is_some()
    });
    assert_fits(&harness, "Schritt 1");
    assert!(harness.query_by_label("Von Hand einrichten").is_some());
    type_into(&mut harness, "Ihr Name", "Anna Beispiel");
    type_into(&mut harness, "E-Mail-Adresse", USER);
    type_into(&mut harness, "Passwort", PASSWORD);
    harness.get_by_label("Weiter").click();
    harness.step();
    wait_for(&mut harness, "Schritt 2", |h| {
        h.query_by_label_contains("Schritt 2 von 4").is_some()
    });
    assert_fits(&harness, "Schritt 2");

    wait_for(&mut harness, "Schritt 3", |h| {
        h.query_by_label_contains("Gefunden durch: DNS-Diensteinträge (SRV)")
            .is_some()
            && h.query_by_label("Weiter").is_some()
    });
    assert_fits(&harness, "Schritt 3");
    assert!(
        harness
            .query_by_label("Mail geht über example.test")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Quelle: übliche Vorgabe (Ihre Adresse)")
            .is_some()
    );
    harness.get_by_label("Weiter").click();
    harness.step();

    let instead = "Stattdessen Port 587 (STARTTLS) versuchen";
    wait_for(&mut harness, "der Ausweg aus dem gesperrten Port", |h| {
        h.query_by_label(instead).is_some()
    });
    assert_fits(&harness, "Schritt 4, fehlgeschlagen");
    assert!(harness.query_by_label_contains("Was tun:").is_some());
    harness.get_by_label(instead).click();
    harness.step();
    wait_for(&mut harness, "die bestandene Prüfung", |h| {
        h.query_by_label_contains("Alle Schritte bestanden")
            .is_some()
    });
    assert_fits(&harness, "Schritt 4, bestanden");

    harness
        .get_by_label("Nur für diese Sitzung (beim Abmelden vergessen)")
        .click();
    harness.run();
    harness.get_by_label("Konto speichern").click();
    harness.step();
    wait_for(&mut harness, "das gespeicherte Konto", |h| {
        h.query_by_label_contains("ist bereit zum Senden").is_some()
    });
    assert_fits(&harness, "Fertig");
    harness.get_by_label("Testnachricht an mich senden").click();
    harness.step();
    wait_received(&mut harness, &lab, 1);
    wait_for(&mut harness, "die gesendete Testnachricht", |h| {
        h.query_by_label("Testnachricht Nr. 1 wurde vom Server angenommen.")
            .is_some()
    });
    assert_fits(&harness, "Fertig, Testnachricht gesendet");
    let text = lab.smtpd.received_text().remove(0);
    assert!(
        text.contains("Subject: Testnachricht von Outpost"),
        "{text}"
    );

    harness.get_by_label("Fertigstellen").click();
    harness.run();
    assert!(
        harness
            .query_by_label(&format!("{USER} (Standard)"))
            .is_some()
    );
    assert_fits(&harness, "Kontoeinstellungen");

    // The other screens, with their longer German words, fit too.
    open_tab(&mut harness, "Postausgang");
    wait_for(&mut harness, "der Postausgang", |h| {
        h.query_by_label("Testnachricht von Outpost").is_some()
    });
    assert!(
        harness.query_by_label("gesendet").is_some(),
        "the state in German"
    );
    assert_fits(&harness, "Postausgang");
    harness.get_by_label("Testnachricht von Outpost").click();
    harness.run();
    wait_for(&mut harness, "die Details", |h| {
        h.query_by_label("Verlauf").is_some()
    });
    assert_fits(&harness, "Postausgang mit Details");
    open_tab(&mut harness, "Schreiben");
    harness.run();
    wait_for(&mut harness, "Schreiben", |h| {
        h.query_by_label("Senden").is_some()
    });
    assert_fits(&harness, "Schreiben");
    open_tab(&mut harness, "Einstellungen");
    harness.run();
    assert_fits(&harness, "Einstellungen");
}

#[test]
fn a_gmail_address_gets_googles_steps_in_german() {
    let mut setup = WindowSetup::new("example.test");
    setup.size = MIN_SIZE;
    setup.language = Language::German;
    let (mut harness, _lab) = setup.open();
    wait_for(&mut harness, "Schritt 1", |h| {
        h.query_by_label("Weiter").is_some()
    });
    type_into(&mut harness, "E-Mail-Adresse", "anna@gmail.com");
    type_into(&mut harness, "Passwort", "mein normales Passwort");
    harness.get_by_label("Weiter").click();
    harness.step();
    wait_for(&mut harness, "die Anleitung für Gmail", |h| {
        h.query_by_label_contains("Gmail verlangt ein App-Passwort")
            .is_some()
    });
    // The provider's facts in German too, from Google's German help page.
    for words in [
        "Dazu muss zuerst die Bestätigung in zwei Schritten eingeschaltet sein",
        "1. Schalten Sie für Ihr Google-Konto die Bestätigung in zwei Schritten ein",
        "3. Geben Sie einen Namen wie „Outpost“ ein",
    ] {
        assert!(harness.query_by_label_contains(words).is_some(), "{words}");
    }
    assert!(
        harness
            .query_by_label("Seite für App-Passwörter öffnen")
            .is_some()
    );
    assert!(
        harness.query_by_label("App-Passwort").is_some(),
        "the field's name"
    );
    assert_fits(&harness, "Schritt 3 für Gmail");
}
