//! "Use an account this computer already has": what other mail programs send with, each
//! saying whether Outpost has it already, and a draft made from one of them (its password is
//! typed by the person; none is ever read from another program's files).

use crate::account::AuthMethod;
use crate::import::{self, Found, Places, Scan};
use crate::paths::Paths;
use crate::usecases::draft::AccountDraft;

use super::account;

/// One account found elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// What was found, and where.
    pub found: Found,
    /// An Outpost account already sends from its address through its server.
    pub known: bool,
}

/// Everything other programs send with, and what could not be read. Blocks on files.
pub fn list(paths: &Paths, places: &Places) -> (Vec<Offer>, Vec<import::Note>) {
    let Scan { found, notes } = import::scan(places);
    let accounts = account::list(paths).map(|a| a.accounts).unwrap_or_default();
    let offers = found
        .into_iter()
        .map(|f| {
            let known = accounts.iter().any(|a| {
                a.smtp.host.eq_ignore_ascii_case(&f.smtp.host)
                    && f.email
                        .as_deref()
                        .is_none_or(|e| e.eq_ignore_ascii_case(&a.email))
            });
            Offer { found: f, known }
        })
        .collect();
    (offers, notes)
}

/// A draft from settings found elsewhere: the address (or `email` when the program did not
/// say one), the name, the server; the password is for the person to give.
pub fn draft(found: &Found, email: Option<&str>) -> AccountDraft {
    let mut d = AccountDraft {
        email: email
            .map(str::to_string)
            .or_else(|| found.email.clone())
            .unwrap_or_default(),
        name: found.display_name.clone().unwrap_or_default(),
        // The person chose these settings in another program: they vouch for them.
        trust_confirmed: true,
        ..AccountDraft::default()
    };
    d.set_smtp(&found.smtp);
    d.goa_id = found.goa_id.clone();
    if let Some((host, port, security)) = &found.imap {
        d.imap.host = host.clone();
        d.imap.port = port.to_string();
        d.imap.security = *security;
    }
    if d.username.is_empty() && d.auth != AuthMethod::None {
        d.username = d.email.clone();
    }
    d.username_edited = !d.username.is_empty() && d.username != d.email;
    d
}
