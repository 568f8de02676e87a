//! `outpost account import`: the accounts other mail programs on this computer send with,
//! listed, or one of them added (its password asked for like `account add` does).

use serde_json::{Value, json};

use super::account::{account_json, read_secret};
use super::args::ImportArgs;
use super::output::{Failure, Out, bad_input};
use crate::account::{AuthMethod, SecretBackend};
use crate::explain::Explanation;
use crate::import::{Found, Note, Places};
use crate::paths::Paths;
use crate::usecases::account::{self as accounts, OnDuplicate};
use crate::usecases::import::{self as importing, Offer};

fn found_json(o: &Offer) -> Value {
    let f = &o.found;
    json!({
        "id": f.id(),
        "program": f.program.as_str(),
        "name": f.name,
        "place": f.place,
        "email": f.email,
        "display_name": f.display_name,
        "smtp": f.smtp,
        "goa_id": f.goa_id,
        "in_outpost": o.known,
    })
}

fn note_json(n: &Note) -> Value {
    json!({"program": n.program.as_str(), "place": n.place, "problem": n.problem})
}

fn describe(f: &Found) -> String {
    format!(
        "{}:{} {} ({}, login {}{})",
        f.smtp.host,
        f.smtp.port,
        f.email.as_deref().unwrap_or("(no address)"),
        f.smtp.security.as_str(),
        f.smtp.auth.as_str(),
        if f.smtp.username.is_empty() {
            String::new()
        } else {
            format!(" as {}", f.smtp.username)
        }
    )
}

fn no_home() -> Failure {
    Failure::Failed(
        "no_home",
        Explanation::new(
            "HOME is not set, so other programs' settings cannot be found.",
            "Run Outpost as a user with a home folder.",
        ),
    )
}

pub(super) fn import(out: &Out, paths: &Paths, args: ImportArgs) -> Result<(), Failure> {
    let places = Places::from_env().ok_or_else(no_home)?;
    let (offers, notes) = importing::list(paths, &places);
    let Some(id) = args.source.as_deref() else {
        if offers.is_empty() {
            out.text(
                "No other mail program on this computer has sending settings Outpost can read.",
            );
        }
        for o in &offers {
            out.text(format!(
                "{}{}\n    {}\n    found in {}",
                o.found.id(),
                if o.known {
                    "  (already in Outpost)"
                } else {
                    ""
                },
                describe(&o.found),
                o.found.place.display()
            ));
        }
        for n in &notes {
            out.text(format!(
                "Note: {} {}: {}",
                n.program,
                n.place.display(),
                n.problem
            ));
        }
        out.json(json!({
            "found": offers.iter().map(found_json).collect::<Vec<_>>(),
            "notes": notes.iter().map(note_json).collect::<Vec<_>>(),
        }));
        return Ok(());
    };
    let Some(offer) = offers.iter().find(|o| o.found.id() == id) else {
        let ids: Vec<String> = offers.iter().map(|o| o.found.id()).collect();
        return Err(Failure::BadInput(
            "not_found",
            Explanation::new(
                format!("No account '{id}' was found in other programs' settings."),
                if ids.is_empty() {
                    "'outpost account import --list' shows what can be found.".to_string()
                } else {
                    format!("These can be imported: {}.", ids.join(", "))
                },
            ),
        ));
    };
    let mut draft = importing::draft(&offer.found, args.email.as_deref());
    if draft.email.is_empty() {
        return Err(Failure::BadInput(
            "no_address",
            Explanation::new(
                format!(
                    "{} does not say which address '{id}' sends from.",
                    offer.found.program
                ),
                "Give it with --email you@example.org.",
            ),
        ));
    }
    draft.session_only = args.session_keyring;
    let account = draft.account().map_err(bad_input)?;
    let secret = if account.secret_backend == SecretBackend::Goa {
        // GNOME Online Accounts hands the credential out at each use.
        None
    } else if account.smtp.auth == AuthMethod::Oauth2 && !args.password_stdin {
        let (email, host) = (&account.email, &account.smtp.host);
        Some(super::oauth2::browser_sign_in(
            out, paths, email, host, None, false,
        )?)
    } else {
        read_secret(
            args.password_stdin,
            account.smtp.auth,
            &account.email,
            "Password",
        )?
    };
    let on_dup = OnDuplicate::replace_when(args.replace);
    let saved = accounts::save(paths, account, secret.as_ref(), on_dup)?;
    out.text(format!(
        "Added {} from {} ({}:{}, {}). Check it with: outpost account test {}",
        saved.email,
        offer.found.program,
        saved.smtp.host,
        saved.smtp.port,
        saved.smtp.security.as_str(),
        saved.email
    ));
    out.json(json!({ "account": account_json(&saved, false), "imported_from": found_json(offer) }));
    Ok(())
}
