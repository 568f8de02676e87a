//! The `outpost` binary: the window without arguments, the command line with them.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
