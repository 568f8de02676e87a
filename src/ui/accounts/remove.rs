//! "Remove this account?": what goes with it, and what becomes of its messages still waiting
//! (cancelled, or kept until an account for the address is added again).

use egui::RichText;

use crate::runtime::Command;
use crate::ui::design;
use crate::usecases::account::Waiting;

/// Removing an account, waiting for the person's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRemove {
    email: String,
    /// Its messages not sent yet.
    waiting: usize,
}

impl ConfirmRemove {
    /// Asks about the account `email`, which has `waiting` messages not sent yet.
    pub fn new(email: &str, waiting: usize) -> Self {
        Self {
            email: email.to_string(),
            waiting,
        }
    }

    /// Draws the question; `None` while it waits, then the command to send, if any.
    pub fn ui(&self, ctx: &egui::Context) -> Option<Option<Command>> {
        let (email, waiting) = (&self.email, self.waiting);
        let remove = |waiting| {
            Some(Some(Command::Remove {
                email: email.clone(),
                waiting,
            }))
        };
        let title = tr!("remove-title", email = email.as_str());
        let asked = crate::ui::widgets::ask(ctx, "confirm-remove", &title, |ui| {
            ui.label(tr!("remove-what"));
            if waiting > 0 {
                ui.label(
                    RichText::new(tr!("remove-waiting", count = waiting)).color(design::error(ui)),
                );
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                // The safe choice first, where the focus starts.
                let keep = ui.button(tr!("keep-it"));
                let mut answer = keep.clicked().then_some(None);
                if waiting == 0 {
                    if ui.button(tr!("remove")).clicked() {
                        answer = remove(Waiting::Cancel);
                    }
                } else {
                    let cancel = tr!("remove-and-cancel", count = waiting);
                    if ui.button(cancel).clicked() {
                        answer = remove(Waiting::Cancel);
                    }
                    if ui.button(tr!("remove-keep-messages")).clicked() {
                        answer = remove(Waiting::Keep);
                    }
                }
                (answer, Some(keep))
            })
            .inner
        });
        // Escape or a click beside the question keeps the account.
        if asked.dismissed {
            return Some(None);
        }
        asked.answer
    }
}
