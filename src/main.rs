//! The `outpost` binary: the window without arguments, the command line with them, and the
//! sendmail interface when called `sendmail`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut args = std::env::args();
    let called = args.next().unwrap_or_default();
    if std::path::Path::new(&called)
        .file_name()
        .is_some_and(|n| n == "sendmail")
    {
        return outpost::cli::sendmail_main(&args.collect::<Vec<_>>());
    }
    let cli = outpost::cli::Cli::parse();
    if cli.command.is_none() {
        return match outpost::ui::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: the window could not be opened: {e}");
                eprintln!(
                    "  Outpost needs a graphical session (X11 or Wayland). Without one, use the \
                     command line: outpost --help"
                );
                ExitCode::FAILURE
            }
        };
    }
    outpost::cli::run(cli)
}
