//! `mailto:` links (RFC 6068) → a draft to open in compose: recipients from the path and from
//! `to`, `cc`, `bcc`; `subject` and `body`; percent-encoded UTF-8 decoded, line breaks made
//! plain. Nothing in a link is sent by itself, and links never attach files: `attach`-like
//! fields and every other header are ignored (RFC 6068 §7 warns about both).

use crate::explain::{Explain, Explanation, capitalise};

/// What a `mailto:` link asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailto {
    /// To.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
    /// Bcc.
    pub bcc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Body, with `\n` line breaks.
    pub body: String,
    /// Fields of the link that were not used (names only), so the window can say so.
    pub ignored: Vec<String>,
}

/// Why a link cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailtoError {
    /// It is not a `mailto:` link.
    #[error("{}", tr!("mailto-not", text = .0.as_str()))]
    NotMailto(String),
    /// A `%` is not followed by two hex digits, or the bytes are not UTF-8.
    #[error("{}", tr!("mailto-encoding", text = .0.as_str()))]
    BadEncoding(String),
}

fn decode(s: &str) -> Result<String, MailtoError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| MailtoError::BadEncoding(s[i..].chars().take(6).collect()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| MailtoError::BadEncoding(s.chars().take(12).collect()))
}

fn addresses(value: &str) -> Vec<String> {
    crate::message::split_addresses(value)
}

/// Reads a `mailto:` link.
pub fn parse(link: &str) -> Result<Mailto, MailtoError> {
    let link = link.trim();
    let rest = link
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map(|_| &link[7..])
        .ok_or_else(|| MailtoError::NotMailto(link.chars().take(40).collect()))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut m = Mailto {
        to: addresses(&decode(path)?),
        ..Default::default()
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?.to_ascii_lowercase();
        let value = decode(value)?;
        match name.as_str() {
            "to" => m.to.extend(addresses(&value)),
            "cc" => m.cc.extend(addresses(&value)),
            "bcc" => m.bcc.extend(addresses(&value)),
            "subject" if m.subject.is_empty() => {
                m.subject = value.replace("\r\n", " ").replace(['\r', '\n'], " ");
            }
            "body" if m.body.is_empty() => m.body = value.replace("\r\n", "\n"),
            _ => m.ignored.push(name),
        }
    }
    Ok(m)
}

impl Explain for MailtoError {
    fn explain(&self) -> Explanation {
        Explanation::new(
            format!("{}.", capitalise(&self.to_string())),
            tr!("mailto-advice"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6068_examples_read_as_written() {
        let m = parse("mailto:chris@example.com").unwrap();
        assert_eq!(m.to, ["chris@example.com"]);
        let m = parse("mailto:infobot@example.com?subject=current-issue").unwrap();
        assert_eq!(m.subject, "current-issue");
        let m = parse("mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index")
            .unwrap();
        assert_eq!(m.body, "send current-issue\nsend index");
        let m = parse("mailto:?to=joe@example.com&cc=bob@example.com&body=hello").unwrap();
        assert_eq!(
            (m.to, m.cc),
            (
                vec!["joe@example.com".into()],
                vec!["bob@example.com".into()]
            )
        );
        let m = parse("mailto:joe@example.com,bob@example.com?bcc=eve@example.com").unwrap();
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.bcc, ["eve@example.com"]);
        let m =
            parse("MAILTO:user@example.org?subject=%E3%81%AA%E3%81%A3%E3%81%A8%E3%81%86").unwrap();
        assert_eq!(m.subject, "なっとう");
        let m = parse("mailto:%22not%40me%22@example.org").unwrap();
        assert_eq!(m.to, ["\"not@me\"@example.org"]);
    }

    #[test]
    fn plus_is_a_plus_and_headers_cannot_be_smuggled() {
        let m = parse("mailto:a+tag@example.org?subject=1+1%0D%0ABcc:%20x@evil.example").unwrap();
        assert_eq!(m.to, ["a+tag@example.org"]);
        assert_eq!(
            m.subject, "1+1 Bcc: x@evil.example",
            "no line break survives"
        );
        assert!(m.bcc.is_empty());
    }

    #[test]
    fn links_never_attach_files_and_unknown_fields_are_named() {
        let m = parse("mailto:a@example.org?attach=/etc/passwd&X-Mailer=evil&body=hi").unwrap();
        assert_eq!(m.ignored, ["attach", "x-mailer"]);
        assert_eq!(m.body, "hi");
    }

    #[test]
    fn bad_links_are_refused_with_the_reason() {
        assert!(matches!(
            parse("http://example.org"),
            Err(MailtoError::NotMailto(_))
        ));
        assert!(matches!(
            parse("mailto:a@example.org?subject=%E3%8"),
            Err(MailtoError::BadEncoding(_))
        ));
        assert!(matches!(
            parse("mailto:a@example.org?subject=%FF"),
            Err(MailtoError::BadEncoding(_))
        ));
    }
}
