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
        let mut answer = None;
        let asked = egui::Modal::new(egui::Id::unique("confirm-remove")).show(ctx, |ui| {
            ui.heading(format!("Remove {email}?"));
            ui.label("Its settings and its password in the keyring will be deleted.");
            if waiting > 0 {
                ui.label(
                    RichText::new(format!(
                        "{waiting} message(s) from this account are still waiting to be sent. \
                         Cancel them, or keep them until you add this address again."
                    ))
                    .color(design::error(ui)),
                );
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if waiting == 0 {
                    if ui.button("Remove").clicked() {
                        answer = remove(Waiting::Cancel);
                    }
                } else {
                    let cancel = format!("Remove and cancel {waiting} message(s)");
                    if ui.button(cancel).clicked() {
                        answer = remove(Waiting::Cancel);
                    }
                    if ui.button("Remove, keep the messages").clicked() {
                        answer = remove(Waiting::Keep);
                    }
                }
                if ui.button("Keep it").clicked() {
                    answer = Some(None);
                }
            });
        });
        // Escape or a click beside the question keeps the account.
        if answer.is_none() && asked.should_close() {
            answer = Some(None);
        }
        answer
    }
}
