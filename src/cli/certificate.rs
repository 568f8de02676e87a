//! `outpost account trust-certificate`: shows the certificate an account's server presents
//! and trusts exactly its key for that account (or removes that trust).

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Value, json};

use super::output::{Failure, Out};
use crate::account::check::Timeouts;
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
    let by = if info.issued_by_itself() {
        tr!("cli-cert-self-issued", issuer = info.issuer.as_str())
    } else {
        info.issuer.clone()
    };
    let mut rows = vec![
        (tr!("cert-issued-to"), info.subject.clone()),
        (tr!("cert-issued-by"), by),
        (
            tr!("cert-names"),
            crate::net::tls::shorten_names(&info.names),
        ),
        (
            tr!("cert-valid"),
            tr!(
                "cert-valid-range",
                from = info.not_before.as_str(),
                to = info.not_after.as_str()
            ),
        ),
        (tr!("cert-key"), info.sha256.to_string()),
    ];
    if let Some(p) = problem {
        rows.push((tr!("cli-cert-refused"), p.without_names()));
    }
    // The values line up after the longest label, in whatever language.
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    rows.into_iter()
        .map(|(label, value)| format!("  {:<width$} {value}", format!("{label}:")))
        .collect()
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
    eprint!("{}", tr!("cli-cert-confirm", email = email));
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| {
        Failure::Failed(
            "stdin",
            Explanation::new(
                tr!("cli-answer-unread", error = e.to_string()),
                tr!("cli-cert-answer-advice"),
            ),
        )
    })?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "j" | "ja"
    ))
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
                    tr!("cli-cert-fingerprint-advice"),
                ),
            )
        })?;
    let account = accounts::find(paths, args.email)?;
    if args.remove {
        let was = account.pinned_certificate.clone();
        let saved = certificate::set_pin(paths, &account, None)?;
        out.text(match &was {
            Some(p) => tr!(
                "cli-cert-untrusted",
                email = saved.email.as_str(),
                key = p.sha256.to_string()
            ),
            None => tr!("cli-cert-none", email = saved.email.as_str()),
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
    out.text(tr!(
        "cli-cert-presents-host",
        host = account.smtp.host.as_str(),
        port = account.smtp.port
    ));
    for line in describe(info, problem) {
        out.text(line);
    }
    if expected.is_none() {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::BadInput(
                "confirmation_needed",
                Explanation::new(
                    tr!("cli-cert-no-terminal"),
                    tr!("cli-cert-no-terminal-advice", key = info.sha256.to_string()),
                ),
            ));
        }
        if !confirmed(&account.email)? {
            out.text(tr!("cli-cert-nothing"));
            return Ok(());
        }
    }
    let saved =
        certificate::trust(paths, &account, &presented, expected.as_ref()).map_err(failed)?;
    #[expect(
        clippy::expect_used,
        reason = "trusting a certificate sets the account's pin"
    )]
    let pin = saved
        .pinned_certificate
        .as_ref()
        .expect("trust sets the pin");
    out.text(tr!("cli-cert-trusted", email = saved.email.as_str()));
    out.json(json!({
        "email": saved.email,
        "certificate": certificate_json(info, problem),
        "pinned": pin_json(pin),
    }));
    Ok(())
}
