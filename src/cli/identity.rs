//! `outpost account identity …`: the addresses an account sends as besides its own.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{Failure, Out};
use crate::account::{Account, Identity};
use crate::explain::Explanation;
use crate::paths::Paths;
use crate::usecases::account as accounts;
use crate::usecases::identity;

/// `outpost account identity …`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Add an address to send as (an alias your provider lets the account use), or change
    /// one; with the account's own address, set its Reply-To and signature.
    Add(IdentityArgs),
    /// List every address each account sends as.
    List,
    /// Stop sending as an address (not the account's own: remove the account for that).
    Remove {
        /// The address.
        email: String,
    },
}

/// Arguments of `outpost account identity add`.
#[derive(Debug, Args)]
pub struct IdentityArgs {
    /// The account it belongs to (its own address).
    #[arg(long, value_name = "E")]
    pub account: String,
    /// The address to send as.
    #[arg(long, value_name = "A")]
    pub email: String,
    /// The name recipients see.
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Where replies go.
    #[arg(long, value_name = "A")]
    pub reply_to: Option<String>,
    /// The signature, put under messages written with `outpost send` and in the window.
    #[arg(long, value_name = "TEXT", conflicts_with = "signature_file")]
    pub signature: Option<String>,
    /// A file with the signature.
    #[arg(long, value_name = "F")]
    pub signature_file: Option<PathBuf>,
}

/// Runs `cmd`.
pub fn run(out: &Out, paths: &Paths, cmd: IdentityCommand) -> Result<(), Failure> {
    match cmd {
        IdentityCommand::Add(args) => add(out, paths, args),
        IdentityCommand::List => list(out, paths),
        IdentityCommand::Remove { email } => {
            let account = identity::remove(paths, &email)?;
            out.text(tr!(
                "cli-identity-removed",
                account = account.email.as_str(),
                email = email.trim()
            ));
            out.json(json!({ "account": account.email, "removed": email.trim() }));
            Ok(())
        }
    }
}

fn add(out: &Out, paths: &Paths, args: IdentityArgs) -> Result<(), Failure> {
    let signature = match (&args.signature, &args.signature_file) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(f)) => Some(std::fs::read_to_string(f).map_err(|e| {
            Failure::BadInput(
                "signature_file",
                Explanation::new(
                    tr!(
                        "cli-signature-unreadable",
                        path = f.display().to_string(),
                        error = e.to_string()
                    ),
                    tr!("cli-signature-unreadable-advice"),
                ),
            )
        })?),
        (None, None) => None,
    };
    let wanted = Identity {
        email: args.email.trim().to_string(),
        display_name: args.name.map(|n| n.trim().to_string()),
        reply_to: args.reply_to.map(|r| r.trim().to_string()),
        signature: signature.filter(|s| !s.trim().is_empty()),
        refused: None,
    };
    let account = identity::set(paths, &args.account, wanted.clone())?;
    let own = wanted.email.eq_ignore_ascii_case(&account.email);
    out.text(tr!(
        "cli-sends-as",
        account = account.email.as_str(),
        email = wanted.email.as_str(),
        own = if own { "yes" } else { "no" }
    ));
    out.json(json!({ "account": account.email, "identities": identities_json(&account) }));
    Ok(())
}

fn list(out: &Out, paths: &Paths) -> Result<(), Failure> {
    let all = accounts::list(paths)?;
    if all.accounts.is_empty() {
        out.text(tr!("cli-no-accounts-short"));
    }
    for a in &all.accounts {
        out.text(format!("{}:", a.email));
        for i in a.identities() {
            let mut line = format!("    {}", i.mailbox());
            if let Some(r) = &i.reply_to {
                line.push_str(&format!(" {}", tr!("cli-replies-to", address = r.as_str())));
            }
            if i.signature.is_some() {
                line.push_str(&tr!("cli-signed"));
            }
            out.text(line);
            if let Some(words) = &i.refused {
                out.text(format!(
                    "      {}\n      {}",
                    tr!("cli-identity-refused", words = words.as_str()),
                    tr!("cli-identity-refused-advice", email = i.email.as_str())
                ));
            }
        }
    }
    out.json(json!({
        "accounts": all.accounts.iter().map(|a| json!({
            "account": a.email,
            "identities": identities_json(a),
        })).collect::<Vec<Value>>()
    }));
    Ok(())
}

fn identities_json(a: &Account) -> Value {
    json!(a.identities())
}
