//! The background sender: one worker per data dir (a lock), one lane per account (a message
//! waiting on one account never holds up another), leases so that a crash leaves messages
//! retryable, and every outcome written to the queue before the next step.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::policy::{self, Attempt, Decision, Setup};
use super::send::{self, Gate, Outcome, SendTimeouts, Session};
use super::store::{Claimed, Outbox, OutboxError, RetryKind};
use crate::account::{Account, AccountStore, AuthMethod, secrets};
use crate::clock::{Millis, now_ms, relative};
use crate::explain::Explain;
use crate::net::Net;
use crate::net::smtp::Meaning;
use crate::oauth;
use crate::paths::Paths;
use crate::secret::Secret;

/// How long a claimed message stays leased; a worker that dies releases it after this.
pub const LEASE: Duration = Duration::from_secs(15 * 60);

/// The worker could not run.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// Another worker sends from this outbox.
    #[error("{}", tr!("worker-already-running", detail = .0.as_str()))]
    AlreadyRunning(String),
    /// The lock file could not be used.
    #[error("{}", tr!("worker-lock", path = .path.as_str(), error = .source.to_string()))]
    Lock {
        /// The lock file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The queue failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// Held while this process is the outbox's worker.
#[derive(Debug)]
pub struct WorkerLock {
    _file: File,
}

/// Becomes the one worker for `paths`, or says who is.
pub fn lock(paths: &Paths) -> Result<WorkerLock, WorkerError> {
    let path = paths.worker_lock_file();
    let lock_err = |source| WorkerError::Lock {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&paths.data_dir).map_err(lock_err)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(lock_err)?;
    match file.try_lock() {
        Ok(()) => Ok(WorkerLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(WorkerError::AlreadyRunning(path.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(lock_err(e)),
    }
}

/// What the worker did, for the window and the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerEvent {
    /// Sending message `id` started.
    Sending(i64),
    /// Message `id` was accepted.
    Sent {
        /// Queue id.
        id: i64,
        /// The server's reply.
        reply: String,
    },
    /// Message `id` waits until `at`.
    Retry {
        /// Queue id.
        id: i64,
        /// When it is due.
        at: Millis,
        /// Why.
        reason: String,
    },
    /// Message `id` was refused for good.
    Failed {
        /// Queue id.
        id: i64,
        /// Why.
        reason: String,
    },
    /// One recipient of message `id` was refused for good.
    RecipientRefused {
        /// Queue id.
        id: i64,
        /// The address.
        recipient: String,
        /// The server's reply.
        reply: String,
    },
    /// Sending for an account stopped until the person acts.
    Paused {
        /// The account's id.
        account: String,
        /// What to do.
        reason: String,
    },
}

impl std::fmt::Display for WorkerEvent {
    /// The one way the window's status line, the command line and notifications say it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerEvent::Sending(id) => f.write_str(&tr!("event-sending", id = *id)),
            // The server's reply is in the message's history (`queue show`, Details).
            WorkerEvent::Sent { id, .. } => f.write_str(&tr!("event-sent", id = *id)),
            WorkerEvent::Retry { id, at, reason } => f.write_str(&tr!(
                "event-retry",
                id = *id,
                when = relative(*at),
                reason = reason.as_str()
            )),
            WorkerEvent::Failed { id, reason } => {
                f.write_str(&tr!("event-failed", id = *id, reason = reason.as_str()))
            }
            WorkerEvent::RecipientRefused {
                id,
                recipient,
                reply,
            } => f.write_str(&tr!(
                "event-recipient-refused",
                id = *id,
                recipient = recipient.as_str(),
                reply = reply.as_str()
            )),
            WorkerEvent::Paused { reason, .. } => {
                f.write_str(&tr!("event-paused", reason = reason.as_str()))
            }
        }
    }
}

/// Tells the collector in [`Worker::serve`]; it drains until every lane has ended, so no
/// event of a running lane is lost.
fn tell(events: &mpsc::UnboundedSender<WorkerEvent>, event: WorkerEvent) {
    events.send(event).ok();
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX)
}

/// How often to look for the network while messages wait for it.
const NETWORK_CHECK: Duration = Duration::from_secs(3);

/// Messages a lane claims at once; their outcomes reach the disk together.
pub const BATCH: usize = 128;

/// How often lanes' events are interrupted to look for messages of accounts without one.
const LOOK_AGAIN: Duration = Duration::from_millis(250);

/// Lanes (connections) at most per account.
pub const LANES_PER_ACCOUNT: usize = 2;

/// Sends from the outbox of `paths`.
#[derive(Clone)]
pub struct Worker {
    net: Net,
    paths: Paths,
    timeouts: SendTimeouts,
    lifetime: Duration,
}

impl Worker {
    /// A worker over `net` for the files in `paths`.
    pub fn new(net: Net, paths: Paths) -> Self {
        Self {
            net,
            paths,
            timeouts: SendTimeouts::default(),
            lifetime: policy::DEFAULT_LIFETIME,
        }
    }

    /// Replaces the time limits.
    pub fn with_timeouts(mut self, timeouts: SendTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Replaces how long a message may keep failing before Outpost gives up.
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sends every message that is due now, each account in its own lanes (at most
    /// [`LANES_PER_ACCOUNT`] connections, each reused for the account's next messages), and
    /// returns when none is left that can be sent now (others may wait for a retry or a
    /// paused account). The caller must hold the worker lock ([`lock`]).
    pub async fn run_until_empty(
        &self,
        mut on_event: impl FnMut(WorkerEvent),
    ) -> Result<(), WorkerError> {
        let outbox = Outbox::open(&self.paths.outbox_file())?;
        // The caller holds the worker lock: whatever is "sending" was left by a dead worker.
        outbox.release_leases()?;
        outbox.defer_sync()?;
        // One connection for every lane: writes wait their turn here, not in SQLite's
        // lock, whose busy handler sleeps for milliseconds at a time.
        let outbox = Arc::new(Mutex::new(outbox));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut lanes: JoinSet<(String, Result<(), WorkerError>)> = JoinSet::new();
        let mut busy: HashMap<String, usize> = HashMap::new();
        loop {
            // Give each account with messages due and a lane free a lane.
            loop {
                let full: Vec<String> = busy
                    .iter()
                    .filter(|(_, n)| **n >= LANES_PER_ACCOUNT)
                    .map(|(a, _)| a.clone())
                    .collect();
                let Some(claimed) = locked(&outbox).claim_due(LEASE, None, &full)? else {
                    break;
                };
                *busy.entry(claimed.account.clone()).or_default() += 1;
                let (worker, tx, outbox) = (self.clone(), tx.clone(), outbox.clone());
                lanes.spawn(async move {
                    let account = claimed.account.clone();
                    (account, worker.lane(&outbox, claimed, tx).await)
                });
            }
            // Then pass on what the lanes say until one ends, or for a while: another
            // account's messages may have come meanwhile. (Looking after every event would
            // cost a query per message under the write lock.)
            let look_again = tokio::time::sleep(LOOK_AGAIN);
            tokio::pin!(look_again);
            loop {
                tokio::select! {
                    Some(event) = rx.recv() => on_event(event),
                    () = &mut look_again => break,
                    done = lanes.join_next() => match done {
                        None => {
                            while let Ok(event) = rx.try_recv() {
                                on_event(event);
                            }
                            return Ok(());
                        }
                        Some(result) => {
                            let (account, result) = result.expect("a lane does not panic");
                            if let Some(n) = busy.get_mut(&account) {
                                *n -= 1;
                            }
                            result?;
                            break;
                        }
                    },
                }
            }
        }
    }

    /// One message over the lane's session, opening it when needed and dropping it when it
    /// is no longer fit for another message; `None` when `gate` held it back (see
    /// [`Session::send`]).
    async fn send_one(
        &self,
        loaded: &Result<(Account, Option<Secret>), Setup>,
        session: &mut Option<Session>,
        c: &Claimed,
        gate: &mut Gate<'_>,
    ) -> Option<Outcome> {
        let whole = |attempt| Some(Outcome::whole(attempt));
        let (account, secret) = match loaded {
            Err(why) => return whole(Attempt::Setup(why.clone())),
            Ok(pair) => pair,
        };
        let mut s = match session.take() {
            Some(s) => s,
            None => {
                let secret = match login_secret(&self.net, account, secret).await {
                    Ok(s) => s,
                    Err(a) => return whole(a),
                };
                match Session::open(&self.net, account, secret.as_ref(), self.timeouts).await {
                    Ok(s) => s,
                    // A refused token asks for the browser, not for a password.
                    Err(Attempt::Auth(r))
                        if account.smtp.auth == AuthMethod::Oauth2 && !r.is_transient() =>
                    {
                        return whole(Attempt::Setup(Setup::TokenRefused(r)));
                    }
                    Err(a) => return whole(a),
                }
            }
        };
        let o = s
            .send(
                &c.envelope_from,
                &c.recipients,
                &c.bytes,
                self.timeouts,
                gate,
            )
            .await?;
        if send::reusable(&o) {
            *session = Some(s);
        }
        Some(o)
    }

    /// One connection's work: `first`, then the account's next due messages, claimed in
    /// batches and sent over the same connection while it stays usable.
    ///
    /// Each outcome is written without waiting for it: while the server answers the next
    /// message's envelope, and always before that message's bytes go out. So a worker killed
    /// at any moment has at most one message per lane that the server took and the queue
    /// does not know of, which is sent again. Those writes reach the disk once per batch
    /// ([`Outbox::sync`]): a power cut sends again at most one batch.
    async fn lane(
        &self,
        outbox: &Mutex<Outbox>,
        first: Claimed,
        events: mpsc::UnboundedSender<WorkerEvent>,
    ) -> Result<(), WorkerError> {
        let account_id = first.account.clone();
        let loaded = load_account(&self.paths, &account_id).await;
        let mut session: Option<Session> = None;
        let mut batch = vec![first];
        // Once the account is held or paused, the rest of the batch waits with it, unsent:
        // the attempt that stopped it.
        let mut stopped: Option<Attempt> = None;
        // The last outcome, not written yet.
        let mut unwritten: Option<(Claimed, Outcome)> = None;
        while !batch.is_empty() && stopped.is_none() {
            for c in std::mem::take(&mut batch) {
                let sent = if stopped.is_none() {
                    tell(&events, WorkerEvent::Sending(c.id));
                    let mut written = None;
                    let sent = {
                        let mut gate = || {
                            let w = self.write(outbox, unwritten.take(), &events);
                            let go = matches!(w, Ok(None));
                            written = Some(w);
                            go
                        };
                        self.send_one(&loaded, &mut session, &c, &mut gate).await
                    };
                    // Without a gate (the attempt ended before its envelope): write it now.
                    stopped =
                        written.unwrap_or_else(|| self.write(outbox, unwritten.take(), &events))?;
                    sent
                } else {
                    None
                };
                let outcome = match (sent, &stopped) {
                    (Some(outcome), None) => outcome,
                    // Not sent (its bytes wait for the gate, which said no): it waits with
                    // the account; its connection may be in the middle of a transaction.
                    (_, Some(attempt)) => {
                        session = None;
                        Outcome::whole(attempt.clone())
                    }
                    (None, None) => unreachable!("the gate holds a message back only when stopped"),
                };
                unwritten = Some((c, outcome));
                if session.is_none() {
                    // The next message needs a new connection first: write this one now.
                    stopped = stopped.or(self.write(outbox, unwritten.take(), &events)?);
                }
            }
            stopped = stopped.or(self.write(outbox, unwritten.take(), &events)?);
            let mut outbox = locked(outbox);
            outbox.sync()?;
            if stopped.is_none() {
                batch = outbox.claim_batch(LEASE, Some(&account_id), &[], BATCH)?;
            }
        }
        if let Some(s) = session {
            s.close().await;
        }
        Ok(())
    }

    /// Writes `unwritten`, if any; the attempt that stopped the account, if it did.
    fn write(
        &self,
        outbox: &Mutex<Outbox>,
        unwritten: Option<(Claimed, Outcome)>,
        events: &mpsc::UnboundedSender<WorkerEvent>,
    ) -> Result<Option<Attempt>, OutboxError> {
        let Some((c, outcome)) = unwritten else {
            return Ok(None);
        };
        let attempt = outcome.attempt.clone();
        let stopped = locked(outbox).batch(|o| self.record(o, &c, outcome, events))?;
        Ok(stopped.then_some(attempt))
    }

    /// Sends for as long as the process runs: whatever is due, then sleeps until the next
    /// message is due (at most `idle`), a wake-up arrives ([`super::wake::notify`]), or
    /// `nudge` is notified. The caller must hold the worker lock.
    pub async fn serve(
        &self,
        idle: Duration,
        nudge: &tokio::sync::Notify,
        mut on_event: impl FnMut(WorkerEvent),
    ) -> Result<(), WorkerError> {
        let listener = super::wake::Listener::bind(&self.paths);
        loop {
            self.run_until_empty(&mut on_event).await?;
            let outbox = Outbox::open(&self.paths.outbox_file())?;
            let offline = outbox.offline_accounts()?;
            // While messages wait for the network, look for it every few seconds.
            let idle = if offline.is_empty() {
                idle
            } else {
                NETWORK_CHECK.min(idle)
            };
            let wait = outbox.next_due()?.map_or(idle, |at| {
                Duration::from_millis((at - now_ms()).clamp(0, idle.as_millis() as i64) as u64)
            });
            tokio::select! {
                _ = listener.wait(wait) => {}
                _ = nudge.notified() => {}
            }
            for account in offline {
                if self.server_reachable(&account).await {
                    outbox.online_again(&account)?;
                }
            }
        }
    }

    /// Whether the account's server can be looked up again (the network is back).
    async fn server_reachable(&self, account: &str) -> bool {
        // Only the server's name is needed: no keyring access every few seconds.
        let Ok(account) = find_account(&self.paths, account) else {
            return false;
        };
        tokio::time::timeout(
            Duration::from_secs(3),
            self.net.resolver.lookup_ip(&account.smtp.host),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    }

    /// Writes the outcome of an attempt to the queue; true when the account got paused.
    fn record(
        &self,
        outbox: &Outbox,
        c: &Claimed,
        outcome: Outcome,
        events: &mpsc::UnboundedSender<WorkerEvent>,
    ) -> Result<bool, OutboxError> {
        let on_event = |e| tell(events, e);
        let age = Duration::from_millis((now_ms() - c.created_ms).max(0) as u64);
        for (rcpt, reply) in &outcome.refused {
            outbox.note(
                c.id,
                &tr!(
                    "note-recipient-refused",
                    recipient = rcpt.as_str(),
                    reply = reply.to_string()
                ),
            )?;
            on_event(WorkerEvent::RecipientRefused {
                id: c.id,
                recipient: rcpt.clone(),
                reply: reply.to_string(),
            });
        }
        let decision = policy::decide(&outcome.attempt, c.attempts, age, self.lifetime, jitter());
        let reason = match &outcome.attempt {
            Attempt::Reply(r) | Attempt::Auth(r) => r.to_string(),
            Attempt::Network(e) | Attempt::Offline(e) => e.clone(),
            Attempt::Setup(e) => e.to_string(),
            Attempt::Ambiguous(e) => {
                tr!("maybe-sent-again", error = e.as_str())
            }
        };
        match decision {
            Decision::Sent if !outcome.deferred.is_empty() => {
                let later: Vec<String> = outcome.deferred.iter().map(|(r, _)| r.clone()).collect();
                let why = outcome.deferred[0].1.to_string();
                // "Too many recipients": the rest go in the next round at once, uncounted.
                let next_round = outcome
                    .deferred
                    .iter()
                    .all(|(_, r)| Meaning::of(r) == Meaning::TooManyRecipients);
                let (said, at, kind) = if next_round {
                    (
                        tr!(
                            "next-round",
                            sent = c.recipients.len() - later.len(),
                            later = later.len()
                        ),
                        now_ms(),
                        RetryKind::Paused,
                    )
                } else {
                    let wait = policy::backoff(c.attempts, false, jitter());
                    (
                        tr!("sent-to-others", count = later.len(), why = why.as_str()),
                        now_ms() + wait.as_millis() as i64,
                        RetryKind::Counted,
                    )
                };
                outbox.set_recipients(c.id, &later, &said)?;
                outbox.mark_retry(c.id, at, &why, kind)?;
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at,
                    reason: why,
                });
            }
            Decision::Sent => {
                let mut text = reason.clone();
                if !outcome.refused.is_empty() {
                    let names: Vec<&str> =
                        outcome.refused.iter().map(|(r, _)| r.as_str()).collect();
                    text = tr!("sent-refused", text = text, names = names.join(", "));
                }
                outbox.mark_sent(c.id, &text, outcome.server_queue_id.as_deref())?;
                on_event(WorkerEvent::Sent {
                    id: c.id,
                    reply: text,
                });
            }
            Decision::Retry(wait) => {
                let at = now_ms() + wait.as_millis() as i64;
                let kind = match outcome.attempt {
                    Attempt::Offline(_) => RetryKind::Offline,
                    Attempt::Ambiguous(_) => RetryKind::MaybeSent,
                    _ => RetryKind::Counted,
                };
                outbox.mark_retry(c.id, at, &reason, kind)?;
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at,
                    reason,
                });
            }
            Decision::Failed(why) => {
                outbox.mark_failed(c.id, &why)?;
                if let Attempt::Reply(r) = &outcome.attempt
                    && Meaning::of(r) == Meaning::SenderNotAllowed
                {
                    // The identity says so until it is changed (allowed at the provider). Not
                    // noted, only the mark is lost: the message's history has the words.
                    let store = AccountStore::new(self.paths.accounts_file());
                    let _noted = store.note_refused_identity(&c.account, &c.envelope_from, &why);
                }
                on_event(WorkerEvent::Failed {
                    id: c.id,
                    reason: why,
                });
            }
            Decision::HoldAccount(wait, why) => {
                let at = now_ms() + wait.as_millis() as i64;
                let why = tr!("resumes-at", why = why, when = crate::clock::local(at));
                outbox.hold_account(&c.account, at)?;
                outbox.mark_retry(c.id, at, &why, RetryKind::Paused)?;
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at,
                    reason: why,
                });
                return Ok(true);
            }
            Decision::NeedsUser(why) => {
                outbox.pause(&c.account, &why)?;
                outbox.mark_retry(c.id, now_ms(), &why, RetryKind::Paused)?;
                on_event(WorkerEvent::Paused {
                    account: c.account.clone(),
                    reason: why,
                });
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The worker's one connection to the queue, held for one change at a time (never across an
/// await).
fn locked(outbox: &Mutex<Outbox>) -> MutexGuard<'_, Outbox> {
    outbox.lock().expect("a lane does not panic")
}

/// What the login sends: for an OAuth2 sign-in a fresh access token, refreshed before
/// sending when due. A revoked sign-in pauses the account (no retry is used up); a provider
/// that cannot be reached is retried like a server.
async fn login_secret(
    net: &Net,
    account: &Account,
    secret: &Option<Secret>,
) -> Result<Option<Secret>, Attempt> {
    let Some(stored) = secret
        .as_ref()
        .filter(|_| account.smtp.auth == AuthMethod::Oauth2)
    else {
        return Ok(secret.clone());
    };
    match oauth::access_token(net, account, stored).await {
        Ok(token) => Ok(Some(token)),
        Err(e) if e.is_transient() => Err(Attempt::Network(e.to_string())),
        Err(e) => Err(Attempt::Setup(Setup::SignIn(e.explain()))),
    }
}

/// The account with this id, or why it cannot send.
fn find_account(paths: &Paths, id: &str) -> Result<Account, Setup> {
    match AccountStore::new(paths.accounts_file()).load() {
        Ok(accs) => accs
            .accounts
            .into_iter()
            .find(|a| a.id.as_str() == id)
            .ok_or(Setup::AccountGone),
        Err(e) => Err(Setup::Accounts(e.explain())),
    }
}

/// The account with this id and its secret, or why it cannot send.
async fn load_account(paths: &Paths, id: &str) -> Result<(Account, Option<Secret>), Setup> {
    let account = find_account(paths, id)?;
    let acc = account.clone();
    let secret = tokio::task::spawn_blocking(move || secrets::for_account(&acc))
        .await
        .expect("reading the keyring does not panic");
    Ok((account, secret.map_err(Setup::Secret)?))
}
