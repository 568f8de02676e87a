//! What every program's reader shares: reading a file (a note when it cannot be), and the
//! pieces of settings programs write alike (ports, senders, defaults).

use std::path::Path;

use super::model::{Found, Note, Program, Scan};
use crate::account::{AuthMethod, Security, SmtpSettings};

/// Collects what one program's reader found and could not read.
pub(super) struct Reader<'a> {
    pub(super) program: Program,
    pub(super) scan: &'a mut Scan,
}

impl Reader<'_> {
    /// The file's text; `None` when it does not exist (nothing to say) or cannot be read (a
    /// note says why).
    pub(super) fn read(&mut self, place: &Path) -> Option<String> {
        match std::fs::read(place) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.note(place, tr!("import-unreadable", error = e.to_string()));
                None
            }
        }
    }

    pub(super) fn note(&mut self, place: &Path, problem: String) {
        self.scan.notes.push(Note {
            program: self.program,
            place: place.to_path_buf(),
            problem,
        });
    }

    pub(super) fn found(&mut self, found: Found) {
        self.scan.found.push(found);
    }
}

/// A port as written, or `None` with a note when it is not one.
pub(super) fn port(text: Option<&str>) -> Result<Option<u16>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match t.parse::<u16>() {
            Ok(p) if p > 0 => Ok(Some(p)),
            _ => Err(tr!("import-bad-port", text = t)),
        },
    }
}

/// A sender as programs write it, `Ann Example <ann@example.org>` or a bare address: the
/// name and the address.
pub(super) fn sender(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    match text.rsplit_once('<') {
        Some((name, rest)) => {
            let email = rest.trim_end_matches('>').trim();
            let name = name.trim().trim_matches('"').trim();
            (
                Some(name.to_string()).filter(|n| !n.is_empty()),
                Some(email.to_string()).filter(|e| e.contains('@')),
            )
        }
        None => (None, Some(text.to_string()).filter(|e| e.contains('@'))),
    }
}

/// Settings as found, with the defaults a program uses when it does not say.
pub(super) fn settings(
    host: &str,
    port: Option<u16>,
    security: Security,
    username: Option<&str>,
    auth: AuthMethod,
) -> SmtpSettings {
    SmtpSettings {
        host: host.trim().to_ascii_lowercase(),
        port: port.unwrap_or(security.default_port()),
        security,
        username: username.unwrap_or_default().trim().to_string(),
        auth,
    }
}
