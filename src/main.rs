//! The `outpost` binary: the window without arguments (or with a `mailto:` link), the command
//! line with them, and the sendmail interface when called `sendmail`.

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    // The shell asking for completions (`COMPLETE=bash outpost`): answered, and done.
    outpost::cli::docs::complete();
    let mut args = std::env::args();
    let called = args.next().unwrap_or_default();
    if std::path::Path::new(&called)
        .file_name()
        .is_some_and(|n| n == "sendmail")
    {
        return outpost::cli::sendmail_main(&args.collect::<Vec<_>>());
    }
    // `outpost mailto:…` (the desktop's mail link handler) opens compose with the link.
    let link = std::env::args().nth(1).filter(|a| {
        a.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
    });
    let request = match link {
        Some(link) => outpost::instance::Request::Compose(link),
        None => {
            // --help in the person's language.
            let matches = outpost::cli::help::command().get_matches();
            let cli = outpost::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
            if cli.command.is_some() || cli.manuals.is_some() {
                return outpost::cli::run(cli);
            }
            outpost::instance::Request::Show
        }
    };
    open_window(request)
}

#[cfg(feature = "gui")]
fn open_window(request: outpost::instance::Request) -> ExitCode {
    match outpost::ui::run(request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}",
                outpost::tr!("window-cannot-open", error = e.to_string())
            );
            eprintln!("  {}", outpost::tr!("window-needs-session"));
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_request: outpost::instance::Request) -> ExitCode {
    eprintln!("{}", outpost::tr!("window-not-built"));
    eprintln!("  {}", outpost::tr!("use-command-line"));
    ExitCode::FAILURE
}
