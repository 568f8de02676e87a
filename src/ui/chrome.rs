//! Around every screen: the title bar with the screens, and the status line.

use super::design::{self, icon};
use egui::{RichText, Ui};

use super::app::View;
use super::outbox::Filter;
use super::shared::Nav;
use crate::runtime::OutboxView;

/// The title bar: the app's name and the screens, the outbox with how many messages wait.
pub fn title_bar(ui: &mut Ui, current: View, outbox: Option<&OutboxView>) -> Option<Nav> {
    let mut nav = None;
    ui.horizontal(|ui| {
        ui.heading("Outpost");
        ui.add_space(design::SECTION_GAP);
        let waiting = outbox.map_or(0, |v| Filter::Waiting.count_in(v));
        let outbox = if waiting > 0 {
            format!("Outbox ({waiting} waiting)")
        } else {
            "Outbox".into()
        };
        for (view, label) in [
            (View::Accounts, View::Accounts.name().to_string()),
            (View::Compose, View::Compose.name().to_string()),
            (View::Outbox, outbox),
            (View::Settings, View::Settings.name().to_string()),
        ] {
            if ui.selectable_label(current == view, label).clicked() {
                nav = Some(Nav::To(view));
            }
        }
    });
    nav
}

/// The status line: online or offline, and what the sender did last.
pub fn status_line(ui: &mut Ui, outbox: Option<&OutboxView>, sender: &str) {
    ui.horizontal(|ui| {
        match outbox {
            Some(v) if !v.offline.is_empty() => {
                design::chip(
                    ui,
                    icon::WARNING,
                    "Offline: messages wait for the network",
                    design::warn(ui),
                );
            }
            Some(_) => {
                design::chip(ui, icon::OK, "Online", design::ok(ui));
            }
            None => {}
        }
        ui.separator();
        ui.label(RichText::new(format!("Outbox: {sender}")).weak());
    });
}
