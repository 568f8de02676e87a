//! Which folder is the Sent folder: the one the server marks `\Sent` (RFC 6154), else the
//! one with a name mail apps and providers use for it, in English, German and the other
//! languages Outpost meets most.

/// One folder, as LIST gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its full name (with the server's separator).
    pub name: String,
    /// Its attributes (`\Sent`, `\Noselect`, `\HasChildren`, …).
    pub attributes: Vec<String>,
}

impl Folder {
    fn has(&self, attribute: &str) -> bool {
        self.attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(attribute))
    }

    /// The last part of its name (`INBOX.Sent` → `Sent`, `[Gmail]/Sent Mail` → `Sent Mail`).
    fn leaf(&self) -> &str {
        self.name.rsplit(['/', '.']).next().unwrap_or(&self.name)
    }
}

/// The names a Sent folder goes by, most common first: Thunderbird's, Apple Mail's and
/// Outlook's, then those of German and other providers (GMX and WEB.DE "Gesendet", Outlook in
/// German "Gesendete Elemente", older Exchange "Gesendete Objekte").
pub const SENT_NAMES: [&str; 12] = [
    "Sent",
    "Sent Messages",
    "Sent Items",
    "Sent Mail",
    "Gesendet",
    "Gesendete Elemente",
    "Gesendete Objekte",
    "Gesendete Nachrichten",
    "Envoyés",
    "Elementos enviados",
    "Posta inviata",
    "Verzonden items",
];

/// What looking for the Sent folder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentFolder {
    /// The server marks it `\Sent`.
    Marked(String),
    /// It has one of the usual names.
    Named(String),
    /// There is none.
    Missing,
}

impl SentFolder {
    /// Its name, if there is one.
    pub fn name(&self) -> Option<&str> {
        match self {
            SentFolder::Marked(n) | SentFolder::Named(n) => Some(n),
            SentFolder::Missing => None,
        }
    }
}

/// The Sent folder among `folders`.
pub fn find_sent(folders: &[Folder]) -> SentFolder {
    let usable = || {
        folders
            .iter()
            .filter(|f| !f.has("\\Noselect") && !f.has("\\NonExistent"))
    };
    if let Some(f) = usable().find(|f| f.has("\\Sent")) {
        return SentFolder::Marked(f.name.clone());
    }
    SENT_NAMES
        .iter()
        .find_map(|name| usable().find(|f| f.leaf().eq_ignore_ascii_case(name)))
        .map_or(SentFolder::Missing, |f| SentFolder::Named(f.name.clone()))
}

/// The name for a Sent folder Outpost makes: beside INBOX's children where the server keeps
/// every folder under INBOX (Courier, older Cyrus: `INBOX.Sent`), else at the top.
pub fn new_sent_name(folders: &[Folder]) -> String {
    let under_inbox = folders.len() > 1
        && folders
            .iter()
            .filter(|f| !f.name.eq_ignore_ascii_case("INBOX"))
            .all(|f| f.name.len() > 6 && f.name[..6].eq_ignore_ascii_case("INBOX."));
    if under_inbox {
        "INBOX.Sent".into()
    } else {
        "Sent".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, attributes: &[&str]) -> Folder {
        Folder {
            name: name.into(),
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_marked_folder_wins_over_names() {
        let folders = [
            folder("INBOX", &[]),
            folder("Sent", &[]),
            folder("[Gmail]/Gesendet", &["\\HasNoChildren", "\\Sent"]),
        ];
        assert_eq!(
            find_sent(&folders),
            SentFolder::Marked("[Gmail]/Gesendet".into())
        );
    }

    #[test]
    fn usual_names_are_found_in_order_and_under_a_parent() {
        let folders = [
            folder("INBOX", &[]),
            folder("INBOX.Gesendete Objekte", &[]),
            folder("Archive", &[]),
        ];
        assert_eq!(
            find_sent(&folders),
            SentFolder::Named("INBOX.Gesendete Objekte".into())
        );
        let none = [folder("INBOX", &[]), folder("Sent", &["\\Noselect"])];
        assert_eq!(find_sent(&none), SentFolder::Missing);
    }

    #[test]
    fn a_new_folder_goes_where_the_others_are() {
        let flat = [folder("INBOX", &[]), folder("Drafts", &[])];
        assert_eq!(new_sent_name(&flat), "Sent");
        let nested = [folder("INBOX", &[]), folder("INBOX.Drafts", &[])];
        assert_eq!(new_sent_name(&nested), "INBOX.Sent");
    }
}
