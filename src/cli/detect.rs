//! `outpost detect EMAIL`: progress lines, then the settings with where each came from.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::args::DetectArgs;
use super::output::{Failure, Out, no_home_failure};
use crate::detect::facts::ProviderHelp;
use crate::detect::{self, Candidate, Detection, Options, Outcome, Progress, SourceReport};
use crate::explain::{Explain, Explanation};
use crate::net::Net;
use crate::paths::Paths;
use crate::usecases;

fn smtp_json(c: &Candidate) -> Value {
    json!({
        "host": c.smtp.host,
        "port": c.smtp.port,
        "security": c.smtp.security.as_str(),
        "username": c.smtp.username,
        "auth": c.smtp.auth.as_str(),
    })
}

fn sources_json(sources: &[SourceReport]) -> Value {
    sources
        .iter()
        .map(|r| {
            json!({
                "source": r.source.as_str(),
                "outcome": r.outcome.as_str(),
                "detail": r.outcome.detail(),
                "ms": r.elapsed.as_millis() as u64,
            })
        })
        .collect()
}

/// The detection as the JSON object the command prints.
pub fn detection_json(d: &Detection) -> Value {
    let src = d.chosen.source.as_str();
    let origin = |default: bool| if default { "default" } else { src };
    json!({
        "email": d.email,
        "smtp": smtp_json(&d.chosen),
        "source": src,
        "provider": d.chosen.provider,
        "mail_domain": d.chosen.mail_domain(),
        "oauth2": d.chosen.oauth2.as_ref().map(|o| json!({
            "issuer": o.issuer, "scope": o.scope, "auth_url": o.auth_url, "token_url": o.token_url,
        })),
        "provenance": {
            "host": src, "port": src, "security": src,
            "username": origin(d.chosen.username_default),
            "auth": origin(d.chosen.auth_default),
        },
        "trusted": d.trusted,
        "signed": d.chosen.signed,
        "warnings": d.warnings,
        "alternatives": d.alternatives.iter().map(|a| json!({
            "smtp": smtp_json(a), "source": a.source.as_str(), "trusted": a.trusted,
        })).collect::<Vec<_>>(),
        "sources": sources_json(&d.sources),
        "elapsed_ms": d.elapsed.as_millis() as u64,
        "provider_help": d.provider.as_ref().map(provider_json),
        "imap": d.imap.as_ref().map(|i| json!({
            "host": i.host, "port": i.port, "security": i.security.as_str(),
            "source": i.source.as_str(), "trusted": i.trusted,
        })),
        "sent_copy": !d.provider.as_ref().is_some_and(ProviderHelp::files_sent_copy),
    })
}

/// What is known of the provider: its help pages, and what it needs before a password works.
fn provider_json(p: &ProviderHelp) -> Value {
    let guidance = p.guidance();
    json!({
        "id": p.id,
        "name": p.name,
        "help": p.help,
        "enable": p.enable.as_ref().map(|(url, what)| json!({"url": url, "what": what})),
        "login": p.login(),
        "guidance": guidance.as_ref().map(|g| json!({
            "headline": g.headline, "before": g.before, "steps": g.steps, "page": g.page,
            "field": g.field,
        })),
        "limits": p.facts.as_ref().and_then(|f| f.limits.as_ref()),
    })
}

/// The provider's guidance and help page, for people.
pub(super) fn print_provider(out: &Out, p: &ProviderHelp) {
    if let Some(g) = p.guidance() {
        for line in g.lines() {
            out.text(format!("  {line}"));
        }
    }
    if let Some(help) = p.help.first() {
        out.text(format!(
            "  {} {help}",
            tr!("provider-help", provider = p.name.as_str())
        ));
    }
}

fn print_progress(out: &Out, p: &Progress) {
    if let Progress::Finished(r) = p {
        let mark = match r.outcome {
            Outcome::Found(_) => "✓",
            Outcome::Failed(_) => "✗",
            _ => "·",
        };
        out.text(format!(
            "  {mark} {:<32} {} ({} ms)",
            r.source.label(),
            r.outcome.detail(),
            r.elapsed.as_millis()
        ));
    }
}

/// Runs detection on a fresh runtime, printing progress as it goes.
pub fn run_detection(
    out: &Out,
    email: &str,
    options: &Options,
) -> Result<Result<Detection, detect::Failure>, Failure> {
    let rt = super::runtime();
    rt.block_on(async {
        let net = Net::from_env().map_err(|e| Failure::Failed("setup", e.explain()))?;
        out.text(tr!("cli-looking", email = email.trim()));
        let paths = Paths::from_env().map_err(no_home_failure)?;
        let progress = |p| print_progress(out, &p);
        Ok(usecases::detect::detect(&net, &paths, email, options, progress).await)
    })
}

/// The options from the command line, or a bad-input failure.
pub fn options(deadline: f64, no_probe: bool, no_online: bool) -> Result<Options, Failure> {
    match Duration::try_from_secs_f64(deadline) {
        Ok(d) if !d.is_zero() => Ok(Options {
            deadline: d,
            probe: !no_probe,
            online: !no_online,
            ..Options::default()
        }),
        _ => Err(Failure::BadInput(
            "invalid",
            Explanation {
                problem: tr!("cli-bad-deadline", value = deadline.to_string()),
                advice: tr!("cli-bad-deadline-advice"),
            },
        )),
    }
}

/// Turns a failed detection into the command's failure.
pub fn failure(f: &detect::Failure) -> (Failure, Value) {
    let mut e = f.error.explain();
    if let detect::DetectError::NothingFound { .. } = f.error {
        // Where the use case says "by hand", the command line says how.
        e.advice = tr!("cli-by-hand", advice = e.advice.as_str());
    }
    let extra = json!({"email": f.email, "sources": sources_json(&f.sources)});
    let failure = match f.error {
        detect::DetectError::BadAddress { .. } => Failure::BadInput(f.error.kind(), e),
        _ => Failure::Failed(f.error.kind(), e),
    };
    (failure, extra)
}

fn print_detection(out: &Out, d: &Detection) {
    let c = &d.chosen;
    out.text(format!(
        "\n{}",
        tr!(
            "cli-settings-for",
            email = d.email.as_str(),
            source = c.source_label(),
            provider = c
                .provider
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default(),
            unconfirmed = if d.trusted { "no" } else { "yes" }
        )
    ));
    out.text(format!(
        "  {}",
        tr!("mail-goes-through", domain = c.mail_domain())
    ));
    let rows = [
        (tr!("field-server"), c.smtp.host.clone()),
        (tr!("field-port"), c.smtp.port.to_string()),
        (tr!("field-security"), c.smtp.security.as_str().to_string()),
        (tr!("field-username"), c.smtp.username.clone()),
        (tr!("field-login"), c.smtp.auth.as_str().to_string()),
    ];
    // The values line up after the longest label, in whatever language.
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in rows {
        out.text(format!("  {label:<width$}  {value}"));
    }
    for w in &d.warnings {
        out.text(format!("  {}", tr!("warning", warning = w.as_str())));
    }
    if let Some(p) = &d.provider {
        print_provider(out, p);
    }
    for a in &d.alternatives {
        out.text(format!(
            "  {}",
            tr!(
                "cli-also-possible",
                settings = a.describe(),
                source = a.source.to_string()
            )
        ));
    }
}

pub(super) fn detect(out: &Out, args: &DetectArgs) -> ExitCode {
    let options = match options(args.deadline, args.no_probe, args.no_online) {
        Ok(o) => Options {
            share_address: args.share_address,
            ..o
        },
        Err(f) => return out.failure(f, Value::Null),
    };
    if let Err(e) = detect::parse_address(&args.email) {
        let extra = json!({"email": args.email.trim(), "sources": []});
        return out.failure(Failure::BadInput(e.kind(), e.explain()), extra);
    }
    match run_detection(out, &args.email, &options) {
        Err(f) => out.failure(f, Value::Null),
        Ok(Ok(d)) => {
            print_detection(out, &d);
            out.json(detection_json(&d));
            ExitCode::SUCCESS
        }
        Ok(Err(f)) => {
            let (failure, extra) = failure(&f);
            out.failure(failure, extra)
        }
    }
}
