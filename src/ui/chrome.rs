//! Around every screen: the title bar with the screens, and the status line.

use super::design::{self, icon};
use egui::{RichText, Ui};

use super::outbox::Filter;
use super::shared::{Nav, View};
use crate::runtime::OutboxView;

/// The title bar: the app's name and the screens, the outbox with how many messages wait,
/// the drafts with how many are kept.
pub fn title_bar(
    ui: &mut Ui,
    current: View,
    outbox: Option<&OutboxView>,
    drafts: usize,
) -> Option<Nav> {
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
        let drafts = if drafts > 0 {
            tr!("title-drafts-count", count = drafts)
        } else {
            View::Drafts.name()
        };
        for (view, label) in [
            (View::Accounts, View::Accounts.name()),
            (View::Compose, View::Compose.name()),
            (View::Outbox, outbox),
            (View::Drafts, drafts),
            (View::Settings, View::Settings.name()),
        ] {
            if ui.selectable_label(current == view, label).clicked() {
                nav = Some(Nav::To(view));
            }
        }
    });
    nav
}

/// The status line: online or offline, what the outbox holds now — from the same counts as
/// the Outbox tab, so the two never disagree — and what the sender did or said last.
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
        let waiting = outbox.map_or(0, |v| Filter::Waiting.count_in(v));
        let now = match outbox {
            Some(_) if waiting == 0 => tr!("status-nothing-to-send"),
            Some(v) => waiting_for(ui, v, waiting)
                .unwrap_or_else(|| tr!("status-waiting", count = waiting)),
            None => String::new(),
        };
        ui.label(RichText::new(tr!("status-outbox", status = now)).weak());
        if !sender.is_empty() {
            ui.separator();
            ui.label(RichText::new(tr!("status-last", what = sender)).weak());
        }
    });
}

/// What the waiting messages wait for, when any wait: the person, the network, or a time
/// (counted down: the line is drawn again each second).
fn waiting_for(ui: &Ui, v: &OutboxView, count: i64) -> Option<String> {
    if !v.paused.is_empty() {
        return Some(tr!("status-waits-for-you", count = count));
    }
    if !v.offline.is_empty() {
        return Some(tr!("status-waits-for-network", count = count));
    }
    let at = v.next_due.filter(|at| *at > crate::clock::now_ms())?;
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs(1));
    Some(tr!(
        "status-waits-until",
        count = count,
        when = crate::clock::relative(at)
    ))
}
