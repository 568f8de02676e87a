//! A draft → RFC 5322 bytes, as the outbox stores and sends them.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::address::EmailAddress;

/// The largest message Outpost composes, attachments included (before encoding).
pub const MAX_MESSAGE_BYTES: u64 = 100 * 1024 * 1024;

/// What the person wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Sender address.
    pub from: String,
    /// Sender name, if any.
    pub from_name: Option<String>,
    /// Where replies go, when not to the sender (Reply-To).
    pub reply_to: Option<String>,
    /// Recipients, each `addr` or `Name <addr>`.
    pub to: Vec<String>,
    /// Copy recipients.
    pub cc: Vec<String>,
    /// Blind copy recipients: in the envelope, never in the headers.
    pub bcc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Files to attach.
    pub attachments: Vec<PathBuf>,
}

/// A message ready for the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The Message-ID header's value, angle brackets included.
    pub message_id: String,
    /// The envelope sender (MAIL FROM).
    pub envelope_from: String,
    /// Every envelope recipient (RCPT TO), Bcc included.
    pub recipients: Vec<String>,
    /// The message as sent.
    pub bytes: Vec<u8>,
}

/// Why a draft cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// An address is malformed.
    #[error("{}", tr!("message-bad-address", field = *.field, input = .input.as_str()))]
    BadAddress {
        /// From, To, Cc or Bcc.
        field: &'static str,
        /// What was written.
        input: String,
    },
    /// No recipient at all.
    #[error("{}", tr!("message-no-recipient"))]
    NoRecipient,
    /// A header would contain a line break.
    #[error("{}", tr!("message-line-break", field = *.field))]
    LineBreak {
        /// The header.
        field: &'static str,
    },
    /// An attachment cannot be read.
    #[error("{}", tr!(
        "message-attachment",
        path = .path.display().to_string(),
        reason = .reason.as_str()
    ))]
    Attachment {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// lettre refused the message.
    #[error("{}", tr!("message-build", error = .0.as_str()))]
    Build(String),
    /// The message would be larger than [`MAX_MESSAGE_BYTES`].
    #[error("{}", tr!("message-too-large", size = *.size, limit = *.limit))]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

fn has_break(s: &str) -> bool {
    s.contains(['\r', '\n'])
}

/// Splits an address field at the commas between addresses (not those inside quotes or
/// angle brackets, as in `"Doe, Jane" <jane@example.org>`).
pub fn split_addresses(field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut current) = (false, false, String::new());
    for c in field.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// An address with its domain in ASCII (punycode) form, as SMTP needs it without SMTPUTF8.
pub fn parse_address(field: &'static str, input: &str) -> Result<Address, MessageError> {
    let bad = || MessageError::BadAddress {
        field,
        input: input.trim().to_string(),
    };
    let address = EmailAddress::parse(input).map_err(|_| bad())?;
    Address::new(address.local(), address.domain()).map_err(|_| bad())
}

/// `addr` or `Name <addr>`, checked.
pub fn parse_mailbox(field: &'static str, input: &str) -> Result<Mailbox, MessageError> {
    if has_break(input) {
        return Err(MessageError::LineBreak { field });
    }
    let input = input.trim();
    let (name, addr) = match input.rsplit_once('<') {
        Some((name, rest)) if rest.ends_with('>') => {
            let name = name.trim().trim_matches('"').trim();
            (
                Some(name).filter(|n| !n.is_empty()),
                &rest[..rest.len() - 1],
            )
        }
        _ => (None, input),
    };
    let address = parse_address(field, addr)?;
    Ok(Mailbox::new(name.map(str::to_string), address))
}

/// A fresh Message-ID under the sender's domain (not the computer's name).
pub fn new_message_id(from: &Address) -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS random source: the time and the process still make the id unique.
        let nanos = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (nanos ^ (u128::from(std::process::id()) << 96)).to_be_bytes();
    }
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("<{id}@{}>", from.domain())
}

fn content_type(path: &Path) -> ContentType {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    ContentType::parse(mime.essence_str()).unwrap_or_else(|_| {
        #[expect(clippy::expect_used, reason = "a constant, valid content type")]
        ContentType::parse("application/octet-stream").expect("a valid content type")
    })
}

/// Composes `draft` at time `date` with `message_id` (made once, kept across retries).
pub fn compose(
    draft: &Draft,
    date: SystemTime,
    message_id: &str,
) -> Result<Composed, MessageError> {
    if draft.from_name.as_deref().is_some_and(has_break) {
        return Err(MessageError::LineBreak { field: "From" });
    }
    if has_break(&draft.subject) {
        return Err(MessageError::LineBreak { field: "Subject" });
    }
    let from_addr = parse_address("From", &draft.from)?;
    let from = Mailbox::new(
        draft.from_name.clone().filter(|n| !n.is_empty()),
        from_addr.clone(),
    );
    let mut builder = Message::builder().from(from);
    if let Some(r) = draft.reply_to.as_deref().filter(|r| !r.trim().is_empty()) {
        builder = builder.reply_to(parse_mailbox("Reply-To", r)?);
    }
    let mut builder = builder
        .subject(draft.subject.clone())
        .date(date)
        .message_id(Some(message_id.to_string()))
        .user_agent(concat!("Outpost/", env!("CARGO_PKG_VERSION")).to_string());
    let mut recipients = Vec::new();
    for (field, list) in [("To", &draft.to), ("Cc", &draft.cc), ("Bcc", &draft.bcc)] {
        for input in list.iter().filter(|s| !s.trim().is_empty()) {
            let mbox = parse_mailbox(field, input)?;
            recipients.push(mbox.email.to_string());
            builder = match field {
                "To" => builder.to(mbox),
                "Cc" => builder.cc(mbox),
                _ => builder.bcc(mbox),
            };
        }
    }
    if recipients.is_empty() {
        return Err(MessageError::NoRecipient);
    }
    let mut size = draft.body.len() as u64;
    let mut parts = Vec::new();
    for path in &draft.attachments {
        let unreadable = |reason: String| MessageError::Attachment {
            path: path.clone(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
        if !meta.is_file() {
            return Err(unreadable(tr!("not-a-file")));
        }
        size += meta.len();
        if size > MAX_MESSAGE_BYTES {
            return Err(MessageError::TooLarge {
                size,
                limit: MAX_MESSAGE_BYTES,
            });
        }
        let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().replace(['\r', '\n'], " "))
            .unwrap_or_else(|| "attachment".into());
        parts.push(Attachment::new(name).body(bytes, content_type(path)));
    }
    let message = if parts.is_empty() {
        builder.singlepart(SinglePart::plain(draft.body.clone()))
    } else {
        let mut multi = MultiPart::mixed().singlepart(SinglePart::plain(draft.body.clone()));
        for p in parts {
            multi = multi.singlepart(p);
        }
        builder.multipart(multi)
    }
    .map_err(|e| MessageError::Build(e.to_string()))?;
    Ok(Composed {
        message_id: message_id.to_string(),
        envelope_from: from_addr.to_string(),
        recipients,
        bytes: message.formatted(),
    })
}

/// The size of a file to attach, or why it cannot be attached (for people).
pub fn file_size(path: &Path) -> Result<u64, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(m.len()),
        Ok(_) => Err(tr!("not-a-file")),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            from: "ann@example.org".into(),
            from_name: Some("Ann Älvsdóttir".into()),
            reply_to: None,
            to: vec!["Bob <bob@example.net>".into()],
            cc: vec!["carol@bücher.example".into()],
            bcc: vec!["secret@example.com".into()],
            subject: "Grüße — report".into(),
            body: "Hello,\nsee attached.\n".into(),
            attachments: vec![],
        }
    }

    fn text(c: &Composed) -> String {
        String::from_utf8_lossy(&c.bytes).into_owned()
    }

    #[test]
    fn address_fields_split_between_addresses_only() {
        assert_eq!(
            split_addresses(r#""Doe, Jane" <jane@example.org>, bob@example.net; ,"#),
            vec![r#""Doe, Jane" <jane@example.org>"#, "bob@example.net"]
        );
    }

    #[test]
    fn headers_are_complete_and_bcc_only_in_the_envelope() {
        let c = compose(&draft(), SystemTime::UNIX_EPOCH, "<id1@example.org>").unwrap();
        let t = text(&c);
        assert!(t.contains("Message-ID: <id1@example.org>"), "{t}");
        assert!(t.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"), "{t}");
        assert!(t.contains("To: Bob <bob@example.net>"), "{t}");
        assert!(t.contains("Cc: carol@xn--bcher-kva.example"), "{t}");
        assert!(
            !t.contains("secret@example.com"),
            "Bcc is not a header: {t}"
        );
        assert!(
            t.contains("Subject: =?utf-8?"),
            "non-ASCII subject is encoded: {t}"
        );
        assert_eq!(c.envelope_from, "ann@example.org");
        assert_eq!(
            c.recipients,
            [
                "bob@example.net",
                "carol@xn--bcher-kva.example",
                "secret@example.com"
            ]
        );
    }

    #[test]
    fn attachments_become_mime_parts_with_their_types() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("report.pdf");
        std::fs::write(&pdf, b"%PDF-1.4 test").unwrap();
        let mut d = draft();
        d.attachments = vec![pdf];
        let t = text(&compose(&d, SystemTime::now(), "<id2@example.org>").unwrap());
        assert!(t.contains("multipart/mixed"), "{t}");
        assert!(t.contains("Content-Type: application/pdf"), "{t}");
        assert!(t.contains("filename=\"report.pdf\""), "{t}");
    }

    #[test]
    fn bad_input_is_refused_before_queueing() {
        let cases: Vec<(Draft, &str)> = vec![
            (
                Draft {
                    to: vec![],
                    cc: vec![],
                    bcc: vec![],
                    ..draft()
                },
                "no recipient",
            ),
            (
                Draft {
                    to: vec!["bob@".into()],
                    ..draft()
                },
                "To: 'bob@'",
            ),
            (
                Draft {
                    from: "ann".into(),
                    ..draft()
                },
                "From",
            ),
            (
                Draft {
                    subject: "Hi\r\nBcc: evil@example.com".into(),
                    ..draft()
                },
                "Subject",
            ),
            (
                Draft {
                    to: vec!["Bob\n <bob@example.net>".into()],
                    ..draft()
                },
                "line break",
            ),
            (
                Draft {
                    attachments: vec!["/no/such/file".into()],
                    ..draft()
                },
                "/no/such/file",
            ),
        ];
        for (d, expect) in cases {
            let err = compose(&d, SystemTime::now(), "<x@example.org>").unwrap_err();
            assert!(err.to_string().contains(expect), "{err} / {expect}");
        }
    }

    #[test]
    fn message_ids_are_unique_and_under_the_senders_domain() {
        let from: Address = "ann@example.org".parse().unwrap();
        let (a, b) = (new_message_id(&from), new_message_id(&from));
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@example.org>"), "{a}");
    }
}
