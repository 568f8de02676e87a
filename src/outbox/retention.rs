//! How long the text of a sent or cancelled message is kept: a setting in the config folder's
//! `outbox.toml` (`keep_sent_text_days = 30`, or `"forever"`), read by every sender, the
//! window's and the background one alike; and the tidying that applies it.

use std::path::PathBuf;

use serde::Deserialize;

use super::store::{Outbox, OutboxError, Pruned};
use crate::clock::Millis;
use crate::paths::Paths;

/// Days a sent message's text is kept at first.
pub const DEFAULT_DAYS: u32 = 30;

const DAY_MS: Millis = 86_400_000;

/// How long the text of a finished message is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// This many days after it was sent or cancelled (0: let go at the next tidying).
    Days(u32),
    /// Always.
    Forever,
}

impl Default for Keep {
    fn default() -> Self {
        Keep::Days(DEFAULT_DAYS)
    }
}

impl Keep {
    /// The moment before which finished messages lose their text, seen at `now`; none when
    /// kept forever.
    pub fn cutoff(self, now: Millis) -> Option<Millis> {
        match self {
            Keep::Days(days) => Some(now - i64::from(days) * DAY_MS),
            Keep::Forever => None,
        }
    }
}

/// The file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    keep_sent_text_days: Option<Value>,
}

/// A number of days, or a word ("forever").
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Value {
    Days(u32),
    Word(String),
}

/// The setting could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The file is not what Outpost writes.
    #[error("{}", tr!("retention-unreadable", path = .path.display().to_string(), error = .error.as_str()))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong, in the parser's words.
        error: String,
    },
    /// The file could not be written.
    #[error("{}", tr!("retention-unwritable", path = .path.display().to_string(), error = .source.to_string()))]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Where the setting is.
pub fn path(paths: &Paths) -> PathBuf {
    paths.config_dir.join("outbox.toml")
}

/// The setting; [`Keep::default`] when nobody set it.
pub fn load(paths: &Paths) -> Result<Keep, RetentionError> {
    let path = path(paths);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Keep::default()),
        Err(e) => {
            return Err(RetentionError::Unreadable {
                path,
                error: e.to_string(),
            });
        }
    };
    let unreadable = |error: String| RetentionError::Unreadable {
        path: path.clone(),
        error,
    };
    let file: File = toml::from_str(&text).map_err(|e| unreadable(e.message().to_string()))?;
    match file.keep_sent_text_days {
        None => Ok(Keep::default()),
        Some(Value::Days(days)) => Ok(Keep::Days(days)),
        Some(Value::Word(w)) if w.eq_ignore_ascii_case("forever") => Ok(Keep::Forever),
        Some(Value::Word(w)) => Err(unreadable(tr!("retention-not-days", value = w))),
    }
}

/// Sets it.
pub fn save(paths: &Paths, keep: Keep) -> Result<(), RetentionError> {
    let path = path(paths);
    let value = match keep {
        Keep::Days(days) => days.to_string(),
        Keep::Forever => "\"forever\"".to_string(),
    };
    let text = format!(
        "# How long Outpost keeps the text of a sent or cancelled message: days, or \"forever\".\n\
         keep_sent_text_days = {value}\n"
    );
    let unwritable = |source| RetentionError::Unwritable {
        path: path.clone(),
        source,
    };
    crate::paths::create_private_dir(&paths.config_dir).map_err(unwritable)?;
    crate::paths::write_private(&path, text.as_bytes()).map_err(unwritable)
}

/// Why tidying did nothing.
#[derive(Debug, thiserror::Error)]
pub enum TidyError {
    /// The setting cannot be read: every text is kept meanwhile.
    #[error(transparent)]
    Setting(#[from] RetentionError),
    /// The outbox failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// Lets go of the texts that `keep` (at `now`) no longer keeps, then gives the space back.
pub fn tidy(outbox: &mut Outbox, keep: Keep, now: Millis) -> Result<Pruned, OutboxError> {
    let Some(before) = keep.cutoff(now) else {
        return Ok(Pruned::default());
    };
    let pruned = outbox.prune_bodies(before)?;
    outbox.reclaim()?;
    Ok(pruned)
}

/// [`tidy`] on the outbox of `paths`, keeping texts as `keep` says, or as the setting does
/// when `None`; what was let go, and the outbox (to read its size after).
pub fn tidy_outbox(
    paths: &Paths,
    keep: Option<Keep>,
    now: Millis,
) -> Result<(Pruned, Outbox), TidyError> {
    let keep = match keep {
        Some(k) => k,
        None => load(paths)?,
    };
    let mut outbox = Outbox::open(&paths.outbox_file())?;
    let pruned = tidy(&mut outbox, keep, now)?;
    Ok((pruned, outbox))
}
