//! `--help` in the person's language. The English help is the doc comments clap reads; a
//! translation gives each command's and option's text as the message `help-<command path>`
//! or `help-<command path>-<option>` ("help-account-add-email"). The translations test
//! checks that a language has exactly the help texts the command line has. clap's own words
//! ("Usage:", "Options:", "Print help") stay English: clap has no translations.

use clap::{Command, CommandFactory};

use crate::i18n::{self, Language};

/// The command line, its help in the person's language (with the sendmail interface's whole
/// story, which its man page and `outpost sendmail --help` tell).
pub fn command() -> Command {
    localise(super::Cli::command(), "help", i18n::language())
        .mut_subcommand("sendmail", |s| s.after_long_help(tr!("sendmail-manual")))
}

/// Every help text the command line has, as its message id with the English text.
pub fn texts() -> Vec<(String, String)> {
    let mut all = vec![];
    collect(&super::Cli::command(), "help", &mut all);
    all
}

fn collect(cmd: &Command, path: &str, all: &mut Vec<(String, String)>) {
    if let Some(about) = cmd.get_about() {
        all.push((path.to_string(), about.to_string()));
    }
    for arg in cmd.get_arguments() {
        if let Some(help) = arg.get_help() {
            all.push((format!("{path}-{}", arg.get_id()), help.to_string()));
        }
    }
    for sub in cmd.get_subcommands() {
        collect(sub, &format!("{path}-{}", sub.get_name()), all);
    }
}

fn localise(cmd: Command, path: &str, lang: Language) -> Command {
    if lang == Language::English {
        return cmd;
    }
    let text = |id: &str| i18n::format_in(lang, id, None).map(|f| f.text);
    // A translation is one paragraph: it replaces the long text too, where there is one.
    let mut cmd = match text(path) {
        Some(about) if cmd.get_long_about().is_some() => cmd.about(about.clone()).long_about(about),
        Some(about) => cmd.about(about),
        None => cmd,
    };
    cmd = cmd.mut_args(|arg| match text(&format!("{path}-{}", arg.get_id())) {
        Some(help) if arg.get_long_help().is_some() => arg.help(help.clone()).long_help(help),
        Some(help) => arg.help(help),
        None => arg,
    });
    cmd.mut_subcommands(|sub| {
        let path = format!("{path}-{}", sub.get_name());
        localise(sub, &path, lang)
    })
}
