//! Messages being written, kept as typed: saved a moment after each change and when the
//! window closes (in the outbox's database), listed at the next start with what became of
//! their attached files, and let go when sent (in the same transaction, see
//! [`super::queue::submit_at`]) or discarded.

use std::path::PathBuf;

use crate::message::{FileChange, Unsent, UnsentFile};
use crate::outbox::store::{Outbox, OutboxError};
use crate::paths::Paths;

/// A draft kept, with what became of its files since it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The draft as saved.
    pub draft: Unsent,
    /// Each attached file that is gone or changed since.
    pub changed: Vec<(PathBuf, FileChange)>,
}

/// Saves `draft` (unless a newer save of it, or its end, is stored), with its files' sizes
/// and times as they are now; on disk when this returns.
pub fn save(paths: &Paths, draft: &Unsent) -> Result<(), OutboxError> {
    save_all(paths, std::slice::from_ref(draft))
}

/// Saves each of `drafts` that has something written (the window closing), as [`save`].
pub fn save_all(paths: &Paths, drafts: &[Unsent]) -> Result<(), OutboxError> {
    let mut outbox = Outbox::open(&paths.outbox_file())?;
    for draft in drafts.iter().filter(|d| !d.is_empty()) {
        let mut draft = draft.clone();
        for file in &mut draft.files {
            *file = UnsentFile::now(&file.path);
        }
        outbox.save_draft(&draft)?;
    }
    Ok(())
}

/// Lets draft `key` go (discarded by the person).
pub fn discard(paths: &Paths, key: &str) -> Result<(), OutboxError> {
    Outbox::open(&paths.outbox_file())?.discard_draft(key)
}

/// The drafts kept, the last saved first, each with what became of its files.
pub fn list(paths: &Paths) -> Result<Vec<Kept>, OutboxError> {
    let drafts = Outbox::open(&paths.outbox_file())?.drafts()?;
    Ok(drafts
        .into_iter()
        .map(|draft| Kept {
            changed: draft
                .files
                .iter()
                .filter_map(|f| f.change().map(|c| (f.path.clone(), c)))
                .collect(),
            draft,
        })
        .collect())
}
