//! `outpost account …`: add, list, remove, test.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::args::{AddArgs, ImapArgs};
use super::output::{Failure, Out, bad_input};
use crate::account::check::{CheckError, Progress, Report, StepRecord, Timeouts};
use crate::account::explain::check_failure;
use crate::account::{Account, AuthMethod, InvalidAccount, SmtpSettings, parse_email, parse_host};
use crate::detect::Detection;
use crate::detect::facts::ProviderHelp;
use crate::explain::{Explain, Explanation, capitalise};
use crate::net::Net;
use crate::paths::Paths;
use crate::secret::Secret;
use crate::usecases::account::{self as accounts, OnDuplicate, Waiting};
use crate::usecases::check;
use crate::usecases::draft::{AccountDraft, ImapDraft};
use crate::usecases::signin;

/// The password (or what the provider takes in its place: `field`, e.g. "App password"), from
/// standard input or the terminal.
pub(super) fn read_secret(
    password_stdin: bool,
    auth: AuthMethod,
    email: &str,
    field: &str,
) -> Result<Option<Secret>, Failure> {
    if !auth.needs_secret() {
        return Ok(None);
    }
    let what = if auth == AuthMethod::Oauth2 {
        tr!("secret-token")
    } else {
        crate::i18n::in_sentence(field)
    };
    let secret = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            Failure::Failed(
                "stdin",
                Explanation {
                    problem: tr!(
                        "stdin-read-failed",
                        what = what.as_str(),
                        error = e.to_string()
                    ),
                    advice: tr!("stdin-read-failed-advice"),
                },
            )
        })?;
        let trimmed = s.strip_suffix('\n').unwrap_or(&s);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        Secret::new(trimmed)
    } else if std::io::stdin().is_terminal() {
        let s = rpassword::prompt_password(tr!(
            "secret-prompt",
            what = capitalise(&what),
            email = email
        ))
        .map_err(|e| {
            Failure::Failed(
                "stdin",
                Explanation {
                    problem: tr!(
                        "terminal-read-failed",
                        what = what.as_str(),
                        error = e.to_string()
                    ),
                    advice: tr!("terminal-read-failed-advice"),
                },
            )
        })?;
        Secret::new(s)
    } else {
        return Err(Failure::BadInput(
            "no_secret",
            Explanation {
                problem: tr!("no-secret-given", what = what.as_str()),
                advice: tr!("no-secret-given-advice"),
            },
        ));
    };
    if secret.is_empty() {
        return Err(Failure::BadInput(
            "empty_secret",
            Explanation {
                problem: tr!("secret-empty", what = what.as_str()),
                advice: tr!("secret-empty-advice", what = what.as_str()),
            },
        ));
    }
    Ok(Some(secret))
}

/// Server settings from the arguments, completed by detection when asked for.
fn server_settings(
    out: &Out,
    args: &AddArgs,
    email: &str,
) -> Result<(SmtpSettings, Option<Detection>), Failure> {
    let detected = if args.detect {
        let options = super::detect::options(10.0, false, false)?;
        match super::detect::run_detection(out, email, &options)? {
            Ok(d) => Some(d),
            Err(f) => return Err(super::detect::failure(&f).0),
        }
    } else {
        None
    };
    if let Some(d) = &detected
        && !d.trusted
        && args.host.is_none()
    {
        let c = &d.chosen.smtp;
        return Err(Failure::Failed(
            "untrusted",
            Explanation {
                problem: tr!("settings-unconfirmed", warnings = d.warnings.join("; ")),
                advice: tr!(
                    "settings-unconfirmed-advice",
                    host = c.host.as_str(),
                    port = c.port,
                    security = c.security.as_str()
                ),
            },
        ));
    }
    let found = detected.as_ref().map(|d| &d.chosen.smtp);
    let host = match (&args.host, found) {
        (Some(h), _) => parse_host(h).map_err(bad_input)?,
        (None, Some(f)) => f.host.clone(),
        (None, None) => unreachable!("clap requires --host without --detect"),
    };
    #[expect(
        clippy::expect_used,
        reason = "clap requires --security unless --detect found one"
    )]
    let security = args
        .security
        .or(found.map(|f| f.security))
        .expect("clap requires --security without --detect");
    // A detected port belongs to the detected host and security; keep it only with both.
    let port = args.port.unwrap_or_else(|| match found {
        Some(f) if f.host == host && f.security == security => f.port,
        _ => security.default_port(),
    });
    let settings = SmtpSettings {
        host,
        port,
        security,
        username: args
            .username
            .clone()
            .or(found.map(|f| f.username.clone()))
            .unwrap_or_else(|| email.to_string()),
        auth: match (args.auth, found.map(|f| f.auth)) {
            (Some(a), _) => a,
            // A password piped in is a password (an app password), not a sign-in.
            (None, Some(AuthMethod::Oauth2)) if args.password_stdin => AuthMethod::Password,
            (None, found) => found.unwrap_or(AuthMethod::Password),
        },
    };
    Ok((settings, detected))
}

pub(super) fn add(out: &Out, paths: &Paths, args: AddArgs) -> Result<(), Failure> {
    let email = parse_email(&args.email).map_err(bad_input)?;
    let (smtp, detection) = server_settings(out, &args, &email)?;
    // Where to sign in, when the domain's own configuration said and the server is its.
    let discovered = detection
        .as_ref()
        .map(|d| &d.chosen)
        .filter(|c| c.smtp.host == smtp.host)
        .and_then(|c| c.oauth2.clone());
    let detected = detection.as_ref().map(super::detect::detection_json);
    let mut draft = AccountDraft {
        email: email.clone(),
        name: args.name.clone().unwrap_or_default(),
        session_only: args.session_keyring,
        allow_plaintext: args.allow_plaintext_password,
        proxy: args.proxy.clone().unwrap_or_default(),
        ..AccountDraft::default()
    };
    draft.set_smtp(&smtp);
    if let Some(d) = &detection {
        draft.imap_from(d);
    }
    apply_imap(&mut draft.imap, &args.imap);
    // Check the settings before asking for a password that could not be used.
    let account = draft.account().map_err(bad_input)?;
    let secret = if account.smtp.auth == AuthMethod::Oauth2 && !args.password_stdin {
        let host = &account.smtp.host;
        Some(super::oauth2::browser_sign_in(
            out,
            paths,
            &email,
            host,
            discovered.as_ref(),
            args.no_browser,
        )?)
    } else {
        let guidance = detection
            .as_ref()
            .and_then(|d| d.provider.as_ref())
            .and_then(ProviderHelp::guidance)
            .filter(|_| account.smtp.auth == AuthMethod::Password);
        let field = guidance
            .as_ref()
            .map_or_else(|| tr!("field-password"), |g| g.field.clone());
        if let Some(g) = &guidance {
            // Before the prompt, where the person is looking (stdout may be JSON).
            for line in g.lines() {
                eprintln!("{line}");
            }
            if let Some(issuer) = signin::provider_for(paths, &account.smtp.host) {
                eprintln!(
                    "{}",
                    tr!(
                        "cli-signin-instead",
                        provider = issuer.name.as_str(),
                        id = issuer.id.as_str()
                    )
                );
            }
        }
        read_secret(args.password_stdin, account.smtp.auth, &email, &field)?
    };
    let on_dup = OnDuplicate::replace_when(args.replace);
    let saved = accounts::save(paths, account, secret.as_ref(), on_dup)?;
    let kept = if secret.is_some() {
        let what = match saved.smtp.auth {
            AuthMethod::Oauth2 => "sign-in",
            _ => "password",
        };
        tr!(
            "cli-kept-in",
            what = what,
            backend = saved.secret_backend.label()
        )
    } else {
        tr!("cli-no-password-needed")
    };
    out.text(tr!(
        "cli-added",
        email = saved.email.as_str(),
        host = saved.smtp.host.as_str(),
        port = saved.smtp.port,
        security = saved.smtp.security.as_str(),
        auth = saved.smtp.auth.as_str(),
        kept = kept
    ));
    out.text(tr!("cli-check-it", email = saved.email.as_str()));
    out.json(json!({ "account": account_json(&saved, false), "detected": detected }));
    Ok(())
}

pub(super) fn signin(
    out: &Out,
    paths: &Paths,
    email: &str,
    no_browser: bool,
) -> Result<(), Failure> {
    let account = accounts::find(paths, email)?;
    if account.smtp.auth != AuthMethod::Oauth2 {
        return Err(Failure::BadInput(
            "not_oauth2",
            Explanation {
                problem: tr!(
                    "cli-not-oauth2",
                    email = account.email.as_str(),
                    auth = account.smtp.auth.as_str()
                ),
                advice: tr!("cli-not-oauth2-advice", email = account.email.as_str()),
            },
        ));
    }
    let secret = super::oauth2::browser_sign_in(
        out,
        paths,
        &account.email,
        &account.smtp.host,
        None,
        no_browser,
    )?;
    let saved = accounts::save(paths, account, Some(&secret), OnDuplicate::Replace)?;
    out.text(tr!("cli-signed-in-again", email = saved.email.as_str()));
    out.json(json!({ "account": account_json(&saved, false) }));
    Ok(())
}

/// What `--imap-*` and the copy switches say, over what was found or saved.
fn apply_imap(imap: &mut ImapDraft, args: &ImapArgs) {
    if let Some(h) = &args.imap_host {
        imap.host = h.clone();
        imap.source = None;
    }
    if let Some(s) = args.imap_security {
        imap.set_security(s);
    }
    if let Some(p) = args.imap_port {
        imap.port = p.to_string();
    }
    if args.no_sent_copy {
        imap.sent_copy = false;
    }
    if args.sent_copy {
        imap.sent_copy = true;
    }
    if let Some(f) = &args.sent_folder {
        imap.sent_folder = Some(f.clone()).filter(|f| !f.trim().is_empty());
    }
}

/// `outpost account edit`: the IMAP server and the copies of sent messages.
pub(super) fn edit(out: &Out, paths: &Paths, email: &str, args: &ImapArgs) -> Result<(), Failure> {
    let account = accounts::find(paths, email)?;
    let mut imap = ImapDraft::of(account.imap.as_ref());
    apply_imap(&mut imap, args);
    if args.sent_copy && imap.host.trim().is_empty() {
        return Err(bad_input(InvalidAccount::Host(String::new())));
    }
    let settings = imap.settings().map_err(bad_input)?;
    let changed = Account {
        imap: settings,
        ..account
    };
    changed.validate().map_err(bad_input)?;
    let saved = accounts::replace(paths, changed)?;
    out.text(match &saved.imap {
        Some(i) if i.sent_copy => tr!(
            "cli-copies-on",
            email = saved.email.as_str(),
            host = i.host.as_str(),
            port = i.port,
            security = i.security.as_str()
        ),
        _ => tr!("cli-copies-off", email = saved.email.as_str()),
    });
    out.json(json!({ "account": account_json(&saved, false) }));
    Ok(())
}

pub(super) fn account_json(a: &Account, is_default: bool) -> Value {
    json!({
        "id": a.id,
        "email": a.email,
        "display_name": a.display_name,
        "default": is_default,
        "smtp": a.smtp,
        "imap": a.imap,
        "secret_backend": a.secret_backend,
        "goa_id": a.goa_id,
        "allow_plaintext_auth": a.allow_plaintext_auth,
        "proxy": a.proxy.as_ref().map(ToString::to_string),
        "pinned_certificate": a.pinned_certificate,
    })
}

pub(super) fn list(out: &Out, paths: &Paths) -> Result<(), Failure> {
    let accounts = accounts::list(paths)?;
    let is_default = |a: &Account| accounts.default.as_ref() == Some(&a.id);
    if accounts.accounts.is_empty() {
        out.text(tr!("cli-no-accounts"));
    }
    for a in &accounts.accounts {
        let default = if is_default(a) {
            format!(" {}", tr!("cli-default-mark"))
        } else {
            String::new()
        };
        out.text(tr!(
            "cli-account-line",
            email = a.email.as_str(),
            name = a
                .display_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            host = a.smtp.host.as_str(),
            port = a.smtp.port,
            security = a.smtp.security.as_str(),
            auth = a.smtp.auth.as_str(),
            backend = a.secret_backend.label(),
            default = default
        ));
        if let Some(p) = &a.proxy {
            out.text(format!(
                "    {}",
                tr!("cli-through-proxy", proxy = p.to_string())
            ));
        }
        if let Some(pin) = &a.pinned_certificate {
            out.text(format!(
                "    {}",
                tr!(
                    "cli-trusts-only",
                    key = pin.sha256.to_string(),
                    subject = pin.subject.as_str()
                )
            ));
        }
    }
    out.json(json!({
        "accounts": accounts.accounts.iter().map(|a| account_json(a, is_default(a))).collect::<Vec<_>>()
    }));
    Ok(())
}

/// What `account remove` was told to do with the account's waiting messages.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WaitingChoice {
    /// `--cancel-waiting`.
    pub cancel: bool,
    /// `--keep-waiting`.
    pub keep: bool,
}

/// Removes the account; its waiting messages are cancelled or kept as the options say, and
/// with neither the person is asked (or, with no terminal to ask on, nothing is removed).
pub(super) fn remove(
    out: &Out,
    paths: &Paths,
    email: &str,
    choice: WaitingChoice,
) -> Result<(), Failure> {
    let account = accounts::find(paths, email)?;
    let waiting = match (choice.cancel, choice.keep) {
        (true, _) => Waiting::Cancel,
        (_, true) => Waiting::Keep,
        _ => ask_waiting(paths, &account)?,
    };
    let removed = accounts::remove(paths, &account.email, waiting)?;
    out.text(tr!(
        "account-removed",
        email = removed.account.email.as_str()
    ));
    let fate = removed.what_became_of_waiting();
    if let Some(f) = &fate {
        out.text(f);
    }
    let warning = removed.secret_left.as_ref().map(|e| {
        let e = e.explain();
        tr!(
            "cli-password-may-remain",
            problem = e.problem.as_str(),
            advice = e.advice.as_str()
        )
    });
    if let (Some(w), false) = (&warning, out.json) {
        eprintln!("{}", tr!("cli-warning", text = w.as_str()));
    }
    let (kept, cancelled) = match &removed.waiting {
        Ok((Waiting::Keep, n)) => (*n, 0),
        Ok((Waiting::Cancel, n)) => (0, *n),
        Err(_) => (0, 0),
    };
    out.json(json!({
        "removed": account_json(&removed.account, false),
        "warning": warning,
        "waiting": {"cancelled": cancelled, "kept": kept, "error": removed.waiting.as_ref().err().map(|e| e.explain().problem)},
    }));
    Ok(())
}

/// Asks on the terminal what to do with the account's waiting messages (none: nothing to
/// ask). Without a terminal nothing is removed: the options say it.
fn ask_waiting(paths: &Paths, account: &Account) -> Result<Waiting, Failure> {
    let n =
        accounts::waiting(paths, account).map_err(|e| Failure::Failed("outbox", e.explain()))?;
    if n == 0 {
        return Ok(Waiting::Cancel);
    }
    let problem = tr!(
        "cli-still-waiting",
        count = n,
        email = account.email.as_str()
    );
    if !std::io::stdin().is_terminal() {
        return Err(Failure::BadInput(
            "messages_waiting",
            Explanation {
                problem: tr!("cli-nothing-removed", problem = problem.as_str()),
                advice: tr!("cli-nothing-removed-advice"),
            },
        ));
    }
    eprintln!("{problem}");
    eprint!("{}", tr!("cli-ask-waiting"));
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| {
        Failure::Failed(
            "stdin",
            Explanation {
                problem: tr!("cli-answer-unread", error = e.to_string()),
                advice: tr!("cli-answer-unread-advice"),
            },
        )
    })?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "c" | "cancel" => Ok(Waiting::Cancel),
        "k" | "keep" => Ok(Waiting::Keep),
        _ => Err(Failure::BadInput(
            "stopped",
            Explanation {
                problem: tr!("cli-stopped", email = account.email.as_str()),
                advice: tr!("cli-stopped-advice"),
            },
        )),
    }
}

fn step_json(s: &StepRecord) -> Value {
    let ms = s.elapsed.as_millis() as u64;
    match &s.outcome {
        Ok(detail) => json!({"step": s.step.as_str(), "ok": true, "ms": ms, "detail": detail}),
        Err(e) => {
            let x = check_failure(s.step, e);
            json!({"step": s.step.as_str(), "ok": false, "ms": ms,
                   "error": {"kind": e.kind(), "message": x.problem, "advice": x.advice}})
        }
    }
}

fn report_json(account: &Account, report: &Report) -> Value {
    json!({
        "email": account.email,
        "ok": report.is_ok(),
        "address": report.address.map(|a| a.to_string()),
        "tls": report.tls_version,
        "capabilities": report.capabilities.as_ref().map(|c| json!({
            "starttls": c.starttls,
            "size": c.size,
            "auth": c.auth,
            "8bitmime": c.eight_bit_mime,
            "smtputf8": c.smtputf8,
            "pipelining": c.pipelining,
        })),
        "steps": report.steps.iter().map(step_json).collect::<Vec<_>>(),
        "certificate": report.certificate.as_ref().map(|c| {
            let refused = match report.failure() {
                Some((_, CheckError::Certificate(p))) => Some(p),
                _ => None,
            };
            super::certificate::certificate_json(c, refused)
        }),
    })
}

fn print_step(out: &Out, s: &StepRecord) {
    let ms = s.elapsed.as_millis();
    match &s.outcome {
        Ok(detail) => out.text(format!("  ✓ {:<28} {detail} ({ms} ms)", s.step.label())),
        Err(e) => out.text(format!("  ✗ {:<28} {e} ({ms} ms)", s.step.label())),
    }
}

pub(super) fn check(
    out: &Out,
    paths: &Paths,
    email: &str,
    timeout: f64,
    transcript: bool,
) -> ExitCode {
    let timeouts = match Duration::try_from_secs_f64(timeout) {
        Ok(d) if !d.is_zero() => Timeouts::uniform(d),
        _ => {
            let e = Explanation {
                problem: tr!("cli-bad-timeout", value = timeout.to_string()),
                advice: tr!("cli-bad-timeout-advice"),
            };
            return out.failure(Failure::BadInput("invalid", e), Value::Null);
        }
    };
    let account = match accounts::find(paths, email) {
        Ok(a) => a,
        Err(e) => return out.failure(e.into(), Value::Null),
    };
    let secret = match check::secret_for(&account, None) {
        Ok(s) => s,
        Err(e) => {
            let extra = json!({"email": account.email, "ok": false, "steps": []});
            return out.failure(Failure::Failed(e.kind(), e.explain()), extra);
        }
    };
    let rt = super::runtime();
    let report = rt.block_on(async {
        let net = Net::from_env().map_err(|e| Failure::Failed("setup", e.explain()))?;
        out.text(tr!(
            "cli-testing",
            email = account.email.as_str(),
            host = account.smtp.host.as_str(),
            port = account.smtp.port,
            security = account.smtp.security.as_str(),
            auth = account.smtp.auth.as_str()
        ));
        Ok(
            check::connection(&net, &account, secret.as_ref(), timeouts, |p| {
                if let Progress::Finished(s) = p {
                    print_step(out, &s)
                }
            })
            .await,
        )
    });
    let report = match report {
        Ok(r) => r,
        Err(f) => return out.failure(f, Value::Null),
    };
    let mut body = report_json(&account, &report);
    if transcript {
        out.text(tr!("cli-transcript"));
        for line in &report.transcript {
            out.text(format!("  {line}"));
        }
        if let Some(obj) = body.as_object_mut() {
            obj.insert("transcript".into(), json!(report.transcript));
        }
    }
    match report.failure() {
        None => {
            out.text(tr!("all-passed"));
            out.json(body);
            ExitCode::SUCCESS
        }
        Some((step, e)) => {
            if let (CheckError::Certificate(p), Some(c)) = (e, &report.certificate) {
                out.text(tr!("cli-cert-presents"));
                for line in super::certificate::describe(c, Some(p)) {
                    out.text(line);
                }
                out.text(tr!(
                    "cli-cert-trust-hint",
                    email = account.email.as_str(),
                    key = c.sha256.to_string()
                ));
            }
            let domain = account.email.rsplit('@').next().unwrap_or_default();
            let help = ProviderHelp::find(&account.smtp.host, domain);
            let failed = check::StepFailed {
                step,
                error: e.clone(),
            };
            let x = failed.explain_with(help.as_ref());
            if let Some(obj) = body.as_object_mut() {
                obj.insert("failed_step".into(), json!(step.as_str()));
            }
            out.failure(Failure::Failed(e.kind(), x), body)
        }
    }
}
