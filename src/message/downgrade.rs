//! Header fields with 8-bit text for a server that does not take them: without SMTPUTF8
//! (RFC 6531/6532), non-ASCII text goes as RFC 2047 encoded words — a display name in an
//! address field as one phrase, an unstructured field (Subject, Comments, X-…) word by word
//! — by lettre's header encoder. An address that is itself non-ASCII cannot be encoded: that
//! needs a server with SMTPUTF8.

use std::str::FromStr;

use lettre::message::header::{self, HeaderName, HeaderValue, Headers};
use lettre::message::{Mailbox, Mailboxes};

/// An address needs SMTPUTF8, which the server does not offer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("needs-smtputf8", address = .0.as_str()))]
pub struct NeedsSmtputf8(pub String);

/// Whether the message's header has a byte over 127.
pub fn header_is_8bit(message: &[u8]) -> bool {
    header_end(message).is_some_and(|end| !message[..end].is_ascii())
}

/// Whether any byte of the message is over 127.
pub fn is_8bit(message: &[u8]) -> bool {
    !message.is_ascii()
}

/// Where the header ends (the offset of its empty line), if the message has one.
fn header_end(message: &[u8]) -> Option<usize> {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| message.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))
        .or(Some(message.len()))
}

/// The message with every 8-bit header field encoded in 7 bits; the ASCII ones and the body
/// as they were.
pub fn downgrade(message: &[u8]) -> Result<Vec<u8>, NeedsSmtputf8> {
    let Some(end) = header_end(message) else {
        return Ok(message.to_vec());
    };
    let mut out = Vec::with_capacity(message.len() + 128);
    let header = &message[..end];
    let mut field: Vec<u8> = vec![];
    let flush = |field: &mut Vec<u8>, out: &mut Vec<u8>| -> Result<(), NeedsSmtputf8> {
        if field.is_ascii() {
            out.extend_from_slice(field);
        } else {
            out.extend_from_slice(&encode_field(field)?);
        }
        field.clear();
        Ok(())
    };
    for line in header.split_inclusive(|&b| b == b'\n') {
        if !(line.starts_with(b" ") || line.starts_with(b"\t")) {
            flush(&mut field, &mut out)?;
        }
        field.extend_from_slice(line);
    }
    flush(&mut field, &mut out)?;
    out.extend_from_slice(&message[end..]);
    Ok(out)
}

/// One field (its physical lines) with 8-bit text, encoded.
fn encode_field(field: &[u8]) -> Result<Vec<u8>, NeedsSmtputf8> {
    let text = String::from_utf8_lossy(field);
    let Some((name, value)) = text.split_once(':') else {
        return Ok(field.to_vec());
    };
    let value: String = value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut headers = Headers::new();
    let mailboxes = || Mailboxes::from_str(&value).map_err(|_| NeedsSmtputf8(value.clone()));
    let checked = |m: Mailboxes| -> Result<Mailboxes, NeedsSmtputf8> {
        match m.iter().find(|b| !b.email.to_string().is_ascii()) {
            Some(b) => Err(NeedsSmtputf8(b.email.to_string())),
            None => Ok(m),
        }
    };
    match name.trim().to_ascii_lowercase().as_str() {
        "from" => headers.set(header::From::from(checked(mailboxes()?)?)),
        "to" => headers.set(header::To::from(checked(mailboxes()?)?)),
        "cc" => headers.set(header::Cc::from(checked(mailboxes()?)?)),
        "bcc" => headers.set(header::Bcc::from(checked(mailboxes()?)?)),
        "reply-to" => headers.set(header::ReplyTo::from(checked(mailboxes()?)?)),
        "sender" => {
            let m = Mailbox::from_str(&value).map_err(|_| NeedsSmtputf8(value.clone()))?;
            checked(Mailboxes::from(m.clone()))?;
            headers.set(header::Sender::from(m))
        }
        _ => {
            let Ok(name) = HeaderName::new_from_ascii(name.trim().to_string()) else {
                return Ok(field.to_vec());
            };
            headers.insert_raw(HeaderValue::new(name, value.clone()));
        }
    }
    Ok(headers.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_names_are_encoded_and_the_rest_kept() {
        let m = "From: Jürgen Groß <juergen@example.org>\r\nTo: bob@example.org\r\n\
                 Subject: Grüße aus Köln\r\nX-Note: plain\r\n\r\nKörper\r\n";
        assert!(header_is_8bit(m.as_bytes()));
        let d = downgrade(m.as_bytes()).unwrap();
        let text = String::from_utf8(d.clone()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.is_ascii(), "{head}");
        assert_eq!(body, "Körper\r\n", "the body is not the header's business");
        assert!(head.contains("To: bob@example.org\r\n") && head.contains("X-Note: plain"));
        assert!(head.contains("<juergen@example.org>"), "{head}");
        assert!(head.contains("Subject: =?utf-8?"), "{head}");
        // A MIME parser reads the same words back.
        let parsed = mail_parser::MessageParser::new().parse(&d).unwrap();
        assert_eq!(parsed.subject(), Some("Grüße aus Köln"));
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.name(), Some("Jürgen Groß"));
        assert!(!header_is_8bit(&d));
    }

    #[test]
    fn a_non_ascii_address_needs_smtputf8() {
        let m = "From: ann@example.org\r\nTo: jürgen@beispiel.de\r\n\r\nhi\r\n";
        assert_eq!(
            downgrade(m.as_bytes()),
            Err(NeedsSmtputf8("jürgen@beispiel.de".into()))
        );
    }
}
