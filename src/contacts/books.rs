//! The address books other programs keep on this computer, read (never written): each
//! Thunderbird profile's `abook.sqlite` (Personal Address Book) and `history.sqlite`
//! (Collected Addresses), Evolution's local address books
//! (`~/.local/share/evolution/addressbook/*/contacts.db`, one vCard per contact), and vCard
//! files (`*.vcf`) in `~/.local/share/contacts`, `~/.contacts` and `~/Contacts` (as
//! vdirsyncer, khard and phones' exports leave them). Read-only, so a running Thunderbird or
//! Evolution is not disturbed.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::known::{Contact, Origin};
use super::vcard;
use crate::import::Places;

/// Every address the address books on this computer hold, each with the book it came from.
pub fn read(places: &Places) -> Vec<Contact> {
    let mut out = vec![];
    for profile in crate::import::thunderbird_profiles(places) {
        for file in ["abook.sqlite", "history.sqlite"] {
            out.extend(thunderbird(&profile.join(file)));
        }
    }
    let evolution = places.home.join(".local/share/evolution/addressbook");
    for book in subfolders(&evolution) {
        out.extend(evolution_book(&book.join("contacts.db")));
    }
    for dir in [".local/share/contacts", ".contacts", "Contacts"] {
        out.extend(vcard_files(&places.home.join(dir), 2));
    }
    out
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

fn open(path: &Path) -> Option<Connection> {
    if !path.is_file() {
        return None;
    }
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()
}

fn from_book(name: Option<String>, emails: Vec<String>) -> impl Iterator<Item = Contact> {
    emails.into_iter().map(move |email| Contact {
        name: name.clone(),
        email,
        origin: Origin::AddressBook,
        uses: 0,
        last: 0,
    })
}

/// A Thunderbird address book: its `properties` table, one row per card and field.
fn thunderbird(path: &Path) -> Vec<Contact> {
    let Some(conn) = open(path) else {
        return vec![];
    };
    let rows: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT card, name, value FROM properties
             WHERE name IN ('DisplayName', 'PrimaryEmail', 'SecondEmail') ORDER BY card",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .unwrap_or_default();
    let mut out = vec![];
    let mut card: Option<(String, Option<String>, Vec<String>)> = None;
    for (id, field, value) in rows {
        if card.as_ref().is_none_or(|(c, _, _)| *c != id) {
            if let Some((_, name, emails)) = card.take() {
                out.extend(from_book(name, emails));
            }
            card = Some((id, None, vec![]));
        }
        if let Some((_, name, emails)) = &mut card {
            match field.as_str() {
                "DisplayName" => *name = Some(value).filter(|v| !v.trim().is_empty()),
                _ if value.contains('@') => emails.push(value),
                _ => {}
            }
        }
    }
    if let Some((_, name, emails)) = card {
        out.extend(from_book(name, emails));
    }
    out
}

/// An Evolution address book: the vCard of each contact in its `folder_id` table.
fn evolution_book(path: &Path) -> Vec<Contact> {
    let Some(conn) = open(path) else {
        return vec![];
    };
    let cards: Vec<String> = conn
        .prepare("SELECT vcard FROM folder_id WHERE vcard IS NOT NULL")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    cards
        .iter()
        .flat_map(|c| vcard::cards(c))
        .flat_map(|c| from_book(c.name, c.emails))
        .collect()
}

/// The cards of every `.vcf` file in `dir` and its subfolders, `depth` levels down.
fn vcard_files(dir: &Path, depth: usize) -> Vec<Contact> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut out = vec![];
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() && depth > 0 {
            out.extend(vcard_files(&path, depth - 1));
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("vcf"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.extend(
                vcard::cards(&text)
                    .into_iter()
                    .flat_map(|c| from_book(c.name, c.emails)),
            );
        }
    }
    out
}
