//! Recipients remembered (issue 29): the addresses Write suggests come from what Outpost has
//! sent to (most used, then most recent, first), the person's own addresses, and the address
//! books on this computer — Thunderbird's `abook.sqlite` and `history.sqlite` (their schema:
//! a `properties` table of card, name, value, as Thunderbird 102+ writes it), Evolution's
//! `contacts.db` (a `folder_id` table with each contact's vCard, as evolution-data-server
//! writes it) and vCard files. Built here in a home folder of the test's own.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use outpost::contacts::{Contact, Origin};
use outpost::import::Places;
use outpost::paths::Paths;
use rusqlite::Connection;
use support::{PASSWORD, SendLab};

fn thunderbird_book(path: &Path, cards: &[(&str, &str, &str)]) {
    let db = Connection::open(path).unwrap();
    db.execute_batch("CREATE TABLE properties (card TEXT, name TEXT, value TEXT);")
        .unwrap();
    for (card, name, value) in cards {
        db.execute(
            "INSERT INTO properties VALUES (?1, ?2, ?3)",
            [card, name, value],
        )
        .unwrap();
    }
}

/// A home folder with a Thunderbird profile (an address book and collected addresses), an
/// Evolution address book and a vCard file.
fn home_with_address_books() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let tb = home.path().join(".thunderbird");
    std::fs::create_dir_all(tb.join("abcd.default-release")).unwrap();
    std::fs::write(
        tb.join("profiles.ini"),
        "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd.default-release\n",
    )
    .unwrap();
    thunderbird_book(
        &tb.join("abcd.default-release/abook.sqlite"),
        &[
            ("c1", "DisplayName", "Jane Doe"),
            ("c1", "PrimaryEmail", "jane@example.org"),
            ("c1", "SecondEmail", "jane.doe@example.net"),
            ("c2", "DisplayName", "Bob Baker"),
            ("c2", "PrimaryEmail", "bob@example.net"),
        ],
    );
    thunderbird_book(
        &tb.join("abcd.default-release/history.sqlite"),
        &[("h1", "PrimaryEmail", "collected@example.com")],
    );
    let evo = home
        .path()
        .join(".local/share/evolution/addressbook/system");
    std::fs::create_dir_all(&evo).unwrap();
    let db = Connection::open(evo.join("contacts.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE folder_id (uid TEXT PRIMARY KEY, vcard TEXT);
         INSERT INTO folder_id VALUES ('pas-id-1', 'BEGIN:VCARD\r\nVERSION:3.0\r\n\
         FN:Max Müller\r\nEMAIL;TYPE=WORK:max@beispiel.de\r\nEND:VCARD');",
    )
    .unwrap();
    let cards = home.path().join("Contacts");
    std::fs::create_dir_all(&cards).unwrap();
    std::fs::write(
        cards.join("greta.vcf"),
        "BEGIN:VCARD\nVERSION:4.0\nFN:Greta Weber\nEMAIL:greta@example.org\nEND:VCARD\n",
    )
    .unwrap();
    home
}

fn find<'a>(all: &'a [Contact], email: &str) -> &'a Contact {
    all.iter()
        .find(|c| c.email == email)
        .unwrap_or_else(|| panic!("{email} not suggested: {all:?}"))
}

#[test]
fn addresses_sent_to_come_first_then_own_then_every_address_book_on_this_computer() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    for to in [
        "bob@example.net",
        "carol@example.net",
        "Bob B. <bob@example.net>",
    ] {
        lab.op.send(&["--to", to, "--body", "hi"]);
    }
    let home = home_with_address_books();
    let places = Places {
        home: home.path().to_path_buf(),
        config: home.path().join(".config"),
        repository: None,
    };
    let all =
        outpost::usecases::contacts::suggestions(&Paths::under(lab.op.home.path()), Some(&places));
    let order: Vec<&str> = all.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(
        &order[..3],
        ["bob@example.net", "carol@example.net", support::USER],
        "sent to twice, once, then the person's own"
    );
    let bob = find(&all, "bob@example.net");
    assert_eq!((bob.origin, bob.uses), (Origin::Sent, 2));
    assert_eq!(
        bob.name.as_deref(),
        Some("Bob B."),
        "as last written by hand"
    );
    assert_eq!(
        find(&all, "jane.doe@example.net").name.as_deref(),
        Some("Jane Doe")
    );
    find(&all, "collected@example.com");
    assert_eq!(
        find(&all, "max@beispiel.de").name.as_deref(),
        Some("Max Müller")
    );
    assert_eq!(find(&all, "greta@example.org").origin, Origin::AddressBook);
    assert_eq!(
        all.iter().filter(|c| c.email == "bob@example.net").count(),
        1,
        "each address once"
    );
}
