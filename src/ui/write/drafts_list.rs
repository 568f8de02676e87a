//! The Drafts screen: every message being written that Outpost keeps, the last saved first,
//! each opened in Write or (after asking) discarded. A draft open in Write is discarded there.

use egui::{RichText, Ui};

use crate::ui::{design, widgets};
use crate::usecases::writing::Kept;

/// What the person asked for on the Drafts screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftsAction {
    /// Open this draft in Write.
    Open(String),
    /// Let this draft go.
    Discard(String),
}

/// The Drafts screen's state: which draft's discarding is being asked about.
#[derive(Debug, Default)]
pub struct DraftsList {
    confirm: Option<String>,
}

impl DraftsList {
    /// Draws the list of `kept` drafts; `is_open` tells the ones open in Write.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        kept: &[Kept],
        is_open: impl Fn(&str) -> bool,
    ) -> Option<DraftsAction> {
        ui.heading(tr!("drafts-title"));
        ui.add_space(design::GAP);
        if kept.is_empty() {
            ui.label(RichText::new(tr!("drafts-none")).weak());
            return None;
        }
        ui.label(RichText::new(tr!("drafts-intro")).weak());
        ui.add_space(design::GAP);
        let mut action = None;
        widgets::scroll(ui, &tr!("drafts-title"), |ui| {
            for (i, k) in kept.iter().enumerate() {
                if let Some(a) = self.row(ui, k, is_open(&k.draft.key), i == 0) {
                    action = Some(a);
                }
                ui.separator();
            }
        });
        action
    }

    /// One draft: its subject, recipients and time, Open and Discard.
    fn row(&mut self, ui: &mut Ui, k: &Kept, open: bool, first: bool) -> Option<DraftsAction> {
        let d = &k.draft;
        let subject = if d.subject.trim().is_empty() {
            tr!("no-subject")
        } else {
            d.subject.clone()
        };
        let to = [&d.to, &d.cc, &d.bcc]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim())
            .collect::<Vec<_>>()
            .join(", ");
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            ui.strong(&subject);
            if !to.is_empty() {
                ui.label(tr!("drafts-to", to = to));
            }
            ui.label(
                RichText::new(tr!(
                    "drafts-saved",
                    when = crate::clock::local_minute(d.saved)
                ))
                .weak(),
            );
            if !k.changed.is_empty() {
                ui.label(RichText::new(tr!("drafts-files-changed")).color(design::warn(ui)));
            }
        });
        ui.horizontal(|ui| {
            let label = if open {
                tr!("drafts-open-in-write")
            } else {
                tr!("drafts-open")
            };
            let r = ui.button(label).on_hover_text(&subject);
            if first {
                widgets::arrive(ui, &r, "drafts");
            }
            if r.clicked() {
                action = Some(DraftsAction::Open(d.key.clone()));
            }
            if open {
                return;
            }
            if self.confirm.as_deref() == Some(d.key.as_str()) {
                ui.label(tr!("drafts-discard-ask"));
                if ui.button(tr!("discard-message")).clicked() {
                    self.confirm = None;
                    action = Some(DraftsAction::Discard(d.key.clone()));
                }
                if ui.button(tr!("keep-draft")).clicked() {
                    self.confirm = None;
                }
            } else if ui
                .button(tr!("drafts-discard"))
                .on_hover_text(&subject)
                .clicked()
            {
                self.confirm = Some(d.key.clone());
            }
        });
        action
    }
}
