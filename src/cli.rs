//! The command line: clap commands → library calls → human text, or JSON with `--json`.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::account::manage::{self, ManageError, OnDuplicate};
use crate::account::verify::{Progress, Report, StepRecord, Timeouts};
use crate::account::{
    Account, AccountId, AccountStore, AuthMethod, Secret, SecretBackend, Security, SmtpSettings,
    parse_email, parse_host,
};
use crate::diagnose::{Explain, Explanation, verify_failure};
use crate::net::Net;
use crate::paths::Paths;

/// Outpost: outgoing mail that finds its own settings and never loses a message.
#[derive(Debug, Parser)]
#[command(name = "outpost", version, about)]
pub struct Cli {
    /// Print one JSON object on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do; without a command the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, remove and test accounts.
    #[command(subcommand)]
    Account(AccountCommand),
}

/// `outpost account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account; the password goes to the keyring.
    Add(AddArgs),
    /// List the accounts.
    List,
    /// Remove an account and its password.
    Remove {
        /// The account's e-mail address.
        email: String,
    },
    /// Check the connection step by step: DNS, TCP, TLS, EHLO, login.
    Test {
        /// The account's e-mail address.
        email: String,
        /// Limit for each step, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 15.0)]
        timeout: f64,
    },
}

/// Arguments of `outpost account add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The address mail is sent from.
    #[arg(long, value_name = "E")]
    pub email: String,
    /// The name recipients see.
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// The submission server.
    #[arg(long, value_name = "H")]
    pub host: String,
    /// The port (default: 465 for tls, 587 for starttls, 25 for none).
    #[arg(long, value_name = "P")]
    pub port: Option<u16>,
    /// tls (implicit TLS), starttls, or none.
    #[arg(long, value_name = "S")]
    pub security: Security,
    /// Login name (default: the e-mail address).
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    /// password, oauth2 (a bearer token), or none.
    #[arg(long, value_name = "A", default_value = "password")]
    pub auth: AuthMethod,
    /// Read the password (or token) from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    /// Keep the password in the kernel keyring until logout or reboot, not the system keyring.
    #[arg(long)]
    pub session_keyring: bool,
    /// Confirm sending the password unencrypted (only with --security none).
    #[arg(long)]
    pub allow_plaintext_password: bool,
    /// Replace the settings of an existing account with the same address.
    #[arg(long)]
    pub replace: bool,
}

/// How a command ended.
enum Failure {
    /// The input was wrong (exit 2).
    BadInput(&'static str, Explanation),
    /// The operation failed (exit 1).
    Failed(&'static str, Explanation),
}

impl From<ManageError> for Failure {
    fn from(e: ManageError) -> Self {
        if e.is_bad_input() {
            Failure::BadInput(e.kind(), e.explain())
        } else {
            Failure::Failed(e.kind(), e.explain())
        }
    }
}

struct Out {
    json: bool,
}

impl Out {
    fn text(&self, line: impl AsRef<str>) {
        if !self.json {
            println!("{}", line.as_ref());
            let _ = std::io::stdout().flush();
        }
    }

    fn json(&self, value: Value) {
        if self.json {
            println!("{value}");
        }
    }

    fn failure(&self, f: Failure, mut extra: Value) -> ExitCode {
        let (kind, e, code) = match f {
            Failure::BadInput(k, e) => (k, e, 2),
            Failure::Failed(k, e) => (k, e, 1),
        };
        if self.json {
            let error = json!({"kind": kind, "message": e.problem, "advice": e.advice});
            match extra.as_object_mut() {
                Some(obj) => {
                    obj.insert("error".into(), error);
                }
                None => extra = json!({ "error": error }),
            }
            println!("{extra}");
        } else {
            eprintln!("error: {}\n  What to do: {}", e.problem, e.advice);
        }
        ExitCode::from(code)
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let out = Out { json: cli.json };
    let Some(Command::Account(cmd)) = cli.command else {
        return ExitCode::SUCCESS;
    };
    let paths = match Paths::from_env() {
        Ok(p) => p,
        Err(e) => {
            let e = Explanation {
                problem: e.to_string(),
                advice: "Set OUTPOST_HOME to a folder.".into(),
            };
            return out.failure(Failure::Failed("no_home", e), Value::Null);
        }
    };
    let store = AccountStore::new(paths.accounts_file());
    let result = match cmd {
        AccountCommand::Add(args) => add(&out, &store, args),
        AccountCommand::List => list(&out, &store),
        AccountCommand::Remove { email } => remove(&out, &store, &email),
        AccountCommand::Test { email, timeout } => return test(&out, &store, &email, timeout),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => out.failure(f, Value::Null),
    }
}

fn bad_input(e: crate::account::InvalidAccount) -> Failure {
    Failure::BadInput("invalid", e.explain())
}

fn read_secret(args: &AddArgs, email: &str) -> Result<Option<Secret>, Failure> {
    if !args.auth.needs_secret() {
        return Ok(None);
    }
    let what = if args.auth == AuthMethod::Oauth2 {
        "token"
    } else {
        "password"
    };
    let secret = if args.password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            Failure::Failed(
                "stdin",
                Explanation {
                    problem: format!("Could not read the {what} from standard input ({e})."),
                    advice: "Pipe it in, e.g. `secret-tool lookup … | outpost account add …`."
                        .into(),
                },
            )
        })?;
        let trimmed = s.strip_suffix('\n').unwrap_or(&s);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        Secret::new(trimmed)
    } else if std::io::stdin().is_terminal() {
        let s = rpassword::prompt_password(format!("{} for {email}: ", capital(what))).map_err(
            |e| {
                Failure::Failed(
                    "stdin",
                    Explanation {
                        problem: format!("Could not read the {what} ({e})."),
                        advice: "Use --password-stdin to pipe it in.".into(),
                    },
                )
            },
        )?;
        Secret::new(s)
    } else {
        return Err(Failure::BadInput(
            "no_secret",
            Explanation {
                problem: format!("No {what} was given, and there is no terminal to ask on."),
                advice: "Pass it on standard input with --password-stdin (never as an \
                         argument), or use --auth none for a server that needs no login."
                    .into(),
            },
        ));
    };
    if secret.is_empty() {
        return Err(Failure::BadInput(
            "empty_secret",
            Explanation {
                problem: format!("The {what} is empty."),
                advice: format!("Give the {what}, or use --auth none for a server without login."),
            },
        ));
    }
    Ok(Some(secret))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn add(out: &Out, store: &AccountStore, args: AddArgs) -> Result<(), Failure> {
    let email = parse_email(&args.email).map_err(bad_input)?;
    let account = Account {
        id: AccountId::generate(),
        email: email.clone(),
        display_name: args.name.clone().filter(|n| !n.trim().is_empty()),
        smtp: SmtpSettings {
            host: parse_host(&args.host).map_err(bad_input)?,
            port: args.port.unwrap_or(args.security.default_port()),
            security: args.security,
            username: args.username.clone().unwrap_or_else(|| email.clone()),
            auth: args.auth,
        },
        secret_backend: if args.session_keyring {
            SecretBackend::Session
        } else {
            SecretBackend::System
        },
        allow_plaintext_auth: args.allow_plaintext_password,
    };
    // Check the settings before asking for a password that could not be used.
    account.validate().map_err(bad_input)?;
    let secret = read_secret(&args, &email)?;
    let on_dup = if args.replace {
        OnDuplicate::Replace
    } else {
        OnDuplicate::Refuse
    };
    let saved = manage::save(store, account, secret.as_ref(), on_dup)?;
    out.text(format!(
        "Added {} ({}:{}, {}, login: {}); {}.",
        saved.email,
        saved.smtp.host,
        saved.smtp.port,
        saved.smtp.security.as_str(),
        saved.smtp.auth.as_str(),
        if secret.is_some() {
            format!("password kept in the {}", saved.secret_backend.label())
        } else {
            "no password needed".into()
        }
    ));
    out.text(format!(
        "Check it with: outpost account test {}",
        saved.email
    ));
    out.json(json!({ "account": account_json(&saved, false) }));
    Ok(())
}

fn account_json(a: &Account, is_default: bool) -> Value {
    json!({
        "id": a.id,
        "email": a.email,
        "display_name": a.display_name,
        "default": is_default,
        "smtp": a.smtp,
        "secret_backend": a.secret_backend,
        "allow_plaintext_auth": a.allow_plaintext_auth,
    })
}

fn list(out: &Out, store: &AccountStore) -> Result<(), Failure> {
    let accounts = store.load().map_err(ManageError::from)?;
    let is_default = |a: &Account| accounts.default.as_ref() == Some(&a.id);
    if accounts.accounts.is_empty() {
        out.text("No accounts yet. Add one with: outpost account add --email … (or open the window: outpost)");
    }
    for a in &accounts.accounts {
        out.text(format!(
            "{}{} — {}:{} {} (login: {}, {}){}",
            a.email,
            a.display_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            a.smtp.host,
            a.smtp.port,
            a.smtp.security.as_str(),
            a.smtp.auth.as_str(),
            a.secret_backend.label(),
            if is_default(a) { " [default]" } else { "" }
        ));
    }
    out.json(json!({
        "accounts": accounts.accounts.iter().map(|a| account_json(a, is_default(a))).collect::<Vec<_>>()
    }));
    Ok(())
}

fn remove(out: &Out, store: &AccountStore, email: &str) -> Result<(), Failure> {
    let (removed, secret_error) = manage::remove(store, email)?;
    out.text(format!("Removed {}.", removed.email));
    let warning = secret_error.map(|e| {
        let e = e.explain();
        format!(
            "The password may still be in the keyring: {} {}",
            e.problem, e.advice
        )
    });
    if let Some(w) = &warning {
        if out.json {
            // Reported in the JSON below.
        } else {
            eprintln!("warning: {w}");
        }
    }
    out.json(json!({ "removed": account_json(&removed, false), "warning": warning }));
    Ok(())
}

fn step_json(s: &StepRecord) -> Value {
    let ms = s.elapsed.as_millis() as u64;
    match &s.outcome {
        Ok(detail) => json!({"step": s.step.as_str(), "ok": true, "ms": ms, "detail": detail}),
        Err(e) => {
            let x = verify_failure(s.step, e);
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
    })
}

fn print_step(out: &Out, s: &StepRecord) {
    let ms = s.elapsed.as_millis();
    match &s.outcome {
        Ok(detail) => out.text(format!("  ✓ {:<28} {detail} ({ms} ms)", s.step.label())),
        Err(e) => out.text(format!("  ✗ {:<28} {e} ({ms} ms)", s.step.label())),
    }
}

fn test(out: &Out, store: &AccountStore, email: &str, timeout: f64) -> ExitCode {
    let timeouts = match Duration::try_from_secs_f64(timeout) {
        Ok(d) if !d.is_zero() => Timeouts::uniform(d),
        _ => {
            let e = Explanation {
                problem: format!("--timeout {timeout} is not a duration."),
                advice: "Give the seconds each step may take, e.g. --timeout 15.".into(),
            };
            return out.failure(Failure::BadInput("invalid", e), Value::Null);
        }
    };
    let account = match manage::find(store, email) {
        Ok(a) => a,
        Err(e) => return out.failure(e.into(), Value::Null),
    };
    let secret = match manage::load_secret(&account) {
        Ok(s) => s,
        Err(e) => {
            let extra = json!({"email": account.email, "ok": false, "steps": []});
            return out.failure(Failure::Failed(e.kind(), e.explain()), extra);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let report = rt.block_on(async {
        let net = Net::from_env().map_err(|e| Failure::Failed("setup", e.explain()))?;
        out.text(format!(
            "Testing {} via {}:{} (security {}, login {})",
            account.email,
            account.smtp.host,
            account.smtp.port,
            account.smtp.security.as_str(),
            account.smtp.auth.as_str()
        ));
        Ok(
            manage::test(&net, &account, secret.as_ref(), timeouts, |p| {
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
    match report.failure() {
        None => {
            out.text("All steps passed: this account can send mail.");
            out.json(body);
            ExitCode::SUCCESS
        }
        Some((step, e)) => {
            let x = verify_failure(step, e);
            if let Some(obj) = body.as_object_mut() {
                obj.insert("failed_step".into(), json!(step.as_str()));
            }
            out.failure(Failure::Failed(e.kind(), x), body)
        }
    }
}
