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
        "imap": f.imap.as_ref().map(|(host, port, security)| json!({
            "host": host, "port": port, "security": security.as_str(),
        })),
        "in_outpost": o.known,
    })
}

fn note_json(n: &Note) -> Value {
    json!({"program": n.program.as_str(), "place": n.place, "problem": n.problem})
}

fn describe(f: &Found) -> String {
    tr!(
        "cli-found-line",
        host = f.smtp.host.as_str(),
        port = f.smtp.port,
        email = f.email.clone().unwrap_or_else(|| tr!("cli-no-address")),
        security = f.smtp.security.as_str(),
        auth = f.smtp.auth.as_str(),
        user = if f.smtp.username.is_empty() {
            String::new()
        } else {
            format!(" {}", tr!("cli-login-as", user = f.smtp.username.as_str()))
        }
    )
}

fn no_home() -> Failure {
    Failure::Failed(
        "no_home",
        Explanation::new(tr!("cli-no-home"), tr!("cli-no-home-advice")),
    )
}

pub(super) fn import(out: &Out, paths: &Paths, args: ImportArgs) -> Result<(), Failure> {
    let places = Places::from_env().ok_or_else(no_home)?;
    let (offers, notes) = importing::list(paths, &places);
    let Some(id) = args.source.as_deref() else {
        if offers.is_empty() {
            out.text(tr!("cli-nothing-to-import"));
        }
        for o in &offers {
            out.text(format!(
                "{}\n    {}\n    {}",
                tr!(
                    "cli-offer",
                    id = o.found.id(),
                    known = if o.known { "yes" } else { "no" }
                ),
                describe(&o.found),
                tr!("cli-found-in", place = o.found.place.display().to_string())
            ));
        }
        for n in &notes {
            out.text(tr!(
                "cli-note",
                program = n.program.to_string(),
                place = n.place.display().to_string(),
                problem = n.problem.as_str()
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
                tr!("cli-import-not-found", id = id),
                if ids.is_empty() {
                    tr!("cli-import-list-advice")
                } else {
                    tr!("cli-import-these", ids = ids.join(", "))
                },
            ),
        ));
    };
    let mut draft = importing::draft(&offer.found, args.email.as_deref());
    if draft.email.is_empty() {
        return Err(Failure::BadInput(
            "no_address",
            Explanation::new(
                tr!(
                    "cli-import-no-address",
                    program = offer.found.program.to_string(),
                    id = id
                ),
                tr!("cli-import-no-address-advice"),
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
            &tr!("field-password"),
        )?
    };
    let on_dup = OnDuplicate::replace_when(args.replace);
    let saved = accounts::save(paths, account, secret.as_ref(), on_dup)?;
    out.text(tr!(
        "cli-imported",
        email = saved.email.as_str(),
        program = offer.found.program.to_string(),
        host = saved.smtp.host.as_str(),
        port = saved.smtp.port,
        security = saved.smtp.security.as_str()
    ));
    out.json(json!({ "account": account_json(&saved, false), "imported_from": found_json(offer) }));
    Ok(())
}
