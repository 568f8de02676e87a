//! Messages being written, saved as typed (schema 6, table `drafts`): a save replaces an
//! older one of the same draft and never a newer one (saves may arrive out of order); a draft
//! sent or discarded is marked gone, so that a save still on its way cannot bring it back.

use rusqlite::{Connection, params};

use super::db::Outbox;
use super::error::{OutboxError, Unreadable};
use crate::clock::{Millis, now_ms};
use crate::message::Unsent;

/// How long a gone draft's mark is kept: longer than any save can be on its way.
const GONE_KEPT_MS: Millis = 24 * 3_600_000;

impl Outbox {
    /// Saves `draft` unless a newer save of it (or its end) is stored already; true when it
    /// was written. When this returns, it is on disk.
    pub fn save_draft(&mut self, draft: &Unsent) -> Result<bool, OutboxError> {
        let content = serde_json::to_string(draft).map_err(|e| OutboxError::Unreadable {
            path: self.path.clone(),
            source: Unreadable {
                message: None,
                what: "draft",
                found: e.to_string(),
            },
        })?;
        let changed = self
            .conn
            .execute(
                "INSERT INTO drafts (key, revision, saved, content) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key) DO UPDATE SET revision = excluded.revision,
                    saved = excluded.saved, content = excluded.content
                 WHERE excluded.revision > drafts.revision AND drafts.gone = 0",
                params![draft.key, revision(draft.revision), draft.saved, content],
            )
            .map_err(|e| self.db(e))?;
        Ok(changed > 0)
    }

    /// The drafts kept, the last saved first; gone ones (and their old marks) left out.
    pub fn drafts(&self) -> Result<Vec<Unsent>, OutboxError> {
        let rows: Vec<(String, String)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT key, content FROM drafts WHERE gone = 0
                     ORDER BY saved DESC, key DESC",
                )
                .map_err(|e| self.db(e))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(Iterator::collect)
                .map_err(|e| self.db(e))?
        };
        rows.into_iter()
            .map(|(key, content)| {
                serde_json::from_str(&content).map_err(|e| OutboxError::Unreadable {
                    path: self.path.clone(),
                    source: Unreadable {
                        message: None,
                        what: "draft",
                        found: format!("{key}: {e}"),
                    },
                })
            })
            .collect()
    }

    /// Marks draft `key` gone (discarded); a save of it still on its way changes nothing.
    pub fn discard_draft(&mut self, key: &str) -> Result<(), OutboxError> {
        gone(&self.conn, key).map_err(|e| self.db(e))
    }
}

/// Marks draft `key` gone (sent or discarded), in the caller's transaction; old marks go.
pub(super) fn gone(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    let now = now_ms();
    conn.execute(
        "INSERT INTO drafts (key, revision, saved, gone, content) VALUES (?1, ?2, ?3, 1, '{}')
         ON CONFLICT (key) DO UPDATE SET gone = 1, saved = ?3, content = '{}'",
        params![key, i64::MAX, now],
    )?;
    conn.execute(
        "DELETE FROM drafts WHERE gone = 1 AND saved < ?1",
        params![now - GONE_KEPT_MS],
    )?;
    Ok(())
}

/// A revision as SQLite keeps it.
fn revision(r: u64) -> i64 {
    i64::try_from(r).unwrap_or(i64::MAX - 1)
}
