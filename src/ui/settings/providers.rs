//! Settings → Sign-in providers: the client id (and secret) Outpost uses with each OAuth2
//! provider, typed by the person or set by a packager, with where to register one.

use std::collections::BTreeMap;

use egui::{RichText, Ui};

use crate::explain::Explanation;
use crate::oauth::{Issuers, password_fallback};
use crate::ui::design;
use crate::ui::widgets;

/// The fields as typed, per provider id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Edit {
    client_id: String,
    client_secret: String,
    show_secret: bool,
}

/// The section's state.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    edits: BTreeMap<String, Edit>,
    /// The last save's result.
    notice: Option<Result<String, Explanation>>,
    /// The notice is new: it is scrolled into view once (it may be below the fold).
    reveal: bool,
}

/// The client id and secret fields' widths for a screen `width` points wide. Client ids are
/// long (Google's: 72 characters): the field shows about 30 when there is room, fewer in a
/// small window (the text scrolls). A secret is hidden: its field only shows that one is set.
fn field_widths(width: f32) -> (f32, f32) {
    (
        (width * 0.3).clamp(140.0, 240.0),
        (width * 0.18).clamp(100.0, 150.0),
    )
}

/// Save a provider's client id and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveClient {
    /// The provider's id.
    pub provider: String,
    /// The client id (blank removes it).
    pub client_id: String,
    /// The client secret (blank removes it).
    pub client_secret: String,
}

impl Providers {
    /// Takes the saved values for fields not being edited.
    pub fn sync(&mut self, issuers: &Issuers) {
        for i in issuers.all() {
            self.edits.entry(i.id.clone()).or_insert_with(|| Edit {
                client_id: i.client_id.clone().unwrap_or_default(),
                client_secret: i.client_secret.clone().unwrap_or_default(),
                show_secret: false,
            });
        }
    }

    /// Says `notice` above the providers, brought into view.
    pub fn tell(&mut self, notice: Result<String, Explanation>) {
        self.notice = Some(notice);
        self.reveal = true;
    }

    /// Draws the section.
    pub fn show(&mut self, ui: &mut Ui, issuers: Option<&Issuers>) -> Option<SaveClient> {
        let mut save = None;
        design::section(ui, tr!("providers"));
        ui.label(tr!("providers-text"));
        egui::CollapsingHeader::new(tr!("providers-packagers"))
            .id_salt("providers-packagers")
            .show(ui, |ui| {
                ui.label(tr!("providers-packagers-text"));
            });
        ui.label(RichText::new(password_fallback()).weak());
        if let Some(n) = &self.notice {
            let shown = ui.scope(|ui| match n {
                Ok(text) => {
                    ui.label(RichText::new(text).color(design::ok(ui)));
                }
                Err(e) => widgets::explanation(ui, e),
            });
            if std::mem::take(&mut self.reveal) {
                shown.response.scroll_to_me(Some(egui::Align::Center));
            }
        }
        let Some(issuers) = issuers else {
            widgets::spinner(ui, &tr!("spinner-providers"));
            return None;
        };
        let field_height = ui.spacing().interact_size.y;
        let (id_width, secret_width) = field_widths(ui.available_width());
        egui::Grid::new("providers")
            .num_columns(5)
            .spacing([12.0, 6.0])
            .striped(true)
            .show(ui, |ui| {
                for i in issuers.all() {
                    let edit = self.edits.entry(i.id.clone()).or_default();
                    ui.label(RichText::new(&i.name).strong())
                        .on_hover_text(tr!("signs-in-for", hosts = i.hosts.join(", ")));
                    let id_label = tr!("client-id-of", provider = i.name.as_str());
                    // A grid's cell offers only last frame's column width: ask for the size.
                    ui.add_sized(
                        [id_width, field_height],
                        egui::TextEdit::singleline(&mut edit.client_id).hint_text(tr!("client-id")),
                    )
                    .on_hover_text(&id_label)
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, &id_label)
                    });
                    let secret_label = tr!("client-secret-of", provider = i.name.as_str());
                    ui.add_sized(
                        [secret_width, field_height],
                        egui::TextEdit::singleline(&mut edit.client_secret)
                            .hint_text(tr!("client-secret"))
                            .password(!edit.show_secret),
                    )
                    .widget_info(|| {
                        egui::WidgetInfo::labeled(egui::Role::TextInput, true, &secret_label)
                    });
                    let saved = edit.client_id.trim() == i.client_id.as_deref().unwrap_or("")
                        && edit.client_secret.trim() == i.client_secret.as_deref().unwrap_or("");
                    if ui
                        .add_enabled(
                            !saved,
                            egui::Button::new(tr!("save-provider", provider = i.name.as_str())),
                        )
                        .clicked()
                    {
                        save = Some(SaveClient {
                            provider: i.id.clone(),
                            client_id: edit.client_id.clone(),
                            client_secret: edit.client_secret.clone(),
                        });
                    }
                    match i.register_url {
                        Some(url) => {
                            let said = tr!("register-app-with", provider = i.name.as_str());
                            ui.hyperlink_to(tr!("register-app"), url).widget_info(|| {
                                egui::WidgetInfo::labeled(egui::Role::Link, true, &said)
                            });
                        }
                        None => {
                            ui.label("");
                        }
                    }
                    ui.end_row();
                }
            });
        save
    }
}
