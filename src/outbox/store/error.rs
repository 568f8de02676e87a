//! Why the queue could not be used, or what in it could not be read.

use std::path::{Path, PathBuf};

use super::state::State;

/// A value in the outbox that this Outpost cannot read: never guessed at, always said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match .message {
    Some(id) => tr!("outbox-unreadable", id = *id, what = *.what, found = .found.as_str()),
    None => tr!("outbox-unreadable-row", what = *.what, found = .found.as_str()),
})]
pub struct Unreadable {
    /// The message it belongs to, when known.
    pub message: Option<i64>,
    /// Which value ("state", "history", "recipients", …).
    pub what: &'static str,
    /// What was found instead.
    pub found: String,
}

/// Why the queue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// SQLite failed (disk full, damaged file, permissions).
    #[error("{}", tr!(
        "outbox-error-db",
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Db {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// Written by a newer Outpost.
    #[error("{}", tr!(
        "outbox-error-too-new",
        path = .path.display().to_string(),
        found = *.found
    ))]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// The file is not a database any more (damaged on disk); it was left untouched.
    #[error("{}", tr!(
        "outbox-error-damaged",
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A value in the database is not one this Outpost knows.
    #[error("{}", tr!("outbox-error-unreadable", path = .path.display().to_string(), error = .source.to_string()))]
    Unreadable {
        /// The database file.
        path: PathBuf,
        /// What could not be read.
        source: Unreadable,
    },
    /// No message with this id.
    #[error("{}", tr!("outbox-error-not-found", id = *.0))]
    NotFound(i64),
    /// The message is there, its text no longer: it was sent a while ago.
    #[error("{}", tr!("outbox-error-body-gone", id = *.0))]
    BodyGone(i64),
    /// An attachment could not be read while the message was written into the queue
    /// (removed or changed since it was chosen): nothing was queued.
    #[error("{}", tr!("outbox-error-attachment", error = .0.as_str()))]
    Attachment(String),
    /// The message exists, but its state does not allow what was asked.
    #[error("{}", tr!("outbox-error-state", id = *.id, state = .state.as_str()))]
    WrongState {
        /// Its queue id.
        id: i64,
        /// Where it is.
        state: State,
    },
}

impl Unreadable {
    /// As an error of SQLite's row mapping, to be told apart again by [`db_err`].
    pub(super) fn in_row(self) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(self))
    }
}

/// The error for SQLite's `source` on the outbox at `path`: damaged, unreadable, or other.
pub(super) fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> OutboxError + '_ {
    move |source| {
        let path = path.to_path_buf();
        if let rusqlite::Error::FromSqlConversionFailure(_, _, e) = &source
            && let Some(u) = e.downcast_ref::<Unreadable>()
        {
            return OutboxError::Unreadable {
                path,
                source: u.clone(),
            };
        }
        let damaged = matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
        );
        if damaged {
            OutboxError::Damaged { path, source }
        } else {
            OutboxError::Db { path, source }
        }
    }
}

/// A value for SQLite that cannot be made (a JSON encoding failed): as SQLite's error.
pub(super) fn not_stored(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// `value` as JSON for a column.
pub(super) fn to_json(value: &impl serde::Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(not_stored)
}

/// The value stored as `stored` for `what` of `message` (a state, a recipient's field):
/// the one of `all` whose `name` it is, or why it cannot be read.
pub(super) fn read_one_of<T: Copy>(
    message: Option<i64>,
    what: &'static str,
    stored: String,
    all: &[T],
    name: fn(T) -> &'static str,
) -> rusqlite::Result<T> {
    match all.iter().copied().find(|v| name(*v) == stored) {
        Some(v) => Ok(v),
        None => Err(Unreadable {
            message,
            what,
            found: stored,
        }
        .in_row()),
    }
}

/// A message's state as stored (of `message`, when known), or why it cannot be read.
pub(super) fn read_state(message: Option<i64>, stored: String) -> rusqlite::Result<State> {
    read_one_of(message, "state", stored, &State::ALL, State::as_str)
}

/// A history entry, an outcome or a pause's cause stored as JSON, or why it cannot be read.
pub(super) fn read_json<T: serde::de::DeserializeOwned>(
    message: Option<i64>,
    what: &'static str,
    stored: String,
) -> rusqlite::Result<T> {
    serde_json::from_str(&stored).map_err(|_| {
        Unreadable {
            message,
            what,
            found: stored,
        }
        .in_row()
    })
}
