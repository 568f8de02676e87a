//! Around every screen: the title bar with the screens, and the status line.

use super::design::{self, icon};
use egui::{RichText, Ui};

use super::outbox::Filter;
use super::shared::{Nav, View};
use crate::runtime::OutboxView;

/// The title bar: the app's name and the screens, the outbox with how many messages wait.
pub fn title_bar(ui: &mut Ui, current: View, outbox: Option<&OutboxView>) -> Option<Nav> {
    let mut nav = None;
    ui.horizontal(|ui| {
        ui.heading("Outpost");
        ui.add_space(design::SECTION_GAP);
        let waiting = outbox.map_or(0, |v| Filter::Waiting.count_in(v));
        let outbox = if waiting > 0 {
            tr!("title-outbox-waiting", count = waiting)
        } else {
            View::Outbox.name()
        };
        for (view, label) in [
            (View::Accounts, View::Accounts.name()),
            (View::Compose, View::Compose.name()),
            (View::Outbox, outbox),
            (View::Settings, View::Settings.name()),
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
                design::chip(ui, icon::WARNING, tr!("status-offline"), design::warn(ui));
            }
            Some(_) => {
                design::chip(ui, icon::OK, tr!("status-online"), design::ok(ui));
            }
            None => {}
        }
        ui.separator();
        ui.label(RichText::new(tr!("status-outbox", status = sender)).weak());
    });
}
