//! The outbox by account: paused ones (waiting for the person), those waiting for the
//! network, how many messages each has waiting, when the next one is due, and the largest
//! message its server takes.

use rusqlite::params;

use super::db::Outbox;
use super::error::read_json;
use super::error::{OutboxError, to_json};
use crate::clock::{Millis, now_ms};
use crate::outbox::history::Cause;

/// An account whose waiting messages have met nothing but a server name not found or a
/// refused connection since `since`: its settings may no longer be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The account's id.
    pub account: String,
    /// The first such failure.
    pub since: Millis,
    /// The server's name was not found (else: the connection was refused).
    pub not_found: bool,
}

impl Unreachable {
    /// What happened, in words, for the account that sends as `who`.
    pub fn in_words(&self, who: &str) -> String {
        if self.not_found {
            tr!("unreachable-not-found", who = who)
        } else {
            tr!("unreachable-refused", who = who)
        }
    }
}

/// How long an account fails to reach its server before its settings are offered to be
/// found again: a day.
pub const UNREACHABLE_FOR: Millis = 24 * 3_600_000;

impl Outbox {
    /// Accounts that have not reached their server for [`UNREACHABLE_FOR`] (see
    /// [`Self::unreachable_since`]).
    pub fn unreachable(&self) -> Result<Vec<Unreachable>, OutboxError> {
        self.unreachable_since(now_ms() - UNREACHABLE_FOR)
    }

    /// Accounts whose waiting messages have met nothing but "server name not found" or
    /// "connection refused" since `before` or earlier (a day ago, say): their server may
    /// have moved, and detecting the settings again may find where.
    pub fn unreachable_since(&self, before: Millis) -> Result<Vec<Unreachable>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                // Each account's oldest waiting message tells (one message's history, however
                // many wait): a name the DNS does not know pauses the account at once
                // ("server_name"), a refused connection is retried; a day of either, and
                // nothing else.
                "SELECT m.account, MIN(h.at),
                    SUM(COALESCE(json_extract(h.data, '$.cause.error'), '')
                        NOT IN ('dns_not_found', 'server_name', 'connection_refused')),
                    MAX(json_extract(h.data, '$.cause.error') IN ('dns_not_found', 'server_name'))
                 FROM (SELECT account, MIN(id) AS id FROM messages WHERE state = 'retry'
                       GROUP BY account) m
                 JOIN history h ON h.message = m.id
                 WHERE h.kind IN ('retry', 'paused')
                 GROUP BY m.account",
            )
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Millis>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<bool>>(3)?,
                ))
            })
            .map_err(|e| self.db(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (account, since, other, not_found) = row.map_err(|e| self.db(e))?;
            if other == 0 && since <= before {
                out.push(Unreachable {
                    account,
                    since,
                    not_found: not_found.unwrap_or(false),
                });
            }
        }
        Ok(out)
    }

    /// Stops sending for `account` until [`Self::resume`]: the person must act first.
    pub fn pause(&self, account: &str, cause: &Cause) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO paused (account, cause, since) VALUES (?1, ?2, ?3)",
                params![account, to_json(cause).map_err(|e| self.db(e))?, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Sends for `account` again.
    pub fn resume(&self, account: &str) -> Result<(), OutboxError> {
        self.conn
            .execute("DELETE FROM paused WHERE account = ?1", [account])
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// Paused accounts and why, in words.
    pub fn paused(&self) -> Result<Vec<(String, String)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, cause FROM paused ORDER BY since")
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| {
                let cause: Cause = read_json(None, "pause", r.get(1)?)?;
                Ok((r.get(0)?, cause.in_words()))
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Accounts with messages waiting because this computer was offline.
    pub fn offline_accounts(&self) -> Result<Vec<String>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT account FROM messages WHERE state = 'retry' AND offline = 1")
            .map_err(|e| self.db(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// The network is back for `account`: its messages that waited for it are due now.
    pub fn online_again(&self, account: &str) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE messages SET next_attempt = ?2, offline = 0
                 WHERE state = 'retry' AND offline = 1 AND account = ?1",
                params![account, now_ms()],
            )
            .map(|_| ())
            .map_err(|e| self.db(e))
    }

    /// How many messages of `account` are not sent yet (queued, waiting to retry, or being
    /// sent).
    pub fn waiting_for(&self, account: &str) -> Result<usize, OutboxError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE account = ?1
                 AND state IN ('queued', 'retry', 'sending')",
                [account],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.db(e))
    }

    /// How many unfinished messages each account has.
    pub fn waiting_by_account(&self) -> Result<Vec<(String, i64)>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT account, COUNT(*) FROM messages
                 WHERE state IN ('queued', 'retry', 'sending') GROUP BY account",
            )
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// When the next waiting message or copy to file is due, if any; messages of paused
    /// accounts wait for the person, not for a time, and do not count; nor, without
    /// `offline_too`, do those waiting for the network (the caller hears when it returns).
    pub fn next_due(&self, offline_too: bool) -> Result<Option<Millis>, OutboxError> {
        let message: Option<Millis> = self
            .conn
            .query_row(
                "SELECT MIN(CASE WHEN state = 'sending' THEN lease_until ELSE next_attempt END)
                 FROM messages WHERE state IN ('queued', 'retry', 'sending')
                   AND account NOT IN (SELECT account FROM paused)
                   AND (?1 OR offline = 0 OR state != 'retry')",
                [offline_too],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))?;
        let copy = self.next_copy_due()?;
        Ok(match (message, copy) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Whether any message is not finished (queued, waiting to retry or for its account,
    /// or being sent), or a copy waits to be filed.
    pub fn anything_waits(&self) -> Result<bool, OutboxError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM messages
                     WHERE state IN ('queued', 'retry', 'sending'))
                 OR EXISTS (SELECT 1 FROM copies WHERE state IN ('waiting', 'filing'))",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))
    }

    /// Keeps the message size `account`'s server announced (0: it names no limit).
    pub fn note_server_size(&self, account: &str, size: u64) -> Result<(), OutboxError> {
        self.conn
            .prepare_cached(
                "INSERT INTO server_limits (account, size, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account) DO UPDATE SET size = ?2, at = ?3",
            )
            .and_then(|mut s| s.execute(params![account, size as i64, now_ms()]))
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    /// The largest message `account`'s server takes, as it last announced: `Some(None)` when
    /// it names no limit, `None` when it was never asked.
    pub fn server_size(&self, account: &str) -> Result<Option<Option<u64>>, OutboxError> {
        use rusqlite::OptionalExtension;
        let size: Option<i64> = self
            .conn
            .query_row(
                "SELECT size FROM server_limits WHERE account = ?1",
                [account],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        Ok(size.map(|s| Some(s as u64).filter(|s| *s > 0)))
    }
}
