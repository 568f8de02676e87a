//! What a message says, as Python's `email` package (a real MIME parser, policy default:
//! RFC 2047, quoted-printable and base64 decoded) reads it; and the one message a lab
//! server received.

use std::io::Write;
use std::process::{Command, Stdio};

use super::SendLab;

/// `message` as Python's `email` reads it: `subject`, `from_name`, the plain `text` (line
/// ends `\n`), its `format` parameter and `encoding` (Content-Transfer-Encoding), `unflowed`
/// (the text with RFC 3676 soft line breaks joined and space-stuffing removed, by the
/// RFC's own rules written here in Python), and the parser's `defects`.
pub fn parsed(message: &[u8]) -> serde_json::Value {
    let script = r#"
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
body = m.get_body(preferencelist=("plain",))
# Raw UTF-8 in a header (SMTPUTF8) is read as escaped bytes: read it back as UTF-8.
utf8 = lambda s: s.encode("utf-8", "surrogateescape").decode("utf-8")
text = body.get_content().replace("\r\n", "\n") if body else None

def unflow(text):
    # RFC 3676 section 4.2 (DelSp=No): a line ending in a space continues on the next one;
    # a line starting with a space was stuffed; "-- " is the signature separator.
    out, para = [], ""
    for line in text.split("\n"):
        if line != "-- " and line.startswith(" "):
            line = line[1:]
        if line != "-- " and line.endswith(" "):
            para += line
            continue
        out.append(para + line)
        para = ""
    if para:
        out.append(para)
    return "\n".join(out)

print(json.dumps({
    "subject": utf8(str(m["subject"])),
    "from_name": utf8(m["from"].addresses[0].display_name) if m["from"] else None,
    "text": text,
    "format": body.get_param("format") if body else None,
    "encoding": str(body["content-transfer-encoding"] or "") if body else None,
    "unflowed": unflow(text) if text is not None else None,
    "defects": [str(d) for d in m.defects],
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one message `lab`'s server received, without the lines the test server adds on top.
pub fn received(lab: &SendLab) -> Vec<u8> {
    let all = lab.smtpd.received();
    assert_eq!(all.len(), 1, "one message");
    let text = &all[0];
    let mut at = 0;
    while text[at..].starts_with(b"X-Envelope-") {
        at += text[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    }
    text[at..].to_vec()
}
