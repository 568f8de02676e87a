//! What an address to suggest is ([`Contact`]), the sources as one ranked list ([`merge`]),
//! and the addresses a few typed letters may begin ([`suggest`]).

use std::collections::HashMap;

use crate::clock::Millis;

/// Where an address is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Outpost sent to it.
    Sent,
    /// One of the person's own addresses.
    Identity,
    /// An address book on this computer.
    AddressBook,
}

/// An address that can be suggested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The name it goes with, when known.
    pub name: Option<String>,
    /// The address.
    pub email: String,
    /// Where it is known from (the best source, once merged).
    pub origin: Origin,
    /// How many messages Outpost sent to it.
    pub uses: u32,
    /// When Outpost last sent to it.
    pub last: Millis,
}

impl Contact {
    /// As a recipient field takes it: `Name <address>` (the name quoted when it must be), or
    /// the address alone.
    pub fn mailbox(&self) -> String {
        match self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(name) if name.contains([',', ';', '<', '>', '"', '@', '(', ')', ':']) => {
                format!("\"{}\" <{}>", name.replace('"', "'"), self.email)
            }
            Some(name) => format!("{name} <{}>", self.email),
            None => self.email.clone(),
        }
    }
}

/// The lists as one, each address once, best first: sent-to by uses then recency, then
/// identities, then address books by name; a name missing in the best source is taken from
/// another.
pub fn merge(lists: impl IntoIterator<Item = Contact>) -> Vec<Contact> {
    let mut by_email: HashMap<String, Contact> = HashMap::new();
    for c in lists {
        let key = c.email.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        match by_email.get_mut(&key) {
            None => {
                by_email.insert(key, c);
            }
            Some(kept) => {
                let name = kept.name.take().or(c.name.clone());
                if c.origin < kept.origin {
                    *kept = Contact { name, ..c };
                } else {
                    kept.name = name;
                    kept.uses += c.uses;
                    kept.last = kept.last.max(c.last);
                }
            }
        }
    }
    let mut all: Vec<Contact> = by_email.into_values().collect();
    all.sort_by(|a, b| {
        a.origin
            .cmp(&b.origin)
            .then(b.uses.cmp(&a.uses))
            .then(b.last.cmp(&a.last))
            .then_with(|| sort_name(a).cmp(&sort_name(b)))
    });
    all
}

fn sort_name(c: &Contact) -> String {
    c.name.as_deref().unwrap_or(&c.email).to_lowercase()
}

/// Where in `contacts` (ranked, as [`merge`] leaves them) are the addresses, up to `max`,
/// that `typed` may be the beginning of: of the address, or of a word of the name; then
/// those that merely contain it. Case is ignored; addresses in `exclude` (already in the
/// field) are left out.
pub fn suggest(contacts: &[Contact], typed: &str, exclude: &[String], max: usize) -> Vec<usize> {
    let q = typed.trim().to_lowercase();
    if q.is_empty() {
        return vec![];
    }
    let excluded = |c: &Contact| exclude.iter().any(|e| e.eq_ignore_ascii_case(&c.email));
    let mut starts = Vec::with_capacity(max);
    let mut contains = Vec::new();
    for (i, c) in contacts.iter().enumerate() {
        let email = c.email.to_lowercase();
        let name = c.name.as_deref().unwrap_or("").to_lowercase();
        let begins = email.starts_with(&q)
            || name.starts_with(&q)
            || name.split([' ', '-', '.']).any(|w| w.starts_with(&q));
        if begins {
            if !excluded(c) {
                starts.push(i);
                if starts.len() == max {
                    break;
                }
            }
        } else if contains.len() < max && (email.contains(&q) || name.contains(&q)) && !excluded(c)
        {
            contains.push(i);
        }
    }
    starts.extend(contains);
    starts.truncate(max);
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: Option<&str>, email: &str, origin: Origin, uses: u32, last: Millis) -> Contact {
        Contact {
            name: name.map(str::to_string),
            email: email.into(),
            origin,
            uses,
            last,
        }
    }

    #[test]
    fn the_most_used_then_most_recent_come_first_each_address_once() {
        let all = merge([
            c(
                Some("Bob Baker"),
                "bob@example.net",
                Origin::AddressBook,
                0,
                0,
            ),
            c(None, "bob@example.net", Origin::Sent, 2, 10),
            c(None, "bea@example.net", Origin::Sent, 5, 1),
            c(None, "bill@example.net", Origin::Sent, 2, 20),
            c(Some("Ann"), "ann@example.org", Origin::Identity, 0, 0),
            c(Some("Berta"), "berta@example.de", Origin::AddressBook, 0, 0),
        ]);
        let order: Vec<_> = all.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(
            order,
            [
                "bea@example.net",
                "bill@example.net",
                "bob@example.net",
                "ann@example.org",
                "berta@example.de"
            ]
        );
        assert_eq!(
            all[2].name.as_deref(),
            Some("Bob Baker"),
            "name from the book"
        );
        assert_eq!(all[2].origin, Origin::Sent);
    }

    #[test]
    fn typing_the_start_of_an_address_or_a_name_suggests_it_case_ignored() {
        let all = merge([
            c(
                Some("Jane Doe"),
                "jd@example.org",
                Origin::AddressBook,
                0,
                0,
            ),
            c(None, "bob@example.net", Origin::Sent, 1, 1),
            c(
                Some("Rob Doeling"),
                "rob@example.com",
                Origin::AddressBook,
                0,
                0,
            ),
        ]);
        let found = |q: &str| -> Vec<String> {
            suggest(&all, q, &[], 5)
                .iter()
                .map(|&i| all[i].email.clone())
                .collect()
        };
        assert_eq!(found("DOE"), ["jd@example.org", "rob@example.com"]);
        assert_eq!(found("bo"), ["bob@example.net"]);
        assert_eq!(
            found("ob"),
            ["bob@example.net", "rob@example.com"],
            "contained"
        );
        assert!(found("").is_empty());
        assert!(suggest(&all, "bo", &["BOB@example.net".into()], 5).is_empty());
    }

    #[test]
    fn a_name_with_a_comma_is_quoted() {
        let x = c(
            Some("Doe, Jane"),
            "jd@example.org",
            Origin::AddressBook,
            0,
            0,
        );
        assert_eq!(x.mailbox(), "\"Doe, Jane\" <jd@example.org>");
        let y = c(
            Some("Jane Doe"),
            "jd@example.org",
            Origin::AddressBook,
            0,
            0,
        );
        assert_eq!(y.mailbox(), "Jane Doe <jd@example.org>");
    }
}
