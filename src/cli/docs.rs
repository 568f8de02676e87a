//! The command line's documentation, made from its own definition so that nothing is written
//! twice: manual pages (clap_mangen: `outpost(1)` and one page per command, in English and
//! German) and shell completions (clap_complete: the shell asks the binary itself, which
//! also completes the accounts' addresses and the outbox's message ids, read from the files
//! without touching the network).

use std::path::{Path, PathBuf};

use clap::Command;
use clap_complete::CompleteEnv;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::i18n::{self, Language};
use crate::paths::Paths;
use crate::usecases::{account, queue};

/// Answers the shell when it asks for completions (`COMPLETE=bash outpost` prints the
/// script that registers them; the script asks again for each Tab), and exits; a normal
/// run returns at once. Call first of all: nothing may be printed before.
pub fn complete() {
    // The script calls `outpost` by name, wherever it was made.
    CompleteEnv::with_factory(completing)
        .completer("outpost")
        .complete();
}

/// The command line with the values only this computer knows.
fn completing() -> Command {
    let addresses = || ArgValueCandidates::new(|| candidates(account_addresses));
    let identities = || ArgValueCandidates::new(|| candidates(sending_addresses));
    let messages = || ArgValueCandidates::new(|| candidates(message_ids));
    super::help::command()
        .mut_subcommand("send", |s| s.mut_arg("from", |a| a.add(identities())))
        .mut_subcommand("account", |s| {
            ["remove", "signin", "trust-certificate", "check"]
                .into_iter()
                .fold(s, |s, name| {
                    s.mut_subcommand(name, |c| c.mut_arg("email", |a| a.add(addresses())))
                })
                .mut_subcommand("identity", |i| {
                    i.mut_subcommand("add", |c| c.mut_arg("account", |a| a.add(addresses())))
                        .mut_subcommand("remove", |c| c.mut_arg("email", |a| a.add(identities())))
                })
        })
        .mut_subcommand("queue", |s| {
            ["show", "retry", "cancel"].into_iter().fold(s, |s, name| {
                s.mut_subcommand(name, |c| c.mut_arg("id", |a| a.add(messages())))
            })
        })
}

/// What `list` finds in this user's files; nothing where they cannot be read.
fn candidates(list: fn(&Paths) -> Option<Vec<CompletionCandidate>>) -> Vec<CompletionCandidate> {
    Paths::from_env()
        .ok()
        .and_then(|p| list(&p))
        .unwrap_or_default()
}

fn account_addresses(paths: &Paths) -> Option<Vec<CompletionCandidate>> {
    let accounts = account::list(paths).ok()?;
    Some(
        (accounts.accounts.iter())
            .map(|a| CompletionCandidate::new(a.email.as_str()))
            .collect(),
    )
}

fn sending_addresses(paths: &Paths) -> Option<Vec<CompletionCandidate>> {
    let accounts = account::list(paths).ok()?;
    Some(
        (accounts.accounts.iter())
            .flat_map(|a| a.identities())
            .map(|i| CompletionCandidate::new(i.email))
            .collect(),
    )
}

fn message_ids(paths: &Paths) -> Option<Vec<CompletionCandidate>> {
    // No outbox yet: none is made by asking.
    if !paths.outbox_file().exists() {
        return None;
    }
    let now = crate::clock::now_ms();
    let messages = queue::list(paths).ok()?;
    Some(
        messages
            .iter()
            .map(|m| {
                let about = format!("{} — {}", m.in_words(now), m.subject);
                CompletionCandidate::new(m.id.to_string()).help(Some(about.into()))
            })
            .collect(),
    )
}

/// Writes the manual pages into `dir`: `man1/` in English and `de/man1/` in German, one page
/// for `outpost` and one for each of its commands (`outpost-queue-prune.1`…); the paths
/// written.
pub fn write_manuals(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = vec![];
    for (lang, sub) in [(Language::English, "man1"), (Language::German, "de/man1")] {
        let out = dir.join(sub);
        std::fs::create_dir_all(&out)?;
        i18n::in_language(lang, || pages(super::help::command(), &out, &mut written))?;
    }
    Ok(written)
}

/// The page of `cmd` and of each of its commands, into `out`.
fn pages(cmd: Command, out: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut stack = vec![cmd];
    while let Some(cmd) = stack.pop() {
        stack.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let page = clap_mangen::Man::new(cmd)
            .source(format!("outpost {}", env!("CARGO_PKG_VERSION")))
            .manual(tr!("manual-title"));
        written.push(page.generate_to(out)?);
    }
    Ok(())
}
