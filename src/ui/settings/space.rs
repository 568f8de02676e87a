//! Settings → Sending's part about the outbox's size: how long sent messages keep their
//! text, what the outbox holds, and "Free space now".

use egui::Ui;

use crate::explain::{Explanation, size_in_words};
use crate::outbox::retention::{DEFAULT_DAYS, Keep};
use crate::runtime::{Command, SpaceView};
use crate::ui::shared::Shared;
use crate::ui::widgets;

/// Its state: what the core last said, and the choice being made.
#[derive(Default)]
pub struct SpaceSettings {
    /// What the outbox holds, once read.
    view: Option<Result<SpaceView, Explanation>>,
    /// Asked the core for it.
    asked: bool,
    /// The choice as shown: forever, or days.
    forever: bool,
    days: u32,
    /// The person changed the choice and it is not sent yet.
    touched: bool,
}

impl SpaceSettings {
    /// Takes the core's answer.
    pub fn read(&mut self, result: Result<SpaceView, Explanation>) {
        if let Ok(view) = &result {
            match view.keep {
                Ok(Keep::Forever) => self.forever = true,
                Ok(Keep::Days(days)) => (self.forever, self.days) = (false, days),
                // Unreadable: the words say so; the choice stays as it was shown.
                Err(_) => {}
            }
        }
        self.view = Some(result);
    }

    /// Draws it (asking the core the first time).
    pub fn show(&mut self, ui: &mut Ui, shared: &Shared) {
        if !std::mem::replace(&mut self.asked, true) {
            self.days = DEFAULT_DAYS;
            shared.send(Command::Space);
        }
        ui.horizontal(|ui| {
            let label = ui.label(tr!("pref-keep-text"));
            let days = ui
                .add_enabled(
                    !self.forever,
                    egui::Slider::new(&mut self.days, 0..=365).suffix(tr!("pref-keep-text-days")),
                )
                .labelled_by(label.id);
            let forever = ui.checkbox(&mut self.forever, tr!("pref-keep-text-forever"));
            self.touched |= days.changed() || forever.changed();
        });
        // A slider changes while dragged: the setting is written once it is let go (by
        // keyboard, at once).
        let dragging = ui.input(|i| i.pointer.any_down());
        if self.touched && !dragging {
            self.touched = false;
            shared.send(Command::KeepText(self.shown()));
        }
        match &self.view {
            None => {
                ui.label(tr!("pref-space-reading"));
            }
            Some(Err(e)) => widgets::explanation(ui, e),
            Some(Ok(view)) => {
                let s = &view.space;
                let total: i64 = s.messages.iter().map(|(_, n)| n).sum();
                ui.label(tr!(
                    "pref-space",
                    count = total,
                    text = size_in_words(s.body_bytes),
                    file = size_in_words(s.file_bytes)
                ));
                if let Err(e) = &view.keep {
                    widgets::explanation(ui, e);
                }
                if let Some(p) = view.pruned.filter(|p| p.messages > 0) {
                    ui.label(tr!(
                        "pref-space-pruned",
                        count = p.messages,
                        size = size_in_words(p.bytes)
                    ));
                }
                if ui
                    .button(tr!("pref-space-free"))
                    .on_hover_text(tr!("pref-space-free-hint"))
                    .clicked()
                {
                    shared.send(Command::PruneNow);
                }
            }
        }
    }

    /// The choice as shown.
    fn shown(&self) -> Keep {
        if self.forever {
            Keep::Forever
        } else {
            Keep::Days(self.days)
        }
    }
}
