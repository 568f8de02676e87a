//! The account list in the side panel.

use egui::{RichText, Ui};

use crate::account::AccountId;
use crate::account::store::Accounts;

/// What the person did in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListAction {
    /// Open an account's settings.
    Select(AccountId),
    /// Start adding an account.
    Add,
    /// Make an account the default.
    MakeDefault(AccountId),
}

/// Draws the list; `selected` is highlighted.
pub fn show(ui: &mut Ui, accounts: &Accounts, selected: Option<&AccountId>) -> Option<ListAction> {
    let mut action = None;
    ui.heading(tr!("view-accounts"));
    ui.add_space(4.0);
    if accounts.accounts.is_empty() {
        ui.label(RichText::new(tr!("no-accounts-yet")).weak());
    }
    for a in &accounts.accounts {
        let is_default = accounts.default.as_ref() == Some(&a.id);
        let text = if is_default {
            tr!("account-default", email = a.email.as_str())
        } else {
            a.email.clone()
        };
        let r = ui.selectable_label(selected == Some(&a.id), text);
        if r.clicked() {
            action = Some(ListAction::Select(a.id.clone()));
        }
        r.context_menu(|ui| {
            if ui
                .add_enabled(!is_default, egui::Button::new(tr!("make-default")))
                .clicked()
            {
                action = Some(ListAction::MakeDefault(a.id.clone()));
                ui.close();
            }
        });
    }
    ui.add_space(8.0);
    if ui.button(tr!("add-account")).clicked() {
        action = Some(ListAction::Add);
    }
    action
}
