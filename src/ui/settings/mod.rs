//! The Settings screen: preferences (what detection may ask, notifications, look) and the
//! sign-in providers' client ids.

mod prefs;
mod providers;
mod space;

use egui::Ui;

pub use prefs::Settings;
use providers::Providers;
use space::SpaceSettings;

use super::shared::Shared;
use crate::runtime::{Command, Event};
use crate::ui::design;
use crate::ui::widgets;

/// The Settings screen's state.
#[derive(Default)]
pub struct SettingsScreen {
    /// The person's choices (remembered with the window).
    pub prefs: Settings,
    providers: Providers,
    space: SpaceSettings,
    applied: bool,
}

impl SettingsScreen {
    /// The screen with remembered choices.
    pub fn new(prefs: Settings) -> Self {
        Self {
            prefs,
            ..Default::default()
        }
    }

    /// Folds in an event about the sign-in providers; any other comes back.
    pub fn apply(&mut self, event: Event, shared: &mut Shared) -> Option<Event> {
        match event {
            Event::Issuers(Ok(issuers)) => {
                self.providers.sync(&issuers);
                shared.issuers = Some(issuers);
            }
            Event::Issuers(Err(e)) => self.providers.tell(Err(e)),
            Event::ClientSaved(result) => self.providers.tell(result),
            Event::Space(result) => self.space.read(result),
            other => return Some(other),
        }
        None
    }

    /// Applies the remembered choices once, and follows changes made by keyboard zoom; call
    /// every frame.
    pub fn sync(&mut self, ctx: &egui::Context, shared: &Shared) {
        if !self.applied {
            self.applied = true;
            self.apply_prefs(ctx, shared);
        } else if (ctx.zoom_factor() - self.prefs.zoom).abs() > f32::EPSILON {
            self.prefs.zoom = ctx.zoom_factor();
        }
    }

    fn apply_prefs(&self, ctx: &egui::Context, shared: &Shared) {
        ctx.set_theme(self.prefs.theme);
        ctx.set_zoom_factor(self.prefs.zoom);
        shared.send(Command::Notifications(self.prefs.notify_failures));
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, shared: &mut Shared) {
        egui::CentralPanel::default_margins().show(ui, |ui| {
            widgets::scroll(ui, &tr!("scroll-settings"), |ui| {
                let space = &mut self.space;
                if self.prefs.show(ui, |ui| space.show(ui, shared)) {
                    self.apply_prefs(ui.ctx(), shared);
                }
                ui.add_space(design::SECTION_GAP);
                if let Some(save) = self.providers.show(ui, shared.issuers.as_ref()) {
                    shared.send(Command::SetClient {
                        provider: save.provider,
                        client_id: save.client_id,
                        client_secret: save.client_secret,
                    });
                }
            });
        });
    }
}
