//! Preferences: what detection may ask and send, notifications, look. Remembered with the
//! window (eframe persistence).

use egui::Ui;
use serde::{Deserialize, Serialize};

use crate::ui::design;

/// The person's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Ask Thunderbird's online ISP database during detection.
    pub online_ispdb: bool,
    /// Send the address itself to providers' autoconfig servers.
    pub share_address: bool,
    /// Try likely servers live when nothing else answers.
    pub probe: bool,
    /// Detection's overall limit, in seconds.
    pub deadline_secs: u32,
    /// A desktop notification when a message is refused for good.
    pub notify_failures: bool,
    /// Light, dark, or as the system says.
    pub theme: egui::ThemePreference,
    /// Size of everything (1.0 = normal).
    pub zoom: f32,
    /// Closing the window leaves a sender running while messages wait.
    pub keep_sending: bool,
    /// Seconds a sent message waits in the outbox, in which "Undo" takes it back (0–30).
    pub undo_secs: u32,
}

impl Default for Settings {
    fn default() -> Self {
        let d = crate::detect::Options::default();
        Self {
            online_ispdb: d.online,
            share_address: d.share_address,
            probe: d.probe,
            deadline_secs: d.deadline.as_secs() as u32,
            notify_failures: true,
            theme: egui::ThemePreference::System,
            zoom: 1.0,
            undo_secs: 5,
            keep_sending: true,
        }
    }
}

impl Settings {
    /// Detection options as chosen.
    pub fn detect_options(&self) -> crate::detect::Options {
        crate::detect::Options {
            deadline: std::time::Duration::from_secs(u64::from(self.deadline_secs.clamp(3, 60))),
            probe: self.probe,
            online: self.online_ispdb,
            share_address: self.share_address,
        }
    }

    /// How long a message just sent can still be taken back.
    pub fn undo_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.undo_secs.min(30)))
    }

    /// Draws the page, with `sending` drawn at the end of its Sending section; returns true
    /// when a preference changed.
    pub fn show(&mut self, ui: &mut Ui, sending: impl FnOnce(&mut Ui)) -> bool {
        let before = self.clone();
        ui.heading(tr!("view-settings"));
        ui.add_space(8.0);
        design::section(ui, tr!("finding-settings"));
        let first = ui.checkbox(&mut self.online_ispdb, tr!("pref-online-ispdb"));
        crate::ui::widgets::arrive(ui, &first, "settings");
        ui.checkbox(&mut self.share_address, tr!("pref-share-address"));
        ui.checkbox(&mut self.probe, tr!("pref-probe"));
        ui.horizontal(|ui| {
            let label = ui.label(tr!("pref-give-up"));
            ui.add(egui::Slider::new(&mut self.deadline_secs, 3..=60).suffix(" s"))
                .labelled_by(label.id);
        });
        ui.add_space(design::SECTION_GAP);
        design::section(ui, tr!("pref-sending"));
        ui.horizontal(|ui| {
            let label = ui.label(tr!("pref-undo"));
            ui.add(egui::Slider::new(&mut self.undo_secs, 0..=30).suffix(" s"))
                .labelled_by(label.id);
        });
        ui.checkbox(&mut self.keep_sending, tr!("pref-keep-sending"))
            .on_hover_text(tr!("pref-keep-sending-hint"));
        sending(ui);
        ui.add_space(design::SECTION_GAP);
        design::section(ui, tr!("pref-notifications"));
        ui.checkbox(&mut self.notify_failures, tr!("pref-notify-failures"));
        ui.add_space(design::SECTION_GAP);
        design::section(ui, tr!("pref-appearance"));
        ui.horizontal(|ui| {
            ui.label(tr!("pref-theme"));
            ui.selectable_value(
                &mut self.theme,
                egui::ThemePreference::System,
                tr!("pref-theme-system"),
            );
            ui.selectable_value(
                &mut self.theme,
                egui::ThemePreference::Light,
                tr!("pref-theme-light"),
            );
            ui.selectable_value(
                &mut self.theme,
                egui::ThemePreference::Dark,
                tr!("pref-theme-dark"),
            );
        });
        ui.horizontal(|ui| {
            let label = ui.label(tr!("pref-zoom"));
            ui.add(
                egui::Slider::new(&mut self.zoom, 0.75..=2.5)
                    .step_by(0.25)
                    .suffix("×"),
            )
            .labelled_by(label.id);
        });
        *self != before
    }
}
