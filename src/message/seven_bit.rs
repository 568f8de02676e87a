//! A body with 8-bit text for a server that does not announce 8BITMIME (RFC 6152): each
//! part that is 8-bit text (declared `8bit`, or not declared) is re-encoded as
//! quoted-printable, the way Postfix converts such mail, so that it stays readable; parts
//! already in 7 bits (base64 attachments, quoted-printable) and the header are left as they
//! are. Nested multiparts are walked.

use super::header::{field, physical_fields, split};

/// `message` with every 8-bit text part re-encoded as quoted-printable.
pub fn seven_bit(message: &[u8]) -> Vec<u8> {
    let (header, body) = split(message);
    let mut out = Vec::with_capacity(message.len() + message.len() / 8);
    entity(header, body, &mut out);
    out
}

/// The `boundary` parameter of a Content-Type value.
fn boundary(content_type: &str) -> Option<String> {
    let at = content_type.to_ascii_lowercase().find("boundary=")? + "boundary=".len();
    let rest = &content_type[at..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split([';', ' ', '\t']).next()?,
    };
    Some(value.to_string()).filter(|b| !b.is_empty())
}

/// Writes one entity (`header`, `body`), its 8-bit text re-encoded.
fn entity(header: &[u8], body: &[u8], out: &mut Vec<u8>) {
    let content_type = field(header, "content-type").unwrap_or_default();
    let kind = content_type.trim().to_ascii_lowercase();
    if kind.starts_with("multipart/")
        && let Some(b) = boundary(&content_type)
    {
        out.extend_from_slice(header);
        out.extend_from_slice(b"\r\n");
        return multipart(body, &b, out);
    }
    let encoding = field(header, "content-transfer-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let text = kind.is_empty() || kind.starts_with("text/");
    let plain = matches!(encoding.as_str(), "" | "7bit" | "8bit");
    if body.is_ascii() || !text || !plain {
        out.extend_from_slice(header);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        return;
    }
    for (name, lines) in physical_fields(header) {
        if !name.eq_ignore_ascii_case("content-transfer-encoding") {
            out.extend_from_slice(lines);
        }
    }
    out.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    out.extend_from_slice(&quoted_printable::encode(body));
}

/// Writes a multipart body: its preamble, each part re-encoded, its epilogue.
fn multipart(body: &[u8], boundary: &str, out: &mut Vec<u8>) {
    let delimiter = format!("--{boundary}");
    let is_delimiter = |line: &[u8]| {
        let line = line.strip_suffix(b"\r\n").unwrap_or(line);
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end();
        line == delimiter || line == format!("{delimiter}--")
    };
    // Parts between delimiter lines; the CRLF before a delimiter belongs to it (RFC 2046).
    let mut start = 0;
    let mut in_part = false;
    let mut at = 0;
    for line in body.split_inclusive(|&b| b == b'\n') {
        if is_delimiter(line) {
            let content = &body[start..at];
            if in_part {
                let content = content.strip_suffix(b"\r\n").unwrap_or(content);
                let (h, b) = split(content);
                entity(h, b, out);
                out.extend_from_slice(b"\r\n");
            } else {
                out.extend_from_slice(content);
            }
            out.extend_from_slice(line);
            in_part = !line.trim_ascii_end().ends_with(b"--");
            start = at + line.len();
        }
        at += line.len();
    }
    out.extend_from_slice(&body[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Grüße aus Köln.\r\n";

    #[test]
    fn an_8bit_single_part_becomes_quoted_printable_and_says_so() {
        let m = format!(
            "Subject: Hi\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\n{TEXT}"
        );
        let out = String::from_utf8(seven_bit(m.as_bytes())).unwrap();
        assert!(out.is_ascii(), "{out}");
        assert!(out.contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC"));
        assert!(!out.contains("8bit"));
        assert!(out.contains("format=flowed"));
    }

    #[test]
    fn in_a_multipart_only_the_8bit_text_is_re_encoded() {
        let m = format!(
            "Subject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n \
             boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\n{TEXT}\r\n--XYZ\r\n\
             Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             JVBERi0xLjQ=\r\n--XYZ--\r\n"
        );
        let out = String::from_utf8(seven_bit(m.as_bytes())).unwrap();
        assert!(out.is_ascii(), "{out}");
        assert!(
            out.contains("\r\n\r\nGr=C3=BC=C3=9Fe aus K=C3=B6ln.\r\n\r\n--XYZ\r\n"),
            "{out}"
        );
        assert!(out.contains("JVBERi0xLjQ=\r\n--XYZ--\r\n"), "{out}");
    }

    #[test]
    fn seven_bit_mail_is_left_as_it_is() {
        let m = b"Subject: Hi\r\nContent-Type: text/plain\r\n\r\nHello\r\n";
        assert_eq!(seven_bit(m), m);
    }
}
