//! Settings and what the window remembers: choices, the last screen and the outbox filter
//! survive a restart (through eframe's storage, as the real window saves it); the theme and
//! size follow the choices; and the first page stays usable at 2× scale.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::net::NetConfig;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::{OutpostApp, Remembered};
use support::ui::wait_for;

#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.into(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn window(
    home: &std::path::Path,
    remembered: Remembered,
    ppp: f32,
) -> Harness<'static, OutpostApp> {
    let core = Core::start(&Paths::under(home), Ok(NetConfig::default()), || {});
    Harness::builder()
        .with_size([900.0, 620.0])
        .with_pixels_per_point(ppp)
        .with_max_steps(200)
        .build_ui_state(
            |ui, app: &mut OutpostApp| app.show(ui),
            OutpostApp::restore(core, remembered),
        )
}

fn add_account(home: &std::path::Path) {
    support::account_without_login(
        &Paths::under(home),
        "ann@example.test",
        "relay.example.test",
        25,
        outpost::account::Security::Starttls,
    );
}

fn checked(harness: &Harness<'_, OutpostApp>, label: &str) -> bool {
    matches!(
        harness.get_by_label(label).accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    )
}

const ISPDB: &str = "Ask Thunderbird's online database of providers";

#[test]
fn choices_and_the_last_screen_survive_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let mut harness = window(home.path(), Remembered::default(), 1.0);
    wait_for(&mut harness, "the wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    harness.get_by_label("Settings").click();
    harness.run();
    assert!(checked(&harness, ISPDB), "on by default");
    harness.get_by_label(ISPDB).click();
    harness.get_by_label("Dark").click();
    harness.run();
    assert!(
        harness.ctx.theme() == egui::Theme::Dark,
        "the theme follows the choice"
    );

    let mut storage = Memory::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    drop(harness);

    let remembered: Remembered =
        eframe::get_value(&storage, eframe::APP_KEY).expect("the window saved its state");
    // With no account at all the window opens on the setup wizard; with one, where it was.
    add_account(home.path());
    let mut harness = window(home.path(), remembered, 1.0);
    harness.run();
    assert!(
        harness.query_by_label(ISPDB).is_some(),
        "it opens on the screen it was left on"
    );
    assert!(!checked(&harness, ISPDB));
    assert!(harness.ctx.theme() == egui::Theme::Dark);
}

#[test]
fn the_first_page_fits_at_twice_the_scale() {
    let home = tempfile::tempdir().unwrap();
    let mut harness = window(home.path(), Remembered::default(), 2.0);
    wait_for(&mut harness, "the wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    let screen = harness.ctx.content_rect();
    for label in [
        "Your name",
        "E-mail address",
        "Password",
        "Continue",
        "Set up manually",
    ] {
        let node = harness.get_by_label(label);
        let b = node.accesskit_node().bounding_box().expect("laid out");
        // Bounds are in physical pixels: twice the points.
        let (x1, y1) = (b.x1 as f32 / 2.0, b.y1 as f32 / 2.0);
        assert!(
            x1 <= screen.max.x + 0.5 && y1 <= screen.max.y + 0.5,
            "{label} is outside the window at 2x: {b:?} vs {screen:?}"
        );
    }
}

#[test]
fn how_long_sent_texts_are_kept_is_set_in_settings_and_read_by_every_sender() {
    let home = tempfile::tempdir().unwrap();
    add_account(home.path());
    let mut harness = window(home.path(), Remembered::default(), 1.0);
    harness.run();
    harness.get_by_label("Settings").click();
    wait_for(&mut harness, "the outbox's size", |h| {
        h.query_by_label_contains("The outbox holds 0 messages")
            .is_some()
    });
    assert!(!checked(&harness, "Forever"), "30 days at first");
    harness.get_by_label("Forever").click();
    let file = Paths::under(home.path()).config_dir.join("outbox.toml");
    wait_for(&mut harness, "the setting written", |_| {
        std::fs::read_to_string(&file).is_ok_and(|t| t.contains("\"forever\""))
    });
    assert!(
        harness.query_by_label("Free space now").is_some(),
        "and space can be freed at once"
    );
}
