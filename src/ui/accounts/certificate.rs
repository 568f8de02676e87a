//! A server certificate shown when the check refused it, with "Trust this certificate for
//! this account"; and, in the form, the certificate an account trusts, which can be removed.

use egui::{RichText, Ui};

use super::setup::SetupAction;
use crate::net::tls::shorten_names;
use crate::net::{CertProblem, CertReason, CertificateInfo, CertificatePin};
use crate::ui::design;

/// What a self-signed certificate is, for people deciding whether to trust one.
const SELF_SIGNED: &str = "A self-signed certificate was made by the server itself, not by \
     an authority this computer trusts: it encrypts the connection, but proves nothing about \
     who is at the other end. Trust it only if this is your own server (or your \
     organisation's) and the key's SHA-256 below is the one the server shows.";

/// The refused certificate, with the button to trust it when trusting it is a choice to
/// offer (not for a changed key: that needs a second look, offered the same way after it).
pub fn refused(ui: &mut Ui, info: &CertificateInfo, problem: &CertProblem) -> Option<SetupAction> {
    ui.add_space(6.0);
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            design::section(ui, "The server's certificate");
            details(ui, info);
            ui.add_space(4.0);
            if matches!(
                problem.reason,
                CertReason::SelfSigned | CertReason::UnknownIssuer
            ) {
                ui.label(SELF_SIGNED);
            }
            if let CertReason::Changed { pinned } = &problem.reason {
                ui.label(
                    RichText::new(format!(
                        "This account trusts the key {pinned}. Trust the new one only if the \
                     server's certificate was replaced on purpose."
                    ))
                    .color(design::error(ui)),
                );
            }
            ui.add_space(4.0);
            ui.button("Trust this certificate for this account")
                .on_hover_text(
                    "From now on this account accepts exactly this key, and nothing else; a \
                 changed key is refused before anything is sent.",
                )
                .clicked()
                .then_some(SetupAction::TrustCertificate)
        })
        .inner
}

fn details(ui: &mut Ui, info: &CertificateInfo) {
    egui::Grid::new("certificate-details")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let row = |ui: &mut Ui, label: &str, value: String| {
                let l = ui.label(label);
                ui.add(egui::Label::new(value).selectable(true))
                    .labelled_by(l.id);
                ui.end_row();
            };
            row(ui, "Issued to", info.subject.clone());
            let by = if info.issued_by_itself() {
                format!("{} (itself)", info.issuer)
            } else {
                info.issuer.clone()
            };
            row(ui, "Issued by", by);
            row(ui, "Names", shorten_names(&info.names));
            row(
                ui,
                "Valid",
                format!("{} to {}", info.not_before, info.not_after),
            );
            row(ui, "Key SHA-256", info.sha256.to_string());
        });
}

/// In the form: the certificate this account trusts, and a way to stop trusting it.
pub fn trusted(ui: &mut Ui, pin: &CertificatePin) -> Option<SetupAction> {
    ui.add_space(6.0);
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            design::section(ui, "Trusted certificate");
            ui.label(format!(
                "This account accepts only the key of {} (SHA-256 {}), instead of the usual \
                 authorities.",
                pin.subject, pin.sha256
            ));
            if let Some(why) = &pin.exception {
                ui.label(format!("Trusted although {why}."));
            }
            ui.button("Stop trusting it")
                .clicked()
                .then_some(SetupAction::ForgetCertificate)
        })
        .inner
}
