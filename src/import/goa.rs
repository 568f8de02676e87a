//! GNOME Online Accounts: the mail accounts of GNOME Settings → Online Accounts that send
//! (read over D-Bus by `account::goa`). Their credentials stay with GOA, which hands them out
//! at each use.

use super::model::{Found, Places};
use super::reader::Reader;
use crate::account::goa;

pub(super) fn read(r: &mut Reader<'_>, places: &Places) {
    let place = places.config.join("goa-1.0/accounts.conf");
    match goa::list() {
        Ok(accounts) => {
            for a in accounts {
                if a.attention_needed {
                    r.note(
                        &place,
                        format!(
                            "{} ({}) needs you to sign in again in GNOME Settings → Online \
                             Accounts before it can send",
                            a.email, a.id
                        ),
                    );
                }
                r.found(Found {
                    program: r.program,
                    name: a.id.clone(),
                    place: place.clone(),
                    email: Some(a.email),
                    display_name: a.name,
                    smtp: a.smtp,
                    goa_id: Some(a.id),
                    imap: a.imap,
                });
            }
        }
        // Without a desktop session there is no GOA to ask: nothing to say.
        Err(_) if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() => {}
        Err(e) => r.note(&place, e.to_string()),
    }
}
