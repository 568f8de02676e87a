//! The account form's "Send as" section: the Reply-To and signature of the account's own
//! address, and the other addresses it sends as (aliases its provider allows), each with its
//! name, Reply-To and signature, and what the server said if it refused one. Saved with the
//! account.

use egui::{RichText, Ui};

use crate::account::{Identity, Senders, parse_email};
use crate::ui::design::{self, icon};
use crate::ui::widgets;

/// Draws the section for `senders` of the account whose own address is `own`.
pub fn show(ui: &mut Ui, own: &str, senders: &mut Senders) {
    ui.add_space(design::SECTION_GAP);
    design::section(ui, "Send as");
    ui.label(
        RichText::new(
            "Other addresses this account may send from (aliases your provider allows), each \
             with the name recipients see; a Reply-To and a signature for each.",
        )
        .weak(),
    );
    let own_label = if own.trim().is_empty() {
        "This account's address".to_string()
    } else {
        own.trim().to_string()
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(own_label).strong());
        extras(ui, "own", &mut senders.reply_to, &mut senders.signature);
    });
    let mut remove = None;
    for (n, identity) in senders.identities.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if let Some(words) = &identity.refused
                && refused(ui, &identity.email, words)
            {
                identity.refused = None;
            }
            egui::Grid::new(("identity", n))
                .num_columns(2)
                .spacing([16.0, 8.0])
                .show(ui, |ui| {
                    let error = address_error(&identity.email);
                    widgets::text_row(
                        ui,
                        "Address",
                        &mut identity.email,
                        "alias@example.org",
                        false,
                        error.as_deref(),
                    );
                    let mut name = identity.display_name.clone().unwrap_or_default();
                    widgets::text_row(ui, "Name", &mut name, "Shown to recipients", false, None);
                    identity.display_name = Some(name).filter(|n| !n.trim().is_empty());
                });
            extras(
                ui,
                &format!("identity-{n}"),
                &mut identity.reply_to,
                &mut identity.signature,
            );
            let label = format!("Remove {}", shown(&identity.email));
            let r = ui.button("Remove");
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if r.clicked() {
                remove = Some(n);
            }
        });
    }
    if let Some(n) = remove {
        senders.identities.remove(n);
    }
    if ui.button("Add an address to send as").clicked() {
        senders.identities.push(Identity::default());
    }
}

/// Why `text` is no address; nothing while it is empty.
fn address_error(text: &str) -> Option<String> {
    Some(text.trim())
        .filter(|e| !e.is_empty())
        .and_then(|e| parse_email(e).err())
        .map(|e| e.to_string())
}

/// "this address", or the address.
fn shown(email: &str) -> &str {
    if email.trim().is_empty() {
        "this address"
    } else {
        email.trim()
    }
}

/// Reply-To and signature fields; an empty field is no Reply-To or signature.
fn extras(ui: &mut Ui, id: &str, reply_to: &mut Option<String>, signature: &mut Option<String>) {
    egui::Grid::new(("extras", id))
        .num_columns(2)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            let mut r = reply_to.clone().unwrap_or_default();
            let error = address_error(&r);
            widgets::text_row(
                ui,
                "Reply-To",
                &mut r,
                "Replies go to the address itself",
                false,
                error.as_deref(),
            );
            *reply_to = Some(r.trim().to_string()).filter(|r| !r.is_empty());
            let label = ui.label("Signature");
            let mut s = signature.clone().unwrap_or_default();
            ui.add(
                egui::TextEdit::multiline(&mut s)
                    .desired_rows(2)
                    .desired_width(280.0)
                    .hint_text("Put under your messages, after a \"-- \" line"),
            )
            .labelled_by(label.id);
            *signature = Some(s).filter(|s| !s.trim().is_empty());
            ui.end_row();
        });
}

/// The server refused to send as this address: its words, what to do, and a button that
/// clears the note once that is done (true when pressed).
fn refused(ui: &mut Ui, email: &str, words: &str) -> bool {
    design::chip(
        ui,
        icon::WARNING,
        "refused by the server",
        design::error(ui),
    );
    ui.label(format!("The server said: {words}"));
    ui.label(format!(
        "What to do: allow {email} as an address of this account at your provider (Gmail: \
         Settings → Accounts → Send mail as; Microsoft 365: the mailbox's \"Send as\" \
         permission), then clear this note and save; or remove the address."
    ));
    ui.button("Allowed now: clear this note").clicked()
}
