//! `outpost account trust-certificate`: shows the certificate an account's server presents
//! and trusts exactly its key for that account (or removes that trust).

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Value, json};

use super::output::{Failure, Out};
use crate::account::verify::Timeouts;
use crate::explain::{Explain, Explanation};
use crate::net::{CertProblem, CertificateInfo, CertificatePin, Fingerprint, Net};
use crate::paths::Paths;
use crate::usecases::account as accounts;
use crate::usecases::certificate::{self, CertificateError, Presented};

/// What `trust-certificate` was asked.
pub(super) struct TrustArgs<'a> {
    pub email: &'a str,
    pub fingerprint: Option<&'a str>,
    pub remove: bool,
}

/// A certificate, line by line, for people.
pub(super) fn describe(info: &CertificateInfo, problem: Option<&CertProblem>) -> Vec<String> {
    let mut lines = vec![
        format!("  Issued to:   {}", info.subject),
        format!(
            "  Issued by:   {}{}",
            info.issuer,
            if info.issued_by_itself() {
                " (itself: a self-signed certificate)"
            } else {
                ""
            }
        ),
        format!(
            "  Names:       {}",
            crate::net::tls::shorten_names(&info.names)
        ),
        format!("  Valid:       {} to {}", info.not_before, info.not_after),
        format!("  Key SHA-256: {}", info.sha256),
    ];
    if let Some(p) = problem {
        lines.push(format!("  Refused:     {}", p.without_names()));
    }
    lines
}

/// The certificate as JSON.
pub(super) fn certificate_json(info: &CertificateInfo, problem: Option<&CertProblem>) -> Value {
    json!({
        "subject": info.subject,
        "issuer": info.issuer,
        "self_signed": info.issued_by_itself(),
        "names": info.names,
        "not_before": info.not_before,
        "not_after": info.not_after,
        "sha256": info.sha256.to_string(),
        "refused": problem.map(CertProblem::without_names),
    })
}

fn pin_json(pin: &CertificatePin) -> Value {
    json!({
        "sha256": pin.sha256.to_string(),
        "subject": pin.subject,
        "exception": pin.exception,
        "pinned_at": pin.pinned_at,
    })
}

fn failed(e: CertificateError) -> Failure {
    match e {
        CertificateError::Manage(m) => m.into(),
        CertificateError::Mismatch { .. } => Failure::Failed("fingerprint_mismatch", e.explain()),
        CertificateError::NotEncrypted { .. } => Failure::BadInput("not_encrypted", e.explain()),
        CertificateError::Check(ref c) => Failure::Failed(c.error.kind(), e.explain()),
    }
}

/// Asks on the terminal whether to trust what is shown.
fn confirmed(email: &str) -> Result<bool, Failure> {
    eprint!("Trust this certificate for {email}, and only its key from now on? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| {
        Failure::Failed(
            "stdin",
            Explanation::new(
                format!("Could not read the answer ({e})."),
                "Pass --fingerprint with the key's SHA-256 instead.",
            ),
        )
    })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub(super) fn trust(out: &Out, paths: &Paths, args: TrustArgs<'_>) -> Result<(), Failure> {
    let expected = args
        .fingerprint
        .map(Fingerprint::parse)
        .transpose()
        .map_err(|e| {
            Failure::BadInput(
                "invalid",
                Explanation::new(
                    format!("{}.", crate::explain::capitalise(&e.to_string())),
                    "Run without --fingerprint to see the server's.",
                ),
            )
        })?;
    let account = accounts::find(paths, args.email)?;
    if args.remove {
        let was = account.pinned_certificate.clone();
        let saved = certificate::set_pin(paths, &account, None)?;
        out.text(match &was {
            Some(p) => format!(
                "{} no longer trusts the certificate key {}; the usual authorities decide again.",
                saved.email, p.sha256
            ),
            None => format!("{} trusted no certificate of its own.", saved.email),
        });
        out.json(json!({ "email": saved.email, "removed": was.as_ref().map(pin_json) }));
        return Ok(());
    }
    let net = Net::from_env().map_err(|e| Failure::Failed("setup", e.explain()))?;
    let presented: Presented = super::runtime()
        .block_on(certificate::presented(
            &net,
            &account,
            Timeouts::uniform(Duration::from_secs(15)),
        ))
        .map_err(failed)?;
    let (info, problem) = (&presented.certificate, presented.problem.as_ref());
    out.text(format!(
        "{}:{} presents this certificate:",
        account.smtp.host, account.smtp.port
    ));
    for line in describe(info, problem) {
        out.text(line);
    }
    if expected.is_none() {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::BadInput(
                "confirmation_needed",
                Explanation::new(
                    "Nothing was trusted: there is no terminal to confirm on.",
                    format!(
                        "Compare the key's SHA-256 with the server's own (see SECURITY.md), \
                         then run again with --fingerprint {}.",
                        info.sha256
                    ),
                ),
            ));
        }
        if !confirmed(&account.email)? {
            out.text("Nothing was trusted.");
            return Ok(());
        }
    }
    let saved =
        certificate::trust(paths, &account, &presented, expected.as_ref()).map_err(failed)?;
    let pin = saved
        .pinned_certificate
        .as_ref()
        .expect("trust sets the pin");
    out.text(format!(
        "{} now trusts this certificate's key, and no other: a changed key is refused before \
         anything is sent.",
        saved.email
    ));
    out.json(json!({
        "email": saved.email,
        "certificate": certificate_json(info, problem),
        "pinned": pin_json(pin),
    }));
    Ok(())
}
