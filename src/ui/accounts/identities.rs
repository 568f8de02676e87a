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
    design::section(ui, tr!("send-as"));
    ui.label(RichText::new(tr!("send-as-text")).weak());
    let own_label = if own.trim().is_empty() {
        tr!("own-address")
    } else {
        own.trim().to_string()
    };
    // Every frame's fields start at one line: the names' column as wide as the widest name.
    let names = widgets::widest_text(
        ui,
        [
            tr!("field-address"),
            tr!("field-name"),
            tr!("field-reply-to"),
            tr!("field-signature"),
        ],
    );
    let grid = |id| {
        egui::Grid::new(id)
            .num_columns(2)
            .spacing([16.0, 8.0])
            .min_col_width(names)
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(own_label).strong());
        grid(egui::Id::unique("extras-own")).show(ui, |ui| {
            extras(ui, &mut senders.reply_to, &mut senders.signature);
        });
    });
    let mut remove = None;
    for (n, identity) in senders.identities.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if let Some(words) = &identity.refused
                && refused(ui, &identity.email, words)
            {
                identity.refused = None;
            }
            grid(egui::Id::unique(("identity", n))).show(ui, |ui| {
                let error = address_error(&identity.email);
                widgets::text_row(
                    ui,
                    tr!("field-address"),
                    &mut identity.email,
                    "alias@example.org",
                    false,
                    error.as_deref(),
                );
                let mut name = identity.display_name.clone().unwrap_or_default();
                widgets::text_row(
                    ui,
                    tr!("field-name"),
                    &mut name,
                    tr!("field-your-name-hint"),
                    false,
                    None,
                );
                identity.display_name = Some(name).filter(|n| !n.trim().is_empty());
                extras(ui, &mut identity.reply_to, &mut identity.signature);
            });
            let label = tr!("remove-address", address = shown(&identity.email));
            let r = ui.button(tr!("remove"));
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if r.clicked() {
                remove = Some(n);
            }
        });
    }
    if let Some(n) = remove {
        senders.identities.remove(n);
    }
    if ui.button(tr!("add-send-as")).clicked() {
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
fn shown(email: &str) -> String {
    if email.trim().is_empty() {
        tr!("this-address")
    } else {
        email.trim().to_string()
    }
}

/// Reply-To and signature rows of a grid; an empty field is no Reply-To or signature.
fn extras(ui: &mut Ui, reply_to: &mut Option<String>, signature: &mut Option<String>) {
    let mut r = reply_to.clone().unwrap_or_default();
    let error = address_error(&r);
    widgets::text_row(
        ui,
        tr!("field-reply-to"),
        &mut r,
        tr!("field-reply-to-hint"),
        false,
        error.as_deref(),
    );
    *reply_to = Some(r.trim().to_string()).filter(|r| !r.is_empty());
    let label = ui.label(tr!("field-signature"));
    let mut s = signature.clone().unwrap_or_default();
    ui.add(
        egui::TextEdit::multiline(&mut s)
            .desired_rows(2)
            .desired_width(280.0)
            .hint_text(tr!("field-signature-hint")),
    )
    .labelled_by(label.id);
    *signature = Some(s).filter(|s| !s.trim().is_empty());
    ui.end_row();
}

/// The server refused to send as this address: its words, what to do, and a button that
/// clears the note once that is done (true when pressed).
fn refused(ui: &mut Ui, email: &str, words: &str) -> bool {
    design::chip(
        ui,
        icon::WARNING,
        tr!("identity-refused"),
        design::error(ui),
    );
    ui.label(tr!("server-said", words = words));
    ui.label(tr!("identity-refused-advice", email = email));
    ui.button(tr!("identity-clear-note")).clicked()
}
