//! The form's "Copies in the Sent folder" part: whether a copy of each sent message is filed
//! over IMAP, and on which server (found with the submission server, or typed).

use egui::Ui;

use crate::ui::widgets::{self, text_row};
use crate::usecases::draft::AccountDraft;

/// A closed section saying where copies go; opened, the switch and, when it is on, the IMAP
/// server's fields, `error` under the server (and the section open while there is one).
pub fn show(ui: &mut Ui, draft: &mut AccountDraft, error: Option<&str>) {
    let summary = match (&draft.imap.sent_copy, draft.imap.host.trim()) {
        (false, _) => tr!("sent-copy-summary-off"),
        (true, "") => tr!("sent-copy-summary-no-server"),
        (true, host) => tr!("sent-copy-summary", host = host),
    };
    let header = egui::CollapsingHeader::new(tr!("sent-copy-section"))
        .id_salt("sent-copy")
        .open(error.is_some().then_some(true))
        .show(ui, |ui| fields(ui, draft, error));
    if header.body_returned.is_none() {
        ui.label(egui::RichText::new(summary).weak());
    }
}

fn fields(ui: &mut Ui, draft: &mut AccountDraft, error: Option<&str>) {
    let files_own = draft
        .provider_help()
        .filter(|p| p.files_sent_copy())
        .map(|p| p.name);
    ui.checkbox(&mut draft.imap.sent_copy, tr!("sent-copy-switch"));
    if let Some(provider) = &files_own {
        ui.label(
            egui::RichText::new(tr!(
                "sent-copy-provider-files",
                provider = provider.as_str()
            ))
            .weak(),
        );
    }
    if !draft.imap.sent_copy {
        return;
    }
    let imap = &mut draft.imap;
    egui::Grid::new("sent-copy-form")
        .num_columns(2)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            let before = imap.host.clone();
            text_row(
                ui,
                tr!("field-imap-server"),
                &mut imap.host,
                "imap.example.org",
                false,
                error,
            );
            text_row(
                ui,
                tr!("field-imap-port"),
                &mut imap.port,
                "993",
                false,
                None,
            );
            let security = widgets::security_row(
                ui,
                "imap-security",
                tr!("field-imap-security"),
                imap.security,
            );
            imap.set_security(security);
            if imap.host != before {
                // Typed: no longer what detection found.
                imap.source = None;
            }
        });
    let note = match (imap.host.trim().is_empty(), imap.source) {
        (true, _) => tr!("sent-copy-no-server"),
        (false, Some(source)) => tr!("sent-copy-found", source = source.label()),
        (false, None) => String::new(),
    };
    if !note.is_empty() {
        ui.label(egui::RichText::new(note).weak());
    }
}
