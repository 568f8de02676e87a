//! The addresses Write suggests: those the outbox sent to, the person's own (every identity
//! of every account), and the address books on this computer, merged and ranked
//! ([`crate::contacts::merge`]). What cannot be read is left out, never in the way of
//! writing (and logged).

use crate::contacts::{Contact, Origin, address_books, merge};
use crate::import::Places;
use crate::outbox::store::Outbox;
use crate::paths::Paths;

/// Every address to suggest, best first; the address books under `places`, when given.
pub fn suggestions(paths: &Paths, places: Option<&Places>) -> Vec<Contact> {
    let file = paths.outbox_file();
    let sent = if file.exists() {
        Outbox::open(&file)
            .and_then(|o| o.sent_to())
            .unwrap_or_else(|e| {
                tracing::warn!("the addresses sent to could not be read: {e}");
                vec![]
            })
    } else {
        vec![]
    };
    let accounts = super::account::store(paths).load().unwrap_or_else(|e| {
        tracing::warn!("the accounts could not be read for suggestions: {e}");
        Default::default()
    });
    let own = accounts
        .accounts
        .iter()
        .flat_map(|a| a.identities())
        .map(|i| Contact {
            name: i.display_name,
            email: i.email,
            origin: Origin::Identity,
            uses: 0,
            last: 0,
        });
    let books = places.map(address_books).unwrap_or_default();
    merge(sent.into_iter().chain(own).chain(books))
}
