//! A program's message made deliverable the way a MIME-aware MTA makes it, without changing
//! what the recipient reads: NUL bytes dropped, every line ending made CRLF (LF or CRLF ends a
//! line, as Postfix's `sendmail` reads them; a bare CR ends none — it never makes a header
//! line of its own — and becomes a space, which no server refuses), header lines over 998 octets folded at
//! a space, and a single-part body with a line over 998 octets (RFC 5322 §2.1.1) re-encoded —
//! quoted-printable for text, base64 for anything else. A signed message cannot be re-encoded
//! without breaking its signature: it is refused, as is a multipart one (its parts would each
//! need re-encoding; Outpost does not rewrite MIME trees).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::header::{fields, physical_fields, split};

/// The longest line SMTP carries (RFC 5321 §4.5.3.1.6), without its CRLF.
pub const MAX_LINE: usize = 998;

/// Why a message cannot be made deliverable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmendable {
    /// A line of a signed body is too long: re-encoding would break the signature.
    #[error("{}", tr!("mend-signed"))]
    Signed,
    /// A line of a multipart body is too long.
    #[error("{}", tr!("mend-multipart"))]
    Multipart,
    /// A body already encoded (quoted-printable, base64) has a line too long: it is broken.
    #[error("{}", tr!("mend-encoded", encoding = .0.as_str()))]
    Encoded(String),
    /// A header field's line is too long and has no space to fold at.
    #[error("{}", tr!("mend-header", field = .0.as_str()))]
    Header(String),
}

/// `raw` made deliverable; unchanged when it already is.
pub fn mend(raw: &[u8]) -> Result<Vec<u8>, Unmendable> {
    let text = crlf(raw);
    let (header, body) = split(&text);
    let header = fold_header(header)?;
    let long_body = body
        .split(|&b| b == b'\n')
        .any(|l| l.strip_suffix(b"\r").unwrap_or(l).len() > MAX_LINE);
    let mut out = Vec::with_capacity(text.len() + 256);
    if !long_body {
        out.extend_from_slice(&header);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        return Ok(out);
    }
    let fields = fields(&header);
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let content_type = value("content-type").unwrap_or_default();
    let encoding = value("content-transfer-encoding").unwrap_or_default();
    let armoured = body.windows(10).any(|w| w == b"-----BEGIN");
    if content_type.starts_with("multipart/signed") || armoured && has_pgp(body) {
        return Err(Unmendable::Signed);
    }
    if content_type.starts_with("multipart/") {
        return Err(Unmendable::Multipart);
    }
    let encoding = encoding.trim().to_string();
    if encoding == "quoted-printable" || encoding == "base64" {
        return Err(Unmendable::Encoded(encoding));
    }
    let text_body = content_type.is_empty() || content_type.starts_with("text/");
    // The header without the fields the new encoding replaces.
    for (name, line) in physical_fields(&header) {
        if !name.eq_ignore_ascii_case("content-transfer-encoding") {
            out.extend_from_slice(line);
        }
    }
    if value("mime-version").is_none() {
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    }
    if content_type.is_empty() {
        let charset = match std::str::from_utf8(body) {
            Ok(s) if s.is_ascii() => "us-ascii",
            Ok(_) => "utf-8",
            Err(_) => "unknown-8bit",
        };
        out.extend_from_slice(
            format!("Content-Type: text/plain; charset={charset}\r\n").as_bytes(),
        );
    }
    if text_body {
        out.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        out.extend_from_slice(&quoted_printable::encode(body));
    } else {
        out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
        let encoded = BASE64.encode(body);
        for chunk in encoded.as_bytes().chunks(76) {
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

/// Whether the body holds an OpenPGP block whose signature covers the text as it is.
fn has_pgp(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.contains("-----BEGIN PGP SIGNED MESSAGE-----")
        || text.contains("-----BEGIN PGP MESSAGE-----")
}

/// Every line ending made CRLF; a bare CR a space; NUL bytes dropped.
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    let mut bytes = raw.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            0 => {}
            b'\r' if bytes.next_if_eq(&b'\n').is_some() => out.extend_from_slice(b"\r\n"),
            b'\r' => out.push(b' '),
            b'\n' => out.extend_from_slice(b"\r\n"),
            other => out.push(other),
        }
    }
    out
}

/// The header with every line over [`MAX_LINE`] folded at its last space or tab before the
/// limit (a continuation line starts with it).
fn fold_header(header: &[u8]) -> Result<Vec<u8>, Unmendable> {
    let mut out = Vec::with_capacity(header.len() + 16);
    for line in header.split_inclusive(|&b| b == b'\n') {
        let mut rest = line.strip_suffix(b"\r\n").unwrap_or(line);
        while rest.len() > MAX_LINE {
            // Not inside the field name: the first fold comes after the colon.
            let floor = rest.iter().position(|&b| b == b':').map_or(1, |c| c + 2);
            let at = rest[..MAX_LINE]
                .iter()
                .rposition(|&b| b == b' ' || b == b'\t')
                .filter(|&at| at >= floor)
                .ok_or_else(|| {
                    let name = String::from_utf8_lossy(
                        line.split(|&b| b == b':').next().unwrap_or_default(),
                    );
                    Unmendable::Header(name.chars().take(40).collect())
                })?;
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"\r\n");
            rest = &rest[at..];
        }
        out.extend_from_slice(rest);
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(m: &[u8]) -> &[u8] {
        split(m).1
    }

    #[test]
    fn line_ends_become_crlf_and_nul_goes() {
        let m = mend(b"Subject: x\rBcc: e@example.net\n\na\rb\r\nc\nd\0e\n").unwrap();
        assert_eq!(
            m, b"Subject: x Bcc: e@example.net\r\n\r\na b\r\nc\r\nde\r\n",
            "a bare CR makes no header of its own"
        );
    }

    #[test]
    fn a_long_text_line_is_sent_as_quoted_printable_and_reads_the_same() {
        let line = "Grüße ".repeat(900);
        let raw = format!("From: a@example.org\nSubject: cron\n\n{line}\nnext\n");
        let m = mend(raw.as_bytes()).unwrap();
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(text.contains("MIME-Version: 1.0\r\n"), "{text:.300}");
        assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"));
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert!(m.split(|&b| b == b'\n').all(|l| l.len() <= 78));
        let decoded =
            quoted_printable::decode(body_of(&m), quoted_printable::ParseMode::Strict).unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            format!("{line}\r\nnext\r\n")
        );
    }

    #[test]
    fn a_long_line_elsewhere_is_base64_and_an_existing_encoding_is_replaced() {
        let raw = format!(
            "Content-Type: application/json\nContent-Transfer-Encoding: 8bit\n\n{}\n",
            "x".repeat(2000)
        );
        let m = mend(raw.as_bytes()).unwrap();
        let text = String::from_utf8_lossy(&m);
        assert!(!text.contains("8bit"), "{text:.200}");
        assert!(text.contains("Content-Transfer-Encoding: base64\r\n"));
        let joined: String = String::from_utf8_lossy(body_of(&m))
            .split_whitespace()
            .collect();
        assert_eq!(
            BASE64.decode(joined).unwrap(),
            format!("{}\r\n", "x".repeat(2000)).as_bytes()
        );
    }

    #[test]
    fn signed_multipart_and_broken_bodies_are_refused() {
        let long = "y".repeat(1200);
        let signed = format!("Content-Type: multipart/signed; boundary=b\n\n{long}\n");
        assert_eq!(mend(signed.as_bytes()), Err(Unmendable::Signed));
        let pgp = format!("Subject: s\n\n-----BEGIN PGP SIGNED MESSAGE-----\n{long}\n");
        assert_eq!(mend(pgp.as_bytes()), Err(Unmendable::Signed));
        let mixed = format!("Content-Type: multipart/mixed; boundary=b\n\n{long}\n");
        assert_eq!(mend(mixed.as_bytes()), Err(Unmendable::Multipart));
        let qp = format!("Content-Transfer-Encoding: quoted-printable\n\n{long}\n");
        assert_eq!(
            mend(qp.as_bytes()),
            Err(Unmendable::Encoded("quoted-printable".into()))
        );
        // Short lines: nothing to mend, whatever the body.
        assert!(mend(b"Content-Type: multipart/signed; boundary=b\n\nshort\n").is_ok());
    }

    #[test]
    fn long_header_lines_are_folded_at_a_space() {
        let to: Vec<String> = (0..120).map(|i| format!("user{i}@example.org")).collect();
        let raw = format!("To: {}\nSubject: x\n\nbody\n", to.join(", "));
        let m = mend(raw.as_bytes()).unwrap();
        assert!(m.split(|&b| b == b'\n').all(|l| l.len() <= MAX_LINE + 1));
        let (header, _) = split(&m);
        let unfolded = fields(header);
        assert_eq!(unfolded[0].1, to.join(", "));
        let glued = format!("X-Blob: {}\n\nbody\n", "z".repeat(1500));
        assert_eq!(
            mend(glued.as_bytes()),
            Err(Unmendable::Header("X-Blob".into()))
        );
    }
}
