//! Hands one message to the account's server: the login as in the connection check, then
//! MAIL, RCPT per recipient (refusals reported one by one), DATA and the final ".", each
//! under its own timeout.

use std::time::Duration;

use super::history::Trouble;
use super::policy::{AccountProblem, Attempt};
use crate::account::Account;
use crate::account::check::{self, Check, CheckError, Timeouts};
use crate::message::{downgrade, seven_bit};
use crate::net::resolver::DnsError;
use crate::net::smtp::{Command, Reply, SmtpConn, SmtpError};
use crate::net::{Net, ProxyError};
use crate::secret::Secret;

/// Time limits while sending, after RFC 5321 §4.5.3.2, shortened for a desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendTimeouts {
    /// Connecting, encrypting and logging in, each step.
    pub session: Timeouts,
    /// MAIL, RCPT and DATA, each.
    pub command: Duration,
    /// Writing the message and waiting for the reply to the final ".".
    pub data: Duration,
}

impl SendTimeouts {
    /// The same limit for every step.
    pub fn uniform(limit: Duration) -> Self {
        Self {
            session: Timeouts::uniform(limit),
            command: limit,
            data: limit,
        }
    }
}

impl Default for SendTimeouts {
    fn default() -> Self {
        Self {
            session: Timeouts::default(),
            command: Duration::from_secs(120),
            data: Duration::from_secs(300),
        }
    }
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// For the message as a whole.
    pub attempt: Attempt,
    /// The server's queue id, from its final 250 reply.
    pub server_queue_id: Option<String>,
    /// Recipients refused for good, with the server's reply.
    pub refused: Vec<(String, Reply)>,
    /// Recipients refused for now: to try again.
    pub deferred: Vec<(String, Reply)>,
}

impl Outcome {
    /// An outcome for the message as a whole, with no per-recipient detail.
    pub fn whole(attempt: Attempt) -> Self {
        Self {
            attempt,
            server_queue_id: None,
            refused: vec![],
            deferred: vec![],
        }
    }
}

/// The server's queue id from a reply such as `250 2.0.0 Ok: queued as 4F2A1`.
pub fn queue_id(reply: &Reply) -> Option<String> {
    let text = reply.text();
    let lower = text.to_ascii_lowercase();
    let at = lower.find("queued as ").map(|i| i + "queued as ".len())?;
    text[at..]
        .split_whitespace()
        .next()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        })
        .filter(|w| !w.is_empty())
}

fn from_verify(e: &CheckError) -> Attempt {
    use CheckError as E;
    match e {
        E::Dns(DnsError::NotFound { .. } | DnsError::NoRecords { .. }) => {
            Attempt::Setup(AccountProblem::ServerName(e.clone()))
        }
        E::Dns(_) | E::Unreachable { .. } => Attempt::Offline(trouble(e)),
        E::Refused { .. }
        | E::ConnectTimeout { .. }
        | E::Timeout { .. }
        | E::Closed { .. }
        | E::Protocol { .. }
        | E::Local { .. } => Attempt::Network(trouble(e)),
        // A proxy that is not running yet, or cannot reach the server now, may later.
        E::Proxy(p)
            if matches!(
                **p,
                ProxyError::Unreachable { .. } | ProxyError::Onward { .. }
            ) =>
        {
            Attempt::Network(trouble(e))
        }
        E::Rejected { reply, .. } if reply.is_transient() => Attempt::Reply(reply.clone()),
        E::AuthFailed(reply) => Attempt::Auth(reply.clone()),
        _ => Attempt::Setup(AccountProblem::Connection(e.clone())),
    }
}

/// A connection's failure as the history keeps it.
fn trouble(e: &CheckError) -> Trouble {
    Trouble::new(e.kind(), || e.to_string())
}

/// A command that failed without a reply, or got none in time.
fn no_reply(what: &str, error: Option<&SmtpError>, limit: Duration) -> Trouble {
    match error {
        Some(e) => Trouble::new("connection_lost", || {
            tr!("what-error", what = what, error = e.to_string())
        }),
        None => Trouble::new("timeout", || {
            tr!("what-no-answer", what = what, seconds = limit.as_secs())
        }),
    }
}

/// A reply missing where one was due.
fn missing(say: impl Fn() -> String) -> Attempt {
    Attempt::Network(Trouble::new("protocol", say))
}

async fn timed<T>(
    limit: Duration,
    what: &str,
    work: impl Future<Output = Result<T, SmtpError>>,
) -> Result<T, Attempt> {
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(SmtpError::Reply(r))) => Err(Attempt::Reply(r)),
        Ok(Err(e)) => Err(Attempt::Network(no_reply(what, Some(&e), limit))),
        Err(_) => Err(Attempt::Network(no_reply(what, None, limit))),
    }
}

/// An open, logged-in connection to an account's server, reusable for several messages.
pub struct Session {
    conn: SmtpConn,
    size_limit: Option<u64>,
    /// What EHLO said of SIZE: the limit, 0 for none named; `None` when it said nothing.
    announced: Option<u64>,
    pipelining: bool,
    eight_bit_mime: bool,
    smtputf8: bool,
    needs_reset: bool,
}

impl Session {
    /// Connects, encrypts and logs in as the account says.
    pub async fn open(
        net: &Net,
        account: &Account,
        secret: Option<&Secret>,
        t: SendTimeouts,
    ) -> Result<Self, Attempt> {
        let net = &net.via(account.proxy.as_ref());
        let check = Check {
            net,
            settings: &account.smtp,
            secret,
            allow_plaintext_auth: account.allow_plaintext_auth,
            pin: account.pinned_certificate.as_ref(),
            timeouts: t.session,
            // The log has the conversation at debug level; nobody asked to keep it.
            transcript: None,
        };
        let (report, conn) = check::open_session(check).await;
        let Some(conn) = conn else {
            return Err(report
                .failure()
                .map(|(_, e)| from_verify(e))
                .unwrap_or_else(|| missing(|| tr!("connection-failed"))));
        };
        let caps = report.capabilities.as_ref();
        let size_limit = caps.and_then(|c| c.size).filter(|s| *s > 0);
        Ok(Self {
            conn,
            size_limit,
            announced: caps.and_then(|c| c.size),
            pipelining: caps.is_some_and(|c| c.pipelining),
            eight_bit_mime: caps.is_some_and(|c| c.eight_bit_mime),
            smtputf8: caps.is_some_and(|c| c.smtputf8),
            needs_reset: false,
        })
    }

    /// The message size the server announced (SIZE, RFC 1870; 0: no limit named), if it did.
    pub fn announced_size(&self) -> Option<u64> {
        self.announced
    }

    /// Sends one message. After an outcome that is not a reply from the server, the
    /// connection is not fit for another message: drop the session.
    ///
    /// `gate` begins once the envelope is on its way (while the server answers it) and is
    /// asked before any byte of the message is sent; when it says no, the message is not sent
    /// (`None`), and the connection, left in the middle of a transaction, must be dropped. It
    /// may not begin at all when the transaction ends before its envelope, nor be asked when
    /// the envelope's replies do not come.
    pub async fn send(
        &mut self,
        envelope_from: &str,
        recipients: &[String],
        message: &[u8],
        t: SendTimeouts,
        gate: &mut impl Gate,
    ) -> Option<Outcome> {
        // UTF-8 in the header or an address: as it is with SMTPUTF8, else encoded in 7 bits
        // (an address that cannot be is refused for good, without sending).
        let utf8 = downgrade::header_is_8bit(message)
            || !envelope_from.is_ascii()
            || recipients.iter().any(|r| !r.is_ascii());
        let downgraded;
        let message = match (utf8, self.smtputf8) {
            (true, false) => {
                let non_ascii = std::iter::once(envelope_from)
                    .chain(recipients.iter().map(String::as_str))
                    .find(|a| !a.is_ascii());
                let result = match non_ascii {
                    Some(a) => Err(downgrade::NeedsSmtputf8(a.to_string())),
                    None => downgrade::downgrade(message),
                };
                match result {
                    Ok(bytes) => {
                        downgraded = bytes;
                        &downgraded[..]
                    }
                    Err(e) => {
                        // RFC 6531 §3.5: 553 5.6.7 for what needs SMTPUTF8.
                        let reply = format!("553 5.6.7 {e}");
                        #[expect(clippy::expect_used, reason = "the reply made above is valid")]
                        let reply = reply.parse().expect("a valid reply");
                        return Some(Outcome::whole(Attempt::Reply(reply)));
                    }
                }
            }
            _ => message,
        };
        // 8-bit text for a server without 8BITMIME: as quoted-printable (RFC 6152).
        let seven;
        let message = if !self.eight_bit_mime && downgrade::is_8bit(message) {
            seven = seven_bit::seven_bit(message);
            &seven[..]
        } else {
            message
        };
        if let Some(limit) = self.size_limit
            && message.len() as u64 > limit
        {
            // Refused for good without sending, in the server's own terms (RFC 1870).
            let reply = format!(
                "552 5.3.4 the message is {} bytes and this server accepts at most {limit} \
                 (announced in its EHLO); Outpost did not send it",
                message.len()
            );
            #[expect(clippy::expect_used, reason = "the reply made above is a valid reply")]
            let reply = reply.parse().expect("a valid reply");
            return Some(Outcome::whole(Attempt::Reply(reply)));
        }
        if self.needs_reset {
            // A clean slate after a transaction that did not complete.
            match timed(t.command, "RSET", self.conn.command(Command::Rset)).await {
                Ok(r) if r.code == 250 => {}
                Ok(r) => return Some(Outcome::whole(Attempt::Reply(r))),
                Err(a) => return Some(Outcome::whole(a)),
            }
        }
        let envelope = Envelope {
            from: envelope_from,
            recipients,
            size: self.size_limit.is_some().then_some(message.len()),
            pipelining: self.pipelining,
            eight_bit: self.eight_bit_mime && downgrade::is_8bit(message),
            smtputf8: utf8 && self.smtputf8,
        };
        let outcome = transaction(&mut self.conn, &envelope, message, t, gate).await?;
        // A completed DATA resets the server's state; anything else may leave a transaction.
        self.needs_reset = !matches!(&outcome.attempt, Attempt::Reply(r) if r.is_positive());
        Some(outcome)
    }

    /// Says goodbye, briefly. A server that does not answer is left as it is: the messages
    /// are recorded already.
    pub async fn close(mut self) {
        tokio::time::timeout(Duration::from_secs(5), self.conn.quit())
            .await
            .ok();
    }
}

/// Whether a session may carry another message after this outcome.
pub fn reusable(outcome: &Outcome) -> bool {
    matches!(outcome.attempt, Attempt::Reply(_))
}

/// Ends a transaction that will not complete. A failed RSET is no news: the session is
/// reset again before its next message, or dropped.
async fn reset(conn: &mut SmtpConn, t: SendTimeouts) {
    timed(t.command, "RSET", conn.command(Command::Rset))
        .await
        .ok();
}

/// What must be done before a message's bytes are sent, overlapping the server's answer to
/// its envelope (see [`Session::send`]).
pub trait Gate: Send {
    /// The envelope is on its way: start the work.
    fn begin(&mut self);
    /// Whether the message may be sent, once the work has finished.
    fn proceed(&mut self) -> impl Future<Output = bool> + Send;
}

/// The envelope of one transaction.
struct Envelope<'a> {
    from: &'a str,
    recipients: &'a [String],
    /// Announce the size (the server offers SIZE).
    size: Option<usize>,
    /// Send MAIL, RCPT and DATA in one write (the server offers PIPELINING).
    pipelining: bool,
    /// Say BODY=8BITMIME (8-bit bytes, and the server offers it).
    eight_bit: bool,
    /// Say SMTPUTF8 (UTF-8 in the header or an address, and the server offers it).
    smtputf8: bool,
}

/// MAIL and each RCPT (and DATA, when pipelining) sent, and their replies in order; with
/// PIPELINING in one write, else one by one, stopping when MAIL is refused. `gate` works
/// while the server answers the pipelined envelope (without PIPELINING: before MAIL); what
/// it said is returned.
async fn envelope_replies(
    conn: &mut SmtpConn,
    e: &Envelope<'_>,
    t: SendTimeouts,
    gate: &mut impl Gate,
) -> Result<(Vec<Reply>, bool), Outcome> {
    let mail = Command::Mail {
        from: e.from,
        size: e.size,
        eight_bit: e.eight_bit,
        smtputf8: e.smtputf8,
    };
    let rcpts = e.recipients.iter().map(|to| Command::Rcpt { to });
    if e.pipelining {
        let mut commands = vec![mail];
        commands.extend(rcpts);
        commands.push(Command::Data);
        let pipelined = conn.pipeline_meanwhile(&commands, || gate.begin());
        let Ok((replies, error)) = tokio::time::timeout(t.command, pipelined).await else {
            return Err(Outcome::whole(Attempt::Network(no_reply(
                "MAIL/RCPT/DATA",
                None,
                t.command,
            ))));
        };
        if let Some(e) = error {
            // A server closing down says so (421) before it hangs up: keep its words.
            let closing = replies.iter().find(|r| r.code == 421).cloned();
            return Err(Outcome::whole(closing.map_or_else(
                || Attempt::Network(no_reply("MAIL/RCPT/DATA", Some(&e), t.command)),
                Attempt::Reply,
            )));
        }
        return Ok((replies, gate.proceed().await));
    }
    gate.begin();
    let go = gate.proceed().await;
    let mut replies = Vec::new();
    for command in std::iter::once(mail).chain(rcpts) {
        match timed(t.command, command.verb(), conn.command(command)).await {
            Ok(r) => {
                let stop = replies.is_empty() && r.code != 250;
                replies.push(r);
                if stop {
                    break;
                }
            }
            Err(a) => return Err(Outcome::whole(a)),
        }
    }
    Ok((replies, go))
}

/// One transaction; `None` when `gate` held the message back (the connection is then in
/// the middle of a transaction).
async fn transaction(
    conn: &mut SmtpConn,
    e: &Envelope<'_>,
    message: &[u8],
    t: SendTimeouts,
    gate: &mut impl Gate,
) -> Option<Outcome> {
    let (replies, go) = match envelope_replies(conn, e, t, gate).await {
        Ok(replies) => replies,
        Err(outcome) => return Some(outcome),
    };
    if !go {
        return None;
    }
    Some(transaction_replied(conn, e, message, t, replies).await)
}

/// The rest of a transaction, once the envelope's replies are in.
async fn transaction_replied(
    conn: &mut SmtpConn,
    e: &Envelope<'_>,
    message: &[u8],
    t: SendTimeouts,
    replies: Vec<Reply>,
) -> Outcome {
    let mut replies = replies.into_iter();
    match replies.next() {
        Some(r) if r.code == 250 => {}
        Some(r) => {
            if e.pipelining {
                reset(conn, t).await;
            }
            return Outcome::whole(Attempt::Reply(r));
        }
        None => return Outcome::whole(missing(|| tr!("no-reply-to-mail"))),
    }
    let (mut accepted, mut refused, mut deferred) = (0, vec![], vec![]);
    for rcpt in e.recipients {
        match replies.next() {
            Some(r) if r.code == 250 || r.code == 251 => accepted += 1,
            Some(r) if r.is_transient() => deferred.push((rcpt.clone(), r)),
            Some(r) => refused.push((rcpt.clone(), r)),
            None => return Outcome::whole(missing(|| tr!("missing-rcpt-reply"))),
        }
    }
    let data_reply = replies.next();
    let with = |attempt, server_queue_id| Outcome {
        attempt,
        server_queue_id,
        refused: refused.clone(),
        deferred: deferred.clone(),
    };
    if accepted == 0 {
        reset(conn, t).await;
        // Nothing to send now: the first deferral decides a retry, else the first refusal.
        let first = deferred.first().or(refused.first()).map(|(_, r)| r.clone());
        let attempt = first.map_or_else(|| missing(|| tr!("no-recipient")), Attempt::Reply);
        return with(attempt, None);
    }
    let data = match data_reply {
        Some(r) => Ok(r),
        None => timed(t.command, "DATA", conn.command(Command::Data)).await,
    };
    match data {
        Ok(r) if r.code == 354 => {}
        Ok(r) => return with(Attempt::Reply(r), None),
        Err(a) => return with(a, None),
    }
    let sent = tokio::time::timeout(t.data, async {
        conn.send_data(message).await?;
        conn.read_reply().await
    })
    .await;
    match sent {
        Ok(Ok(r)) => {
            let id = queue_id(&r);
            with(Attempt::Reply(r), id)
        }
        // The whole message was written: the server may have taken it before breaking off.
        Ok(Err(e)) => with(
            Attempt::Ambiguous(Trouble::new("connection_lost", || {
                tr!("after-final-dot", error = e.to_string())
            })),
            None,
        ),
        Err(_) => with(
            Attempt::Ambiguous(Trouble::new("timeout", || {
                tr!("no-reply-final-dot", seconds = t.data.as_secs())
            })),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_ids_are_read_from_common_replies() {
        let id = |s: &str| queue_id(&s.parse().unwrap());
        assert_eq!(id("250 2.0.0 Ok: queued as 4F2A1B"), Some("4F2A1B".into()));
        assert_eq!(id("250 OK queued as <abc123>"), Some("abc123".into()));
        assert_eq!(id("250 2.0.0 OK 1700000000 x1si"), None);
    }
}
