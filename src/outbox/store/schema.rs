//! The outbox's tables, version by version, and the migrations between them: a database of
//! any older version is brought up to date under the write lock the first time it is opened.

use rusqlite::{Connection, TransactionBehavior, params};

use super::error::{read_json, read_state};
use super::recipients::fields;
use super::state::State;
use crate::outbox::history::Delivery;

/// The newest schema this build knows.
pub const SCHEMA_VERSION: i64 = 6;

pub(super) const SCHEMA_V1: &str = "
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    message_id TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    recipients TEXT NOT NULL,
    display_to TEXT NOT NULL,
    subject TEXT NOT NULL,
    bytes BLOB NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    lease_until INTEGER,
    last_reply TEXT,
    server_queue_id TEXT,
    maybe_sent INTEGER NOT NULL DEFAULT 0,
    offline INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
);
-- Only unfinished messages, in the order they are due: claiming reads a few index entries.
CREATE INDEX messages_due ON messages(next_attempt, id)
    WHERE state IN ('queued', 'retry', 'sending');
CREATE TABLE events (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX events_message ON events(message);
CREATE TABLE paused (
    account TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    since INTEGER NOT NULL
);
";

/// Version 2: the message bytes in a table of their own, so that a change of state rewrites
/// a row of a few hundred bytes instead of a page holding the whole message.
pub(super) const SCHEMA_V2: &str = "
CREATE TABLE bodies (
    message INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    bytes BLOB NOT NULL
);
INSERT INTO bodies (message, bytes) SELECT id, bytes FROM messages;
ALTER TABLE messages DROP COLUMN bytes;
";

/// Version 3: history as data (a kind and its values as JSON, words made when read; the
/// sentences older versions wrote are kept as `note` entries), each recipient with its own
/// state and reply, the last outcome and a pause's cause as data too.
const SCHEMA_V3: &str = "
CREATE TABLE history (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
INSERT INTO history (rowid, message, at, kind, data)
    SELECT rowid, message, at, 'note', json_object('kind', 'note', 'text', text) FROM events;
DROP TABLE events;
CREATE INDEX history_message ON history(message);
CREATE TABLE recipients (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    address TEXT NOT NULL,
    field TEXT NOT NULL,
    state TEXT NOT NULL,
    reply TEXT,
    PRIMARY KEY (message, position)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN last_event TEXT;
UPDATE messages SET last_event = json_object('kind', 'note', 'text', last_reply)
    WHERE last_reply IS NOT NULL;
CREATE TABLE paused_v3 (
    account TEXT PRIMARY KEY,
    cause TEXT NOT NULL,
    since INTEGER NOT NULL
);
INSERT INTO paused_v3 (account, cause, since)
    SELECT account, json_object('reason', 'said', 'text', reason), since FROM paused;
DROP TABLE paused;
ALTER TABLE paused_v3 RENAME TO paused;
";

/// Version 4: the copy of each sent message to file in the account's Sent folder over IMAP,
/// a job of its own with its own schedule (the message stays sent whatever becomes of it).
const SCHEMA_V4: &str = "
CREATE TABLE copies (
    message INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    account TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    lease_until INTEGER,
    folder TEXT
);
-- Only copies still to file, in the order they are due.
CREATE INDEX copies_due ON copies(next_attempt) WHERE state IN ('waiting', 'filing');
";

/// Version 5: the message size each account's server announced (EHLO SIZE; 0: no limit),
/// kept so that a message too large is refused when it is queued, not when it is sent.
const SCHEMA_V5: &str = "
CREATE TABLE server_limits (
    account TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    at INTEGER NOT NULL
);
";

/// Version 6: messages being written, saved as typed (JSON, see `message::Unsent`); a draft
/// sent or discarded stays a moment as `gone`, so that a save still on its way cannot bring
/// it back.
const SCHEMA_V6: &str = "
CREATE TABLE drafts (
    key TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    saved INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL
);
";

/// What version 3 cannot do in SQL: each message's recipients from its JSON list into rows,
/// with the header field each was named in and, for a sent message, whether the server took
/// it; then the old columns go.
fn recipients_v3(conn: &Connection) -> rusqlite::Result<()> {
    /// A message as version 2 kept it: id, recipients (JSON), state, last reply, bytes, and
    /// whether its history says it was sent to some while others were deferred.
    type Row = (i64, String, String, Option<String>, Vec<u8>, bool);
    let rows: Vec<Row> = {
        let mut stmt = conn.prepare(
            "SELECT id, recipients, state, last_reply, bytes,
                EXISTS (SELECT 1 FROM history WHERE history.message = messages.id
                    AND (data LIKE '%sent to the others; %'
                        OR data LIKE '%an die übrigen gesendet; %'))
             FROM messages JOIN bodies ON bodies.message = messages.id",
        )?;
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut insert = conn.prepare(
        "INSERT INTO recipients (message, position, address, field, state, reply)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (id, json, state, last_reply, bytes, partly_sent) in rows {
        let addresses: Vec<String> = read_json(Some(id), "recipients", json)?;
        let state = read_state(Some(id), state)?;
        // Older versions appended the refused ones to a sent message's reply: "… (refused:
        // a, b)" in English, "… (abgelehnt: a, b)" in German.
        let refused: Vec<String> = last_reply
            .as_deref()
            .filter(|_| state == State::Sent)
            .and_then(|r| {
                ["(refused: ", "(abgelehnt: "]
                    .iter()
                    .find_map(|mark| r.rfind(mark).map(|at| &r[at + mark.len()..]))
            })
            .map(|names| {
                names
                    .trim_end_matches(')')
                    .split(", ")
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default();
        // Version 2 dropped the recipients that had the message from the list when others
        // were deferred ("sent to the others"): those named in To or Cc come back, accepted
        // (Bcc ones cannot).
        let (to, cc) = crate::message::header_recipients(&bytes);
        let listed: Vec<String> = addresses.iter().map(|a| a.to_ascii_lowercase()).collect();
        let had_it: Vec<String> = to
            .into_iter()
            .chain(cc)
            .filter(|a| partly_sent && !listed.contains(a))
            .collect();
        let addresses: Vec<String> = had_it.iter().chain(&addresses).cloned().collect();
        for (position, (address, field)) in
            addresses.iter().zip(fields(&bytes, &addresses)).enumerate()
        {
            let delivery = match state {
                State::Sent if refused.contains(&address.to_ascii_lowercase()) => Delivery::Refused,
                State::Sent => Delivery::Accepted,
                _ if had_it.contains(address) => Delivery::Accepted,
                _ => Delivery::Waiting,
            };
            insert.execute(params![
                id,
                position as i64,
                address,
                field.as_str(),
                delivery.as_str(),
                Option::<String>::None
            ])?;
        }
    }
    conn.execute_batch(
        "ALTER TABLE messages DROP COLUMN recipients;
         ALTER TABLE messages DROP COLUMN last_reply;",
    )
}

/// One version's changes.
enum Migration {
    Sql(&'static str),
    SqlThen(&'static str, fn(&Connection) -> rusqlite::Result<()>),
}

/// Each schema version's changes, in order: version N is `MIGRATIONS[N - 1]`.
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] = [
    Migration::Sql(SCHEMA_V1),
    Migration::Sql(SCHEMA_V2),
    Migration::SqlThen(SCHEMA_V3, recipients_v3),
    Migration::Sql(SCHEMA_V4),
    Migration::Sql(SCHEMA_V5),
    Migration::Sql(SCHEMA_V6),
];

/// Brings the database from its version to [`SCHEMA_VERSION`]. Two processes may open an old
/// outbox at once: it migrates under the write lock, and only what the other one has not
/// done meanwhile.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (n, migration) in (1..).zip(MIGRATIONS).skip(version.max(0) as usize) {
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::SqlThen(sql, then) => {
                tx.execute_batch(sql)?;
                then(&tx)?;
            }
        }
        tx.pragma_update(None, "user_version", n)?;
    }
    tx.commit()
}
