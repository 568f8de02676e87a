//! A draft → RFC 5322 bytes, as the outbox stores and sends them.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
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
    /// The message as sent, but for its attachments' encoded contents, which are read from
    /// their files when it is written ([`Composed::write_to`]): the header and the text are
    /// all here.
    pub bytes: Vec<u8>,
    /// Where each attachment's base64 goes in `bytes`, in order.
    pub files: Vec<Splice>,
}

/// An attachment's encoded contents, streamed from its file into the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    /// Its offset in [`Composed::bytes`].
    pub at: usize,
    /// The file.
    pub path: PathBuf,
    /// The file's size when the message was composed (a file that changed since is an error).
    pub size: u64,
}

/// Bytes of a file base64-encoded into one line of 76 characters (RFC 2045 §6.8).
const LINE_BYTES: usize = 57;

impl Splice {
    /// The length of its base64: lines of 76 characters, CRLF between them (as lettre
    /// writes a base64 body).
    fn encoded_len(&self) -> u64 {
        let chars = self.size.div_ceil(3) * 4;
        let lines = chars.div_ceil(76);
        chars + lines.saturating_sub(1) * 2
    }

    /// Writes the file's base64 to `w`, reading it a few hundred kilobytes at a time.
    fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        use base64::Engine;
        let mut file = std::fs::File::open(&self.path)?;
        let mut chunk = vec![0u8; LINE_BYTES * 4096];
        let mut line = [0u8; 78];
        let (mut total, mut first) = (0u64, true);
        loop {
            let n = read_full(&mut file, &mut chunk)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            let mut out = Vec::with_capacity(n / LINE_BYTES * 78 + 80);
            for group in chunk[..n].chunks(LINE_BYTES) {
                if !first {
                    out.extend_from_slice(b"\r\n");
                }
                first = false;
                let len = base64::engine::general_purpose::STANDARD
                    .encode_slice(group, &mut line)
                    .map_err(io::Error::other)?;
                out.extend_from_slice(&line[..len]);
            }
            w.write_all(&out)?;
        }
        if total != self.size {
            return Err(io::Error::other(tr!(
                "attachment-changed",
                path = self.path.display().to_string()
            )));
        }
        Ok(())
    }
}

/// Fills `buf` from `r` as far as it goes; how many bytes were read (fewer only at the end).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Composed {
    /// Its size as sent, attachments encoded.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 + self.files.iter().map(Splice::encoded_len).sum::<u64>()
    }

    /// Whether it is empty (never, once composed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the whole message to `w`, each attachment streamed from its file.
    pub fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut at = 0;
        for splice in &self.files {
            w.write_all(&self.bytes[at..splice.at])?;
            splice.write_to(w)?;
            at = splice.at;
        }
        w.write_all(&self.bytes[at..])
    }

    /// The whole message in memory.
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.len() as usize);
        self.write_to(&mut out)?;
        Ok(out)
    }
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

/// The text as it leaves: `format=flowed` (RFC 3676), in UTF-8; 7-bit when it is ASCII,
/// else 8-bit (re-encoded as quoted-printable when sent to a server without 8BITMIME, see
/// [`super::seven_bit`]); quoted-printable when a line is too long even so (a link of more
/// than 998 characters).
fn text_part(body: &str) -> Result<SinglePart, MessageError> {
    let flowed = super::flowed::flow(body).replace('\r', "");
    let encoding = if flowed.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    // lettre's own check would take only lines of 76 characters in 7 or 8 bits; RFC 5322
    // allows 998 octets, and a link longer than 76 characters should not make the whole
    // text quoted-printable.
    let fits = flowed.split('\n').all(|l| l.len() <= 998) && !flowed.contains('\0');
    let body = if fits {
        Body::dangerous_pre_encoded(flowed.replace('\n', "\r\n").into_bytes(), encoding)
    } else {
        Body::new_with_encoding(flowed, ContentTransferEncoding::QuotedPrintable)
            .map_err(|_| MessageError::Build(tr!("message-text-unencodable")))?
    };
    let content_type = ContentType::parse("text/plain; charset=utf-8; format=flowed")
        .map_err(|e| MessageError::Build(e.to_string()))?;
    Ok(SinglePart::builder().header(content_type).body(body))
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
    // Each attachment's body is a marker, found in the formatted message and cut out: its
    // base64 is streamed from the file when the message is written, never held whole.
    let mut markers: Vec<(String, PathBuf, u64)> = Vec::new();
    let tag = message_id.trim_matches(['<', '>']).replace(['@', '.'], "");
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
        // Readable now, not only when it is written.
        std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().replace(['\r', '\n'], " "))
            .unwrap_or_else(|| "attachment".into());
        let marker = format!("OUTPOSTATTACHMENT{}X{tag}", markers.len());
        let body = Body::dangerous_pre_encoded(
            marker.clone().into_bytes(),
            ContentTransferEncoding::Base64,
        );
        parts.push(Attachment::new(name).body(body, content_type(path)));
        markers.push((marker, path.clone(), meta.len()));
    }
    let text = text_part(&draft.body)?;
    let message = if parts.is_empty() {
        builder.singlepart(text)
    } else {
        let mut multi = MultiPart::mixed().singlepart(text);
        for p in parts {
            multi = multi.singlepart(p);
        }
        builder.multipart(multi)
    }
    .map_err(|e| MessageError::Build(e.to_string()))?;
    let formatted = message.formatted();
    let mut bytes = Vec::with_capacity(formatted.len());
    let mut files = Vec::with_capacity(markers.len());
    let mut rest = &formatted[..];
    for (marker, path, size) in markers {
        let Some(at) = rest
            .windows(marker.len())
            .position(|w| w == marker.as_bytes())
        else {
            return Err(MessageError::Build(tr!("attachment-lost")));
        };
        bytes.extend_from_slice(&rest[..at]);
        files.push(Splice {
            at: bytes.len(),
            path,
            size,
        });
        rest = &rest[at + marker.len()..];
    }
    bytes.extend_from_slice(rest);
    Ok(Composed {
        message_id: message_id.to_string(),
        envelope_from: from_addr.to_string(),
        recipients,
        bytes,
        files,
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
        String::from_utf8_lossy(&c.to_vec().unwrap()).into_owned()
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
    fn attachments_stream_from_their_files_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = draft();
        // Sizes around the 57-byte line and the read chunk, and an empty file.
        let sizes = [0usize, 1, 56, 57, 58, 171, 57 * 4096 + 5, 1_000_003];
        for (i, n) in sizes.iter().enumerate() {
            let path = dir.path().join(format!("f{i}.bin"));
            let bytes: Vec<u8> = (0..*n).map(|k| (k * 7 + i) as u8).collect();
            std::fs::write(&path, bytes).unwrap();
            d.attachments.push(path);
        }
        let c = compose(&d, SystemTime::now(), "<id3@example.org>").unwrap();
        assert_eq!(c.files.len(), sizes.len());
        assert!(c.bytes.len() < 10_000, "no attachment held in memory");
        let whole = c.to_vec().unwrap();
        assert_eq!(
            whole.len() as u64,
            c.len(),
            "the length is known before writing"
        );
        assert!(whole.split(|&b| b == b'\n').all(|l| l.len() <= 78));
        let parsed = mail_parser::MessageParser::new().parse(&whole).unwrap();
        let got: Vec<Vec<u8>> = parsed
            .attachments()
            .map(|a| a.contents().to_vec())
            .collect();
        for (i, n) in sizes.iter().enumerate() {
            let want: Vec<u8> = (0..*n).map(|k| (k * 7 + i) as u8).collect();
            assert_eq!(got[i], want, "attachment {i} of {n} bytes");
        }
        // A file changed after composing is not sent half.
        std::fs::write(&d.attachments[1], b"longer now").unwrap();
        let err = c.to_vec().unwrap_err();
        assert!(err.to_string().contains("changed"), "{err}");
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
