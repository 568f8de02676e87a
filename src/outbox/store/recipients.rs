//! Each recipient of a message with its own state and the server's reply for it: which header
//! named it, whether the server accepted, refused or deferred it.

use rusqlite::{Connection, params};

use super::error::read_one_of;
use crate::outbox::history::{Delivery, Field, Recipient};

/// The field each of `addresses` (the envelope) was named in, by the message's headers: To,
/// Cc, else Bcc (a blind copy, or a recipient a program gave only in the envelope).
pub(super) fn fields(bytes: &[u8], addresses: &[String]) -> Vec<Field> {
    let (to, cc) = crate::message::header_recipients(bytes);
    addresses
        .iter()
        .map(|a| {
            let a = a.to_ascii_lowercase();
            if to.contains(&a) {
                Field::To
            } else if cc.contains(&a) {
                Field::Cc
            } else {
                Field::Bcc
            }
        })
        .collect()
}

/// Stores the recipients of a new message `id`, all waiting.
pub(super) fn insert(
    conn: &Connection,
    id: i64,
    bytes: &[u8],
    addresses: &[String],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO recipients (message, position, address, field, state)
         VALUES (?1, ?2, ?3, ?4, 'waiting')",
    )?;
    for (position, (address, field)) in addresses.iter().zip(fields(bytes, addresses)).enumerate() {
        stmt.execute(params![id, position as i64, address, field.as_str()])?;
    }
    Ok(())
}

/// The addresses still to deliver (waiting or deferred) of the messages `ids` (at most a
/// claim's batch), by message, each in its order.
pub(super) fn undelivered(
    conn: &Connection,
    ids: &[i64],
) -> rusqlite::Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut found: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        // Not cached: one text per batch size would push the hot statements out.
        let mut stmt = conn.prepare(&format!(
            "SELECT message, address FROM recipients
             WHERE message IN ({marks}) AND state IN ('waiting', 'deferred')
             ORDER BY message, position"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, address) = row?;
            found.entry(id).or_default().push(address);
        }
    }
    Ok(found)
}

/// Every recipient of message `id`, all of them, in their order.
pub(super) fn every(conn: &Connection, id: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT address FROM recipients WHERE message = ?1 ORDER BY position")?;
    stmt.query_map([id], |r| r.get(0))?.collect()
}

/// `r`, of a message the server accepted with `reply`: accepted with that reply unless the
/// server refused it (or accepted it, with its own words, in an earlier round).
pub(super) fn as_sent(mut r: Recipient, reply: Option<&str>) -> Recipient {
    if matches!(r.state, Delivery::Waiting | Delivery::Deferred) {
        r.state = Delivery::Accepted;
        r.reply = reply.map(str::to_string);
    }
    r
}

/// Sets the state of message `id`'s recipient `address` (every row with that address) and
/// the server's reply for it.
pub(super) fn set(
    conn: &Connection,
    id: i64,
    address: &str,
    state: Delivery,
    reply: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE recipients SET state = ?3, reply = COALESCE(?4, reply)
         WHERE message = ?1 AND address = ?2",
    )?
    .execute(params![id, address, state.as_str(), reply])
    .map(|_| ())
}

/// The recipients of the messages `ids`, by message, in their order, as stored: a sent
/// message's recipients still waiting or deferred are those it was sent to, which
/// [`as_sent`] says.
pub(super) fn of(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, Recipient)>> {
    let mut found = Vec::new();
    // SQLite limits the parameters of one statement: ask in chunks.
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut stmt = conn.prepare(&format!(
            "SELECT message, address, field, state, reply FROM recipients
             WHERE message IN ({marks}) ORDER BY message, position"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| {
            let id: i64 = r.get(0)?;
            let field = r.get(2)?;
            let state = r.get(3)?;
            Ok((
                id,
                Recipient {
                    address: r.get(1)?,
                    field: read_one_of(
                        Some(id),
                        "recipient field",
                        field,
                        &Field::ALL,
                        Field::as_str,
                    )?,
                    state: read_one_of(
                        Some(id),
                        "recipient state",
                        state,
                        &Delivery::ALL,
                        Delivery::as_str,
                    )?,
                    reply: r.get(4)?,
                },
            ))
        })?;
        for row in rows {
            found.push(row?);
        }
    }
    Ok(found)
}
