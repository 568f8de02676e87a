//! A message being written, as typed: what Write saves a moment after each change so that a
//! crash, a `kill -9` or a closed window loses nothing, and what brings it back. Kept as JSON
//! in the outbox's database (versioned by its fields: every one has a default).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// One message being written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Unsent {
    /// Names the draft across saves (made when writing starts; never reused).
    pub key: String,
    /// Counts the saves of this draft: an older save arriving late changes nothing.
    pub revision: u64,
    /// When it was last saved.
    pub saved: Millis,
    /// The sending account's id, when one is chosen.
    pub account: Option<String>,
    /// The address it is sent as, when not the account's own.
    pub as_address: Option<String>,
    /// To, as typed.
    pub to: String,
    /// Cc, as typed.
    pub cc: String,
    /// Bcc, as typed.
    pub bcc: String,
    /// Subject.
    pub subject: String,
    /// The text, without the signature (added when it is sent).
    pub body: String,
    /// Attached files, with what they were when the draft was saved.
    pub files: Vec<UnsentFile>,
}

/// A file attached to a draft, by path, with its size and modification time when it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnsentFile {
    /// The file.
    pub path: PathBuf,
    /// Its size then, when known.
    pub size: Option<u64>,
    /// Its modification time then (ms since 1970), when known.
    pub modified: Option<Millis>,
}

/// What became of an attached file since its draft was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    /// It is no longer there (or cannot be read).
    Gone,
    /// It was changed: another size or modification time.
    Changed,
}

impl UnsentFile {
    /// `path` as it is now.
    pub fn now(path: &Path) -> Self {
        let meta = std::fs::metadata(path).ok();
        Self {
            path: path.to_path_buf(),
            size: meta.as_ref().map(std::fs::Metadata::len),
            modified: meta.as_ref().and_then(modified_ms),
        }
    }

    /// What became of the file since it was saved, if anything.
    pub fn change(&self) -> Option<FileChange> {
        let now = Self::now(&self.path);
        if now.size.is_none() {
            return Some(FileChange::Gone);
        }
        fn differs<T: PartialEq>(then: Option<T>, now: Option<T>) -> bool {
            then.is_some() && then != now
        }
        (differs(self.size, now.size) || differs(self.modified, now.modified))
            .then_some(FileChange::Changed)
    }
}

fn modified_ms(meta: &std::fs::Metadata) -> Option<Millis> {
    let since = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Millis::try_from(since.as_millis()).ok()
}

impl Unsent {
    /// Whether nothing was written (no text, no recipient, no file).
    pub fn is_empty(&self) -> bool {
        [&self.to, &self.cc, &self.bcc, &self.subject, &self.body]
            .iter()
            .all(|s| s.trim().is_empty())
            && self.files.is_empty()
    }

    /// Whether `other` holds the same writing (the key, the revision and the time aside).
    pub fn same_writing(&self, other: &Unsent) -> bool {
        self.account == other.account
            && self.as_address == other.as_address
            && self.to == other.to
            && self.cc == other.cc
            && self.bcc == other.bcc
            && self.subject == other.subject
            && self.body == other.body
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| a.path == b.path)
    }
}

/// A new draft's key: the moment and a random part, so that two windows never share one.
pub fn new_key() -> String {
    let mut random = [0u8; 8];
    // Without the system's randomness the moment and the process still tell drafts apart.
    getrandom::fill(&mut random).ok();
    format!(
        "{}-{}-{:016x}",
        crate::clock::now_ms(),
        std::process::id(),
        u64::from_le_bytes(random)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_or_gone_since_the_save_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, b"first").unwrap();
        let saved = UnsentFile::now(&path);
        assert_eq!(saved.size, Some(5));
        assert!(saved.modified.is_some());
        assert_eq!(saved.change(), None);
        std::fs::write(&path, b"second version").unwrap();
        assert_eq!(saved.change(), Some(FileChange::Changed));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(saved.change(), Some(FileChange::Gone));
    }

    #[test]
    fn an_older_draft_format_reads_with_defaults() {
        let d: Unsent = serde_json::from_str(r#"{"key":"k","subject":"Hi"}"#).unwrap();
        assert_eq!(d.subject, "Hi");
        assert!(d.files.is_empty());
        assert_eq!(d.revision, 0);
    }

    #[test]
    fn keys_differ() {
        assert_ne!(new_key(), new_key());
    }
}
