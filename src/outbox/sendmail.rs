//! The sendmail-compatible interface (`outpost sendmail …`, or the binary called `sendmail`):
//! a message on standard input, recipients from the arguments or, with `-t`, from its To, Cc
//! and Bcc headers — never from anywhere else. Bcc headers are removed; Date, Message-ID and
//! From are added when missing; what a mail server would refuse is mended as an MTA mends it
//! ([`crate::message::mend`]), or refused at once.

use std::str::FromStr;
use std::time::SystemTime;

use lettre::message::Mailboxes;

use crate::message::{self, MAX_MESSAGE_BYTES};

/// What the arguments asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendmailArgs {
    /// `-t`: read recipients from the headers.
    pub extract: bool,
    /// `-i` / `-oi`: a line with a single "." does not end the message.
    pub ignore_dots: bool,
    /// `-f ADDR` / `-r ADDR`: the envelope sender, which also picks the account.
    pub from: Option<String>,
    /// `-F NAME`: the sender's full name, used when the message has no From.
    pub full_name: Option<String>,
    /// Recipients given as arguments.
    pub recipients: Vec<String>,
}

/// Why sendmail input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendmailError {
    /// An option Outpost does not know.
    #[error("{}", tr!("sendmail-unknown-option", option = .0.as_str()))]
    UnknownOption(String),
    /// An option lacks its value.
    #[error("{}", tr!("sendmail-missing-value", option = .0.as_str()))]
    MissingValue(String),
    /// No recipient.
    #[error("{}", tr!("sendmail-no-recipient"))]
    NoRecipient,
    /// A malformed address.
    #[error("{}", tr!("sendmail-bad-address", text = .0.as_str()))]
    BadAddress(String),
    /// The message is too large.
    #[error("{}", tr!("sendmail-too-large", bytes = MAX_MESSAGE_BYTES))]
    TooLarge,
    /// The header is not valid.
    #[error("{}", tr!("sendmail-bad-header", detail = .0.as_str()))]
    BadHeader(String),
    /// It cannot be made deliverable (a long line in a signed body, say).
    #[error(transparent)]
    Unmendable(#[from] crate::message::mend::Unmendable),
}

/// Reads sendmail's arguments; the options that only tune a real MTA's delivery are accepted
/// and ignored.
pub fn parse_args(args: &[String]) -> Result<SendmailArgs, SendmailError> {
    let mut out = SendmailArgs::default();
    let mut it = args.iter();
    let mut only_recipients = false;
    while let Some(a) = it.next() {
        if only_recipients || !a.starts_with('-') || a == "-" {
            out.recipients.push(a.clone());
            continue;
        }
        let mut value = |flag: &str, inline: &str| -> Result<String, SendmailError> {
            if inline.is_empty() {
                it.next()
                    .cloned()
                    .ok_or_else(|| SendmailError::MissingValue(flag.into()))
            } else {
                Ok(inline.to_string())
            }
        };
        match a.as_str() {
            "--" => only_recipients = true,
            "-t" => out.extract = true,
            "-i" | "-oi" => out.ignore_dots = true,
            "-v" | "-Am" | "-Ac" | "-bm" | "-U" | "-n" => {}
            s if s.starts_with("-f") => out.from = Some(value("-f", &s[2..])?),
            s if s.starts_with("-r") => out.from = Some(value("-r", &s[2..])?),
            s if s.starts_with("-F") => out.full_name = Some(value("-F", &s[2..])?),
            s if s.starts_with("-o")
                || s.starts_with("-e")
                || s.starts_with("-B")
                || s.starts_with("-N")
                || s.starts_with("-R")
                || s.starts_with("-V")
                || s.starts_with("-X") =>
            {
                // -oXvalue, -em, -B8BITMIME, -N never, -R hdrs, -V envid: delivery tuning.
                if matches!(s, "-B" | "-N" | "-R" | "-V" | "-X") {
                    value(s, "")?;
                }
            }
            other => return Err(SendmailError::UnknownOption(other.into())),
        }
    }
    Ok(out)
}

/// The message from standard input: without `ignore_dots`, a line holding only "." ends it.
pub fn read_message(input: &[u8], ignore_dots: bool) -> Vec<u8> {
    if ignore_dots {
        return input.to_vec();
    }
    let mut out = Vec::with_capacity(input.len());
    for line in input.split_inclusive(|&b| b == b'\n') {
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
        if bare == b"." {
            break;
        }
        out.extend_from_slice(line);
    }
    out
}

/// A message ready for the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// MAIL FROM.
    pub envelope_from: String,
    /// RCPT TO.
    pub recipients: Vec<String>,
    /// The bytes to send.
    pub bytes: Vec<u8>,
    /// Its Message-ID.
    pub message_id: String,
    /// Its Subject, for lists.
    pub subject: String,
}

/// The address in the message's From header, if any.
pub fn header_from(raw: &[u8]) -> Option<String> {
    let (fields, _) = split_header(raw).ok()?;
    let (_, value) = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("from"))?;
    addresses(value).ok()?.into_iter().next()
}

impl Prepared {
    /// As the queue stores messages.
    pub fn into_composed(self) -> crate::message::Composed {
        crate::message::Composed {
            message_id: self.message_id,
            envelope_from: self.envelope_from,
            recipients: self.recipients,
            bytes: self.bytes,
            files: vec![],
        }
    }
}

/// The header's fields (unfolded) and where the body starts.
fn split_header(raw: &[u8]) -> Result<(Vec<(String, String)>, usize), SendmailError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut pos = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        pos += line.len();
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Ok((fields, pos));
        }
        if text.starts_with([' ', '\t']) {
            let last = fields
                .last_mut()
                .ok_or_else(|| SendmailError::BadHeader(tr!("sendmail-continuation-first")))?;
            last.1.push(' ');
            last.1.push_str(text.trim());
            continue;
        }
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| SendmailError::BadHeader(format!("{text:.40}")))?;
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(SendmailError::BadHeader(format!("{text:.40}")));
        }
        fields.push((name.to_string(), value.trim().to_string()));
    }
    Ok((fields, raw.len()))
}

fn addresses(list: &str) -> Result<Vec<String>, SendmailError> {
    if list.trim().is_empty() {
        return Ok(vec![]);
    }
    let boxes = Mailboxes::from_str(list).map_err(|_| SendmailError::BadAddress(list.into()))?;
    Ok(boxes.into_iter().map(|m| m.email.to_string()).collect())
}

/// Prepares `raw` for the queue; `sender` is the account's address and name.
pub fn prepare(
    raw: &[u8],
    args: &SendmailArgs,
    sender: (&str, Option<&str>),
) -> Result<Prepared, SendmailError> {
    if raw.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(SendmailError::TooLarge);
    }
    let (fields, body_at) = split_header(raw)?;
    let has = |name: &str| fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let mut recipients = Vec::new();
    for r in &args.recipients {
        recipients.extend(addresses(r)?);
    }
    if args.extract {
        for (name, value) in &fields {
            if ["to", "cc", "bcc"].contains(&name.to_ascii_lowercase().as_str()) {
                recipients.extend(addresses(value)?);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|r| seen.insert(r.to_ascii_lowercase()));
    let recipients: Vec<String> = recipients
        .iter()
        .map(|r| {
            message::parse_address("To", r)
                .map(|a| a.to_string())
                .map_err(|_| SendmailError::BadAddress(r.clone()))
        })
        .collect::<Result<_, _>>()?;
    if recipients.is_empty() {
        return Err(SendmailError::NoRecipient);
    }
    let envelope_from = args.from.clone().unwrap_or_else(|| sender.0.to_string());
    let from_addr = message::parse_address("From", &envelope_from)
        .map_err(|_| SendmailError::BadAddress(envelope_from.clone()))?;
    let message_id = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("message-id"))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| message::new_message_id(&from_addr));
    let mut head = Vec::new();
    if !has("date") {
        let date = httpdate::fmt_http_date(SystemTime::now()).replace("GMT", "+0000");
        head.extend_from_slice(format!("Date: {date}\r\n").as_bytes());
    }
    if !has("message-id") {
        head.extend_from_slice(format!("Message-ID: {message_id}\r\n").as_bytes());
    }
    if !has("from") {
        let name = args
            .full_name
            .as_deref()
            .or(sender.1)
            .filter(|n| !n.contains(['\r', '\n', '"']));
        let from = match name {
            Some(n) => format!("\"{n}\" <{from_addr}>"),
            None => from_addr.to_string(),
        };
        head.extend_from_slice(format!("From: {from}\r\n").as_bytes());
    }
    // Copy the header without its Bcc fields (and their continuation lines), then the body.
    let mut skipping = false;
    let header_bytes = &raw[..body_at];
    for line in header_bytes.split_inclusive(|&b| b == b'\n') {
        let starts_field = !line.starts_with(b" ") && !line.starts_with(b"\t");
        if starts_field {
            skipping = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"bcc:");
        }
        if !skipping {
            head.extend_from_slice(line);
        }
    }
    if body_at == raw.len() && !raw.ends_with(b"\n\n") && !raw.ends_with(b"\r\n\r\n") {
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(&raw[body_at..]);
    // Made deliverable as an MTA would: line ends, NUL bytes, lines too long for SMTP.
    let head = crate::message::mend::mend(&head)?;
    let subject = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("subject"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Ok(Prepared {
        envelope_from: from_addr.to_string(),
        recipients,
        bytes: head,
        message_id,
        subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> SendmailArgs {
        parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    const MSG: &[u8] = b"From: Ann <ann@example.org>\nTo: bob@example.net, \"Carol\" <carol@example.net>\nCc: dave@example.net\nBcc: eve@example.net,\n  frank@example.net\nSubject: hi\n\nTo: mallory@example.net\n.\nafter dot\n";

    #[test]
    fn options_are_read_like_sendmail() {
        let a = args(&[
            "-t",
            "-oi",
            "-fann@example.org",
            "-F",
            "Ann",
            "-oem",
            "bob@example.net",
        ]);
        assert!(a.extract && a.ignore_dots);
        assert_eq!(a.from.as_deref(), Some("ann@example.org"));
        assert_eq!(a.full_name.as_deref(), Some("Ann"));
        assert_eq!(a.recipients, ["bob@example.net"]);
        assert!(parse_args(&["-Z".into()]).is_err());
        assert!(parse_args(&["-f".into()]).is_err());
    }

    #[test]
    fn with_t_recipients_come_from_the_headers_only_and_bcc_is_removed() {
        let a = args(&["-t", "-i"]);
        let p = prepare(&read_message(MSG, true), &a, ("ann@example.org", None)).unwrap();
        assert_eq!(
            p.recipients,
            [
                "bob@example.net",
                "carol@example.net",
                "dave@example.net",
                "eve@example.net",
                "frank@example.net"
            ]
        );
        let text = String::from_utf8_lossy(&p.bytes);
        assert!(!text.contains("eve@") && !text.contains("frank@"), "{text}");
        assert!(
            text.contains("To: mallory@example.net"),
            "the body is kept as it is"
        );
        assert!(
            text.contains("Message-ID: <") && text.contains("Date: "),
            "{text}"
        );
        assert_eq!(p.subject, "hi");
    }

    #[test]
    fn without_t_only_the_arguments_are_recipients_and_a_dot_ends_the_input() {
        let a = args(&["bob@example.net"]);
        let raw = read_message(MSG, false);
        assert!(!String::from_utf8_lossy(&raw).contains("after dot"));
        let p = prepare(&raw, &a, ("ann@example.org", None)).unwrap();
        assert_eq!(p.recipients, ["bob@example.net"]);
        assert_eq!(
            prepare(
                b"Subject: x\n\nbody\n",
                &args(&[]),
                ("ann@example.org", None)
            ),
            Err(SendmailError::NoRecipient)
        );
    }

    #[test]
    fn a_missing_from_is_added_and_malformed_headers_refused() {
        let p = prepare(
            b"Subject: x\n\nbody\n",
            &args(&["bob@example.net"]),
            ("ann@example.org", Some("Ann")),
        )
        .unwrap();
        assert!(String::from_utf8_lossy(&p.bytes).contains("From: \"Ann\" <ann@example.org>"));
        assert!(
            prepare(
                b"no colon here\n\nbody",
                &args(&["b@example.net"]),
                ("a@example.org", None)
            )
            .is_err()
        );
    }
}
