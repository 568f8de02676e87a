//! What a provider needs before a password works — "Gmail needs an app password", what to
//! switch on first, the steps and the page that makes it — and its help pages, for the
//! wizard's review and the account form. The words are detection's (`ProviderHelp`), shared
//! with the command line.

use egui::{RichText, Ui};

use crate::detect::facts::{Login, ProviderHelp};

/// The provider's guidance, when it has some: headline, what to switch on first, numbered
/// steps and the button that opens the page where the password for apps is made.
pub fn guidance(ui: &mut Ui, help: &ProviderHelp) {
    let Some(g) = help.guidance() else {
        return;
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(&g.headline).strong());
        for before in &g.before {
            ui.label(before);
        }
        for (i, step) in g.steps.iter().enumerate() {
            ui.label(format!("{}. {step}", i + 1));
        }
        if let Some(page) = &g.page {
            let what = match help.login() {
                Some(Login::AuthorizationCode) => tr!("open-code-page"),
                Some(Login::EmailPassword) => tr!("open-email-password-page"),
                _ => tr!("open-app-password-page"),
            };
            ui.hyperlink_to(what, page).on_hover_text(page);
        }
    });
    ui.add_space(6.0);
}

/// The provider's help pages for mail apps, as links.
pub fn help_links(ui: &mut Ui, help: &ProviderHelp) {
    if help.help.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr!("provider-help", provider = help.name.as_str())).weak());
        for (i, url) in help.help.iter().enumerate() {
            let text = if i == 0 {
                tr!("provider-help-first")
            } else {
                tr!("provider-help-more", number = i + 1)
            };
            ui.hyperlink_to(text, url).on_hover_text(url);
        }
    });
}

/// What the password field is called for this provider ("App password", …), else `usual`.
pub fn field_label(help: Option<&ProviderHelp>, usual: String) -> String {
    help.and_then(ProviderHelp::guidance)
        .map_or(usual, |g| g.field)
}
