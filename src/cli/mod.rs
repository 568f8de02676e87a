//! The command line: clap commands → library calls → human text, or JSON with `--json`.

mod account;
mod args;
mod certificate;
mod detect;
pub mod docs;
pub mod help;
mod identity;
mod import;
mod oauth2;
mod outbox;
mod output;

use std::process::ExitCode;

use serde_json::Value;

use crate::explain::Explanation;
use crate::paths::Paths;

pub use args::{AccountCommand, AddArgs, Cli, Command, DetectArgs, Oauth2Command, SetArgs};
use output::{Failure, Out, no_home};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    if cli.json {
        // JSON is read by programs: its messages and advice stay English, like its kinds.
        crate::i18n::use_language(crate::i18n::Language::English);
    }
    let out = Out { json: cli.json };
    if let Some(dir) = &cli.manuals {
        return match docs::write_manuals(dir) {
            Ok(pages) => {
                out.text(tr!(
                    "cli-manuals",
                    count = pages.len(),
                    dir = dir.display().to_string()
                ));
                out.json(serde_json::json!({"pages": pages}));
                ExitCode::SUCCESS
            }
            Err(e) => {
                let x = Explanation::new(
                    tr!(
                        "cli-manuals-failed",
                        dir = dir.display().to_string(),
                        error = e.to_string()
                    ),
                    tr!("cli-manuals-failed-advice"),
                );
                out.failure(Failure::Failed("manuals", x), Value::Null)
            }
        };
    }
    // The sender logs to a file, like the window; every other command to standard error.
    if !matches!(cli.command, Some(Command::Run { .. })) {
        crate::log::to_stderr();
    }
    let cmd = match cli.command {
        Some(Command::Account(cmd)) => cmd,
        Some(Command::Detect(args)) => return detect::detect(&out, &args),
        Some(Command::Sendmail { args }) => return outbox::sendmail(&args),
        None => return ExitCode::SUCCESS,
        Some(other) => {
            let paths = match Paths::from_env() {
                Ok(p) => p,
                Err(e) => return no_home(&out, e),
            };
            let result = match other {
                Command::Send(args) => outbox::send(&out, &paths, args),
                Command::Queue(cmd) => outbox::queue(&out, &paths, cmd),
                Command::Oauth2(cmd) => oauth2::command(&out, &paths, cmd),
                Command::Run { stop: true, .. } => return outbox::stop(&out, &paths),
                Command::Run {
                    until_empty,
                    background,
                    timeout,
                    give_up_after,
                    ..
                } => {
                    if background {
                        // First of all: out of the caller's session, before its job ends.
                        crate::outbox::background::detach();
                    }
                    let _log = paths.log_dir().ok().map(|dir| crate::log::to_file(&dir));
                    let limits = outbox::Limits {
                        timeout,
                        give_up_after,
                    };
                    return if background {
                        outbox::run_background(&paths, limits)
                    } else {
                        outbox::run(&out, &paths, until_empty, limits)
                    };
                }
                Command::Account(_) | Command::Detect(_) | Command::Sendmail { .. } => {
                    unreachable!("handled above")
                }
            };
            return match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => out.failure(f, Value::Null),
            };
        }
    };
    let paths = match Paths::from_env() {
        Ok(p) => p,
        Err(e) => return no_home(&out, e),
    };
    let result = match cmd {
        AccountCommand::Add(args) => account::add(&out, &paths, args),
        AccountCommand::List => account::list(&out, &paths),
        AccountCommand::Edit { email, imap } => account::edit(&out, &paths, &email, &imap),
        AccountCommand::Remove {
            email,
            cancel_waiting,
            keep_waiting,
        } => {
            let choice = account::WaitingChoice {
                cancel: cancel_waiting,
                keep: keep_waiting,
            };
            account::remove(&out, &paths, &email, choice)
        }
        AccountCommand::Signin { email, no_browser } => {
            account::signin(&out, &paths, &email, no_browser)
        }
        AccountCommand::Import(args) => import::import(&out, &paths, args),
        AccountCommand::TrustCertificate {
            email,
            fingerprint,
            remove,
        } => certificate::trust(
            &out,
            &paths,
            certificate::TrustArgs {
                email: &email,
                fingerprint: fingerprint.as_deref(),
                remove,
            },
        ),
        AccountCommand::Identity { cmd } => identity::run(&out, &paths, cmd),
        AccountCommand::Check {
            email,
            timeout,
            transcript,
        } => {
            return account::check(&out, &paths, &email, timeout, transcript);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => out.failure(f, Value::Null),
    }
}

/// Runs as `sendmail` when the binary is called by that name.
pub fn sendmail_main(args: &[String]) -> ExitCode {
    crate::log::to_stderr();
    outbox::sendmail(args)
}

/// The runtime a command runs its network work on.
#[expect(
    clippy::expect_used,
    reason = "it fails only when the system gives no threads, and then no command can run"
)]
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}
