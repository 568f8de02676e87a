//! A server certificate shown when the check refused it, with "Trust this certificate for
//! this account"; and, in the form, the certificate an account trusts, which can be removed.

use egui::{RichText, Ui};

use super::action::SetupAction;
use crate::net::tls::shorten_names;
use crate::net::{CertProblem, CertReason, CertificateInfo, CertificatePin};
use crate::ui::design;

/// What a self-signed certificate is, for people deciding whether to trust one.
fn self_signed() -> String {
    tr!("cert-self-signed")
}

/// The refused certificate, with the button to trust it when trusting it is a choice to
/// offer (not for a changed key: that needs a second look, offered the same way after it).
/// `server` is the host it came from.
pub fn refused(
    ui: &mut Ui,
    server: &str,
    info: &CertificateInfo,
    problem: &CertProblem,
) -> Option<SetupAction> {
    ui.add_space(6.0);
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            design::section(ui, tr!("cert-servers", server = server));
            details(ui, info);
            ui.add_space(4.0);
            if matches!(
                problem.reason,
                CertReason::SelfSigned | CertReason::UnknownIssuer
            ) {
                ui.label(self_signed());
            }
            if let CertReason::Changed { pinned } = &problem.reason {
                ui.label(
                    RichText::new(tr!("cert-changed", pinned = pinned.to_string()))
                        .color(design::error(ui)),
                );
            }
            ui.add_space(4.0);
            ui.button(tr!("cert-trust"))
                .on_hover_text(tr!("cert-trust-hint"))
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
            row(ui, &tr!("cert-issued-to"), info.issued_to());
            let by = if info.issued_by_itself() {
                tr!("cert-itself", issuer = info.issuer.as_str())
            } else {
                info.issuer.clone()
            };
            row(ui, &tr!("cert-issued-by"), by);
            row(ui, &tr!("cert-names"), shorten_names(&info.names));
            row(
                ui,
                &tr!("cert-valid"),
                tr!(
                    "cert-valid-range",
                    from = info.not_before.as_str(),
                    to = info.not_after.as_str()
                ),
            );
            let l = ui.label(tr!("cert-key"));
            fingerprint(ui, info.sha256.in_lines()).labelled_by(l.id);
            ui.end_row();
        });
}

/// A key's fingerprint in lines of eight bytes, in a fixed-width font, to compare by eye.
fn fingerprint(ui: &mut Ui, lines: String) -> egui::Response {
    ui.add(egui::Label::new(RichText::new(lines).monospace()).selectable(true))
}

/// In the form: the certificate this account trusts from `server`, and a way to stop
/// trusting it.
pub fn trusted(ui: &mut Ui, server: &str, pin: &CertificatePin) -> Option<SetupAction> {
    ui.add_space(6.0);
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            design::section(ui, tr!("cert-trusted"));
            let l = ui.label(tr!("cert-pinned", server = server));
            fingerprint(ui, pin.sha256.in_lines()).labelled_by(l.id);
            if let Some(why) = &pin.exception {
                ui.label(tr!("cert-trusted-although", why = why.to_string()));
            }
            ui.button(tr!("cert-stop-trusting"))
                .clicked()
                .then_some(SetupAction::ForgetCertificate)
        })
        .inner
}
