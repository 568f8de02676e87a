//! Queued bytes → a [`Draft`] again, for "edit & resend": the headers and the text as they
//! were sent, the attachments written back to files, Bcc recovered from the envelope.

use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};

use super::compose::{Draft, MessageError};

fn mailboxes(list: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    list.map(|l| {
        l.iter()
            .filter_map(|a| {
                let addr = a.address()?;
                Some(match a.name().filter(|n| !n.is_empty()) {
                    Some(name) => format!("{name} <{addr}>"),
                    None => addr.to_string(),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

fn bare(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(a), Some(b)) if a < b => mailbox[a + 1..b].to_ascii_lowercase(),
        _ => mailbox.trim().to_ascii_lowercase(),
    }
}

/// The addresses `bytes` (a message as queued) names in To and in Cc, bare and lower case;
/// empty lists for bytes that do not read as a message.
pub fn header_recipients(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let Some(msg) = MessageParser::default().parse(bytes) else {
        return (vec![], vec![]);
    };
    let bare_all = |list| mailboxes(list).iter().map(|m| bare(m)).collect();
    (bare_all(msg.to()), bare_all(msg.cc()))
}

/// A file name safe to create inside a folder: no separators, no hidden or empty names.
fn safe_name(name: &str, index: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        format!("attachment-{}", index + 1)
    } else {
        cleaned
    }
}

/// The message's text as it was written: a `format=flowed` text (as Outpost sends it) with
/// its soft line breaks joined again.
fn text(msg: &mail_parser::Message<'_>) -> String {
    let text = msg
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    let flowed = msg
        .text_body
        .first()
        .and_then(|&i| msg.part(i))
        .and_then(|p| p.content_type())
        .and_then(|ct| ct.attribute("format"))
        .is_some_and(|f| f.eq_ignore_ascii_case("flowed"));
    if flowed {
        super::flowed::unflow(&text)
    } else {
        text
    }
}

/// Reads `bytes` (as queued) back into a draft. `envelope` holds every recipient, so those
/// not in To or Cc were Bcc. Attachments are written into `dir` (created), and the draft
/// points at those files.
pub fn reopen(bytes: &[u8], envelope: &[String], dir: &Path) -> Result<Draft, MessageError> {
    let unreadable = || MessageError::Build(tr!("cannot-read-back"));
    let msg = MessageParser::default()
        .parse(bytes)
        .ok_or_else(unreadable)?;
    let from = mailboxes(msg.from())
        .into_iter()
        .next()
        .ok_or_else(unreadable)?;
    let to = mailboxes(msg.to());
    let cc = mailboxes(msg.cc());
    let shown: Vec<String> = to.iter().chain(&cc).map(|m| bare(m)).collect();
    let bcc = envelope
        .iter()
        .filter(|r| !shown.contains(&r.to_ascii_lowercase()))
        .cloned()
        .collect();
    let mut attachments: Vec<PathBuf> = Vec::new();
    for (i, part) in msg.attachments().enumerate() {
        let name = safe_name(part.attachment_name().unwrap_or(""), i);
        let path = dir.join(&name);
        let failed = |e: std::io::Error| MessageError::Attachment {
            path: path.clone(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        std::fs::write(&path, part.contents()).map_err(failed)?;
        attachments.push(path);
    }
    let (from_name, from) = match (from.rfind('<'), from.ends_with('>')) {
        (Some(i), true) => (
            Some(from[..i].trim().to_string()),
            from[i + 1..from.len() - 1].to_string(),
        ),
        _ => (None, from),
    };
    let reply_to = mailboxes(msg.reply_to()).into_iter().next();
    Ok(Draft {
        from,
        from_name,
        reply_to,
        to,
        cc,
        bcc,
        subject: msg.subject().unwrap_or_default().to_string(),
        body: text(&msg),
        attachments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn a_composed_message_reopens_as_the_same_draft() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report ü.pdf");
        std::fs::write(&file, b"%PDF-1.4 fake").unwrap();
        let draft = Draft {
            from: "ann@example.org".into(),
            from_name: Some("Ann Älvsdóttir".into()),
            reply_to: Some("team@example.org".into()),
            to: vec!["Bob <bob@example.net>".into()],
            cc: vec!["carol@example.net".into()],
            bcc: vec!["secret@example.com".into()],
            subject: "Grüße — report".into(),
            body: "Hello,\nsee attached.\n".into(),
            attachments: vec![file],
        };
        let c = super::super::compose(&draft, SystemTime::now(), "<x@example.org>").unwrap();
        let out = dir.path().join("reopened");
        let back = reopen(&c.to_vec().unwrap(), &c.recipients, &out).unwrap();
        assert_eq!(back.from, draft.from);
        assert_eq!(back.from_name, draft.from_name);
        assert_eq!(back.reply_to, draft.reply_to);
        assert_eq!((back.to, back.cc), (draft.to, draft.cc));
        assert_eq!(back.bcc, draft.bcc, "Bcc comes back from the envelope");
        assert_eq!((back.subject, back.body), (draft.subject, draft.body));
        assert_eq!(back.attachments, vec![out.join("report ü.pdf")]);
        assert_eq!(
            std::fs::read(&back.attachments[0]).unwrap(),
            b"%PDF-1.4 fake"
        );
    }

    #[test]
    fn attachment_names_cannot_leave_the_folder() {
        assert_eq!(safe_name("../../etc/passwd", 0), "_.._etc_passwd");
        assert_eq!(safe_name("", 2), "attachment-3");
        assert_eq!(safe_name(".hidden", 0), "hidden");
    }
}
