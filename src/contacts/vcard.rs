//! The few things of a vCard (RFC 6350, and 3.0/2.1 as Evolution and phones write them) that
//! address suggestions need: each card's formatted name (`FN`) and e-mail addresses
//! (`EMAIL`, with or without parameters), lines unfolded.

/// One card: its name and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// `FN`, when there is one.
    pub name: Option<String>,
    /// Every `EMAIL`.
    pub emails: Vec<String>,
}

/// The cards in `text` (one or more `BEGIN:VCARD` … `END:VCARD`).
pub fn cards(text: &str) -> Vec<Card> {
    let mut unfolded: Vec<String> = vec![];
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match (line.strip_prefix([' ', '\t']), unfolded.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => unfolded.push(line.to_string()),
        }
    }
    let mut out = vec![];
    let mut card: Option<Card> = None;
    for line in unfolded {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        // "item1.EMAIL;TYPE=work" → "EMAIL".
        let name = key.split(';').next().unwrap_or(key);
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        let value = unescape(value.trim());
        match name.as_str() {
            "BEGIN" if value.eq_ignore_ascii_case("VCARD") => {
                card = Some(Card {
                    name: None,
                    emails: vec![],
                })
            }
            "END" => out.extend(card.take()),
            "FN" => {
                if let Some(c) = &mut card {
                    c.name = Some(value).filter(|v| !v.is_empty());
                }
            }
            "EMAIL" => {
                if let Some(c) = &mut card
                    && value.contains('@')
                {
                    c.emails.push(value);
                }
            }
            _ => {}
        }
    }
    out
}

/// A text value with vCard's escapes (`\,` `\;` `\\` `\n`) undone.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push(' '),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_read_from_folded_cards_of_each_version() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Doe\\, Jane\r\n\
                    EMAIL;TYPE=INTERNET,WORK:jane@example.org\r\n\
                    item1.EMAIL;type=pref:jane.doe@exam\r\n ple.net\r\nEND:VCARD\r\n\
                    BEGIN:VCARD\nVERSION:2.1\nEMAIL;HOME:max@example.de\nEND:VCARD\n";
        assert_eq!(
            cards(text),
            [
                Card {
                    name: Some("Doe, Jane".into()),
                    emails: vec!["jane@example.org".into(), "jane.doe@example.net".into()],
                },
                Card {
                    name: None,
                    emails: vec!["max@example.de".into()],
                },
            ]
        );
    }
}
