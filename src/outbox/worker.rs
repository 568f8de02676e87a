//! The background sender: one worker per data dir (a lock), one lane per account (a message
//! waiting on one account never holds up another), leases so that a crash leaves messages
//! retryable, and every outcome written to the queue before the next step.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::blocking::Pending;

use super::filing;
use super::history::{Cause, CopyCause, Happening, Trouble};
use super::policy::jitter;
use super::policy::{self, AccountProblem, Attempt, Decision};
use super::retention;
use super::send::{self, Gate, Outcome, SendTimeouts, Session};
use super::store::{Claimed, Outbox, OutboxError, RetryKind, locked};
use super::wake::Wake;
use crate::account::{Account, AccountStore, AuthMethod, secrets};
use crate::clock::{Millis, now_ms, relative};
use crate::explain::{Explain, panic_text};
use crate::net::Net;
use crate::net::changes::NetworkChanges;
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

/// Which kind of sender holds the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The window's own sender.
    Window,
    /// `outpost run`, started by the person or a service.
    Run,
    /// The sender started on its own while messages wait (`outpost run --background`): it
    /// gives way to the window.
    Background,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Window => "window",
            Role::Run => "run",
            Role::Background => "background",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        [Role::Window, Role::Run, Role::Background]
            .into_iter()
            .find(|r| r.as_str() == word)
    }
}

/// Becomes the one worker for `paths` as `role`, or says who is. The lock file then says
/// which process sends, since when, and as what ([`sender`]).
pub fn lock(paths: &Paths, role: Role) -> Result<WorkerLock, WorkerError> {
    match open_lock(paths)? {
        (file, true) => claimed(paths, file, role),
        (_, false) => Err(WorkerError::AlreadyRunning(
            paths.worker_lock_file().display().to_string(),
        )),
    }
}

/// As [`lock`], waiting up to `patience` for the sender that holds the outbox to end (a
/// window closing, a sender finishing). Blocks: call off the async threads.
pub fn lock_waiting(
    paths: &Paths,
    role: Role,
    patience: Duration,
) -> Result<WorkerLock, WorkerError> {
    let began = std::time::Instant::now();
    loop {
        match lock(paths, role) {
            Err(WorkerError::AlreadyRunning(_)) if began.elapsed() < patience => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn lock_error(paths: &Paths) -> impl Fn(std::io::Error) -> WorkerError {
    let path = paths.worker_lock_file().display().to_string();
    move |source| WorkerError::Lock {
        path: path.clone(),
        source,
    }
}

/// The lock file, and whether this process now holds it.
fn open_lock(paths: &Paths) -> Result<(File, bool), WorkerError> {
    let lock_err = lock_error(paths);
    std::fs::create_dir_all(&paths.data_dir).map_err(&lock_err)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(paths.worker_lock_file())
        .map_err(&lock_err)?;
    match file.try_lock() {
        Ok(()) => Ok((file, true)),
        Err(std::fs::TryLockError::WouldBlock) => Ok((file, false)),
        Err(std::fs::TryLockError::Error(e)) => Err(lock_err(e)),
    }
}

/// Says in the lock file who holds it now.
fn claimed(paths: &Paths, mut file: File, role: Role) -> Result<WorkerLock, WorkerError> {
    let said = format!("{} {} {}\n", std::process::id(), now_ms(), role.as_str());
    file.set_len(0)
        .and_then(|()| std::io::Write::write_all(&mut file, said.as_bytes()))
        .map_err(lock_error(paths))?;
    Ok(WorkerLock { _file: file })
}

/// The process that sends from an outbox, as its lock file says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sender {
    /// Its process id.
    pub pid: Option<u32>,
    /// When it began sending.
    pub since_ms: Option<Millis>,
    /// Which kind of sender it is.
    pub role: Option<Role>,
}

/// The sender of the outbox of `paths`, if one runs (the window's, or `outpost run`):
/// whoever holds the worker lock. Nobody, when the lock can be had (it is let go at once).
pub fn sender(paths: &Paths) -> Option<Sender> {
    let mut file = OpenOptions::new()
        .read(true)
        .open(paths.worker_lock_file())
        .ok()?;
    match file.try_lock() {
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut said = String::new();
            let _unreadable = std::io::Read::read_to_string(&mut file, &mut said);
            let mut words = said.split_whitespace();
            Some(Sender {
                pid: words.next().and_then(|w| w.parse().ok()),
                since_ms: words.next().and_then(|w| w.parse().ok()),
                role: words.next().and_then(Role::parse),
            })
        }
        // Free (nobody sends), or not lockable here: no sender to tell of.
        Ok(()) | Err(_) => None,
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
    /// A bug stopped one lane (connection) of an account; the messages it held wait to be
    /// tried again, and the other lanes go on.
    LaneFailed {
        /// The account's id.
        account: String,
        /// What the bug said.
        bug: String,
    },
    /// Sending for an account stopped until the person acts.
    Paused {
        /// The account's id.
        account: String,
        /// What to do.
        reason: String,
    },
}

impl WorkerEvent {
    /// Whether it tells of a refusal for good (of the message, or of one recipient): what
    /// the desktop is told.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            WorkerEvent::Failed { .. } | WorkerEvent::RecipientRefused { .. }
        )
    }
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
            WorkerEvent::LaneFailed { bug, .. } => {
                f.write_str(&tr!("event-lane-failed", bug = bug.as_str()))
            }
        }
    }
}

/// Tells the collector in [`Worker::serve`]; it drains until every lane has ended, so no
/// event of a running lane is lost.
fn tell(events: &mpsc::UnboundedSender<WorkerEvent>, event: WorkerEvent) {
    match &event {
        WorkerEvent::Sending(_) => tracing::debug!("{event}"),
        WorkerEvent::Sent { reply, .. } => tracing::info!("{event}: {reply}"),
        WorkerEvent::Retry { .. } => tracing::info!("{event}"),
        WorkerEvent::Failed { .. }
        | WorkerEvent::RecipientRefused { .. }
        | WorkerEvent::Paused { .. } => tracing::warn!("{event}"),
        WorkerEvent::LaneFailed { account, .. } => tracing::error!("account {account}: {event}"),
    }
    // The collector drains until every lane has ended: a send fails only after that.
    let _collected = events.send(event);
}

/// How often to look for the network while messages wait for it, where the system does not
/// say when it changes.
const NETWORK_CHECK: Duration = Duration::from_secs(3);

/// Where the system says when the network changes, it is looked for all the same while
/// messages wait for it, for a failure no change on this computer ends (a name server that
/// was down): after [`NETWORK_CHECK`], then twice as long each time, up to this.
const OFFLINE_LOOK: Duration = Duration::from_secs(30 * 60);

/// How often a running sender lets go of old texts ([`super::retention`]).
const TIDY_EVERY: Duration = Duration::from_secs(60 * 60);

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
    /// Asked to stop: lanes finish the transaction in flight, claim nothing more, and end.
    stopping: Arc<AtomicBool>,
}

impl Worker {
    /// A worker over `net` for the files in `paths`.
    pub fn new(net: Net, paths: Paths) -> Self {
        Self {
            net,
            paths,
            timeouts: SendTimeouts::default(),
            lifetime: policy::DEFAULT_LIFETIME,
            stopping: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether it was asked to stop.
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
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
        let file = self.paths.outbox_file();
        let outbox = crate::blocking::run(move || -> Result<Outbox, OutboxError> {
            let outbox = Outbox::open(&file)?;
            // The caller holds the worker lock: whatever is "sending" was left by a dead worker.
            outbox.release_leases()?;
            outbox.release_copy_leases()?;
            outbox.defer_sync()?;
            Ok(outbox)
        })
        .await?;
        // One connection for every lane: writes wait their turn here, not in SQLite's
        // lock, whose busy handler sleeps for milliseconds at a time.
        let outbox = Arc::new(Mutex::new(outbox));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut lanes: JoinSet<Result<(), WorkerError>> = JoinSet::new();
        // Each lane's account and the messages it holds (claimed, outcome not written).
        let mut held: HashMap<tokio::task::Id, (String, InHand)> = HashMap::new();
        let mut busy: HashMap<String, usize> = HashMap::new();
        // The one task filing copies in Sent folders, beside the lanes, when copies are due:
        // while lanes send, only copies that waited a while (sending comes first).
        let mut filing: Option<tokio::task::Id> = None;
        loop {
            if filing.is_none() && !self.stopping() {
                let o = outbox.clone();
                let sending = busy.values().any(|n| *n > 0);
                let claim = move || {
                    let patience = if sending { filing::PATIENCE_MS } else { 0 };
                    locked(&o).claim_copies(
                        filing::COPY_LEASE,
                        filing::COPY_BATCH,
                        now_ms() - patience,
                    )
                };
                let jobs = crate::blocking::run(claim).await?;
                if !jobs.is_empty() {
                    let (worker, o) = (self.clone(), outbox.clone());
                    filing = Some(
                        lanes
                            .spawn(async move { worker.filing_lane(o, jobs).await })
                            .id(),
                    );
                }
            }
            // Give each account with messages due and a lane free a lane (none once stopping).
            while !self.stopping() {
                let full: Vec<String> = busy
                    .iter()
                    .filter(|(_, n)| **n >= LANES_PER_ACCOUNT)
                    .map(|(a, _)| a.clone())
                    .collect();
                let o = outbox.clone();
                let claim = move || locked(&o).claim_due(LEASE, None, &full);
                let Some(claimed) = crate::blocking::run(claim).await? else {
                    break;
                };
                let account = claimed.account.clone();
                *busy.entry(account.clone()).or_default() += 1;
                let in_hand = InHand::default();
                in_hand.take(claimed.id);
                let writes = Writes {
                    worker: Arc::new(self.clone()),
                    outbox: outbox.clone(),
                    events: tx.clone(),
                    in_hand: in_hand.clone(),
                    files_copy: Arc::new(AtomicBool::new(false)),
                };
                let worker = self.clone();
                let lane = lanes.spawn(async move { worker.lane(writes, claimed).await });
                held.insert(lane.id(), (account, in_hand));
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
                    done = lanes.join_next_with_id() => match done {
                        None => {
                            while let Ok(event) = rx.try_recv() {
                                on_event(event);
                            }
                            return Ok(());
                        }
                        Some(ended) => {
                            let id = match &ended {
                                Ok((id, _)) => *id,
                                Err(e) => e.id(),
                            };
                            if filing == Some(id) {
                                filing = None;
                                match ended {
                                    Ok((_, result)) => result?,
                                    // A bug while filing: the copies' leases run out and they
                                    // are filed again later.
                                    Err(e) => tracing::error!("filing copies ended: {e}"),
                                }
                                break;
                            }
                            let Some((account, in_hand)) = held.remove(&id) else {
                                continue;
                            };
                            if let Some(n) = busy.get_mut(&account) {
                                *n -= 1;
                            }
                            match ended {
                                Ok((_, result)) => result?,
                                Err(e) => {
                                    // A bug in this lane: only it ends; what it held waits.
                                    let bug = e.try_into_panic().map_or_else(
                                        |_| tr!("bug-no-detail"),
                                        |p| panic_text(p.as_ref()),
                                    );
                                    let (ids, o, words) = (in_hand.all(), outbox.clone(), bug.clone());
                                    let release = move || locked(&o).release_after_bug(&ids, &words);
                                    crate::blocking::run(release).await?;
                                    on_event(WorkerEvent::LaneFailed { account, bug });
                                }
                            }
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
        loaded: &Result<(Account, Option<Secret>), AccountProblem>,
        session: &mut Option<Session>,
        c: &Claimed,
        gate: &mut impl Gate,
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
                    Ok(s) => {
                        self.note_server_size(account, s.announced_size()).await;
                        s
                    }
                    // A refused token asks for the browser, not for a password.
                    Err(Attempt::Auth(r))
                        if account.smtp.auth == AuthMethod::Oauth2 && !r.is_transient() =>
                    {
                        return whole(Attempt::Setup(AccountProblem::TokenRefused(r)));
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
    /// Each outcome is written without waiting for it: on a blocking thread while the server
    /// answers the next message's envelope, and always before that message's bytes go out.
    /// So a worker killed at any moment has at most one message per lane that the server
    /// took and the queue does not know of, which is sent again. Those writes reach the disk
    /// once per batch ([`Outbox::sync`]): a power cut sends again at most one batch.
    async fn lane(&self, writes: Writes, first: Claimed) -> Result<(), WorkerError> {
        let account_id = first.account.clone();
        crate::fault::point_of("lane", &account_id);
        let loaded = load_account(&self.paths, &account_id, secrets::for_account).await;
        let files_copy = loaded
            .as_ref()
            .is_ok_and(|(a, _)| a.imap.as_ref().is_some_and(|i| i.sent_copy));
        writes.files_copy.store(files_copy, Ordering::Relaxed);
        let mut session: Option<Session> = None;
        let mut batch = vec![first];
        // Once the account is held or paused, the rest of the batch waits with it, unsent:
        // the attempt that stopped it.
        let mut stopped: Option<Attempt> = None;
        // The last outcome, not written yet.
        let mut unwritten: Option<(Claimed, Outcome)> = None;
        while !batch.is_empty() && stopped.is_none() {
            // Asked to stop: what this lane claimed and has not begun goes back to waiting.
            let mut left = vec![];
            for c in std::mem::take(&mut batch) {
                if self.stopping() {
                    left.push(c.id);
                    continue;
                }
                let sent = if stopped.is_none() {
                    tell(&writes.events, WorkerEvent::Sending(c.id));
                    let mut gate = WriteGate {
                        writes: &writes,
                        unwritten: &mut unwritten,
                        pending: None,
                        written: None,
                    };
                    let sent = self.send_one(&loaded, &mut session, &c, &mut gate).await;
                    let WriteGate {
                        pending, written, ..
                    } = gate;
                    // Written while the server answered; begun, but the replies did not come;
                    // or never begun (the attempt ended before its envelope): written now.
                    stopped = match (written, pending) {
                        (Some(w), _) => w?,
                        (None, Some(p)) => p.value().await?,
                        (None, None) => writes.write(unwritten.take()).await?,
                    };
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
                    stopped = stopped.or(writes.write(unwritten.take()).await?);
                }
            }
            stopped = stopped.or(writes.write(unwritten.take()).await?);
            let more = stopped.is_none() && !self.stopping();
            let (o, account, released) = (writes.outbox.clone(), account_id.clone(), left.clone());
            batch = crate::blocking::run(move || -> Result<Vec<Claimed>, OutboxError> {
                let mut outbox = locked(&o);
                outbox.release(&released)?;
                outbox.sync()?;
                if !more {
                    return Ok(vec![]);
                }
                outbox.claim_batch(LEASE, Some(&account), &[], BATCH)
            })
            .await?;
            for id in left {
                writes.in_hand.put_down(id);
            }
            for c in &batch {
                writes.in_hand.take(c.id);
            }
        }
        if let Some(s) = session {
            s.close().await;
        }
        Ok(())
    }

    /// Files copies in Sent folders, account by account, until none is due (or asked to
    /// stop): beside the lanes, so a slow IMAP server never holds up the next message.
    async fn filing_lane(
        &self,
        outbox: Arc<Mutex<Outbox>>,
        mut jobs: Vec<super::store::CopyJob>,
    ) -> Result<(), WorkerError> {
        while !jobs.is_empty() {
            let account = match load_account(&self.paths, &jobs[0].account, secrets::for_imap).await
            {
                Ok((account, secret)) => match login_secret(&self.net, &account, &secret).await {
                    Ok(secret) => Ok((account, secret)),
                    Err(a) => Err(copy_setup(&a.cause())),
                },
                Err(why) => Err(copy_setup(&Attempt::Setup(why).cause())),
            };
            filing::file(&self.net, &outbox, account, std::mem::take(&mut jobs)).await?;
            if self.stopping() {
                break;
            }
            let o = outbox.clone();
            let claim =
                move || locked(&o).claim_copies(filing::COPY_LEASE, filing::COPY_BATCH, now_ms());
            jobs = crate::blocking::run(claim).await?;
        }
        Ok(())
    }

    /// Sends until asked to stop ([`super::wake::ask_to_stop`]: the transactions in flight
    /// end first) or, with [`Until::NothingWaits`], until no message waits any more:
    /// whatever is due, then sleeps until the next message is due, a wake-up arrives
    /// ([`super::wake::notify`]), `nudge` is notified, or the network changes while messages
    /// wait for it. Between those it makes no wake-ups at all. The caller must hold the
    /// worker lock.
    pub async fn serve(
        &self,
        until: Until,
        nudge: &tokio::sync::Notify,
        mut on_event: impl FnMut(WorkerEvent),
    ) -> Result<Served, WorkerError> {
        // What the socket says, heard while sending too (a stop request reaches the lanes).
        let listener = super::wake::Listener::bind(&self.paths);
        let (told, mut wakes) = mpsc::unbounded_channel();
        let stopping = self.stopping.clone();
        let hearing = tokio::spawn(async move {
            loop {
                let wake = listener.next().await;
                if wake == Wake::Stop {
                    stopping.store(true, Ordering::Relaxed);
                }
                if told.send(wake).is_err() {
                    return;
                }
            }
        });
        let _stop_hearing = AbortOnDrop(hearing);
        // The system says when the network changes; where it cannot, look every few seconds.
        let mut changes = NetworkChanges::listen();
        let mut tidied: Option<std::time::Instant> = None;
        // The next look for the network while messages wait for it, without a change heard.
        let mut look = NETWORK_CHECK;
        loop {
            self.run_until_empty(&mut on_event).await?;
            if self.stopping() {
                return Ok(Served::Stopped);
            }
            // Between sends, never during one; at most hourly, and never a wake-up of its own.
            if tidied.is_none_or(|at| at.elapsed() >= TIDY_EVERY) {
                tidied = Some(std::time::Instant::now());
                self.tidy().await;
            }
            let file = self.paths.outbox_file();
            let heard = changes.is_some();
            let (offline, next_due, waiting) =
                crate::blocking::run(move || -> Result<_, OutboxError> {
                    let outbox = Outbox::open(&file)?;
                    let offline = outbox.offline_accounts()?;
                    // Told of the network's return, messages waiting for it are not due
                    // before it returns (but for a rare look in case it said nothing).
                    Ok((offline, outbox.next_due(!heard)?, outbox.anything_waits()?))
                })
                .await?;
            if until == Until::NothingWaits && !waiting {
                return Ok(Served::NothingWaits);
            }
            let look_for_network = match (offline.is_empty(), heard) {
                (true, _) => {
                    look = NETWORK_CHECK;
                    None
                }
                (false, true) => Some(look),
                (false, false) => Some(NETWORK_CHECK),
            };
            let wait = next_due.map(|at| Duration::from_millis((at - now_ms()).max(0) as u64));
            let wait = match (wait, look_for_network) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let mut network_changed = false;
            tokio::select! {
                _ = wakes.recv() => {}
                () = sleep_or_never(wait) => {}
                () = nudge.notified() => {}
                () = changed(&mut changes), if !offline.is_empty() => network_changed = true,
            }
            // Several wake-ups may have piled up: this pass answers them all.
            while wakes.try_recv().is_ok() {}
            if self.stopping() {
                return Ok(Served::Stopped);
            }
            if network_changed {
                tracing::info!("the network changed; trying the messages that waited for it");
                look = NETWORK_CHECK;
            } else {
                look = (look * 2).min(OFFLINE_LOOK);
            }
            for account in offline {
                if self.server_reachable(&account).await {
                    let file = self.paths.outbox_file();
                    crate::blocking::run(move || Outbox::open(&file)?.online_again(&account))
                        .await?;
                }
            }
        }
    }

    /// Lets go of the texts of messages sent long enough ago, as the setting says; a failure
    /// is logged (everything is kept meanwhile), never in the way of sending.
    async fn tidy(&self) {
        let paths = self.paths.clone();
        let tidied = move || retention::tidy_outbox(&paths, None, now_ms()).map(|(p, _)| p);
        match crate::blocking::run(tidied).await {
            Ok(p) if p.messages > 0 => {
                tracing::info!(
                    "let go of the text of {} sent messages ({} bytes)",
                    p.messages,
                    p.bytes
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("the outbox keeps every text for now: {e}"),
        }
    }

    /// Keeps what the account's server announced of its size limit, for messages queued
    /// later ([`crate::usecases::queue`] refuses one too large at the door). A failure is
    /// logged: the next connection tries again.
    async fn note_server_size(&self, account: &Account, size: Option<u64>) {
        let (file, id) = (self.paths.outbox_file(), account.id.to_string());
        let noted = crate::blocking::run(move || {
            Outbox::open(&file)?.note_server_size(&id, size.unwrap_or(0))
        })
        .await;
        if let Err(e) = noted {
            tracing::warn!("the server's size limit is not kept: {e}");
        }
    }

    /// Whether the account's server can be looked up again (the network is back).
    async fn server_reachable(&self, account: &str) -> bool {
        // Only the server's name is needed: no keyring access every few seconds.
        let (paths, id) = (self.paths.clone(), account.to_string());
        let Ok(account) = crate::blocking::run(move || find_account(&paths, &id)).await else {
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
        files_copy: bool,
    ) -> Result<bool, OutboxError> {
        crate::fault::point_of("record", &c.account);
        let on_event = |e| tell(events, e);
        let age = Duration::from_millis((now_ms() - c.created_ms).max(0) as u64);
        for (rcpt, reply) in &outcome.refused {
            outbox.recipient_result(c.id, rcpt, &reply.to_string(), true)?;
            on_event(WorkerEvent::RecipientRefused {
                id: c.id,
                recipient: rcpt.clone(),
                reply: reply.to_string(),
            });
        }
        for (rcpt, reply) in &outcome.deferred {
            outbox.recipient_result(c.id, rcpt, &reply.to_string(), false)?;
        }
        let decision = policy::decide(&outcome.attempt, c.attempts, age, self.lifetime, jitter());
        let cause = outcome.attempt.cause();
        match decision {
            Decision::Sent if !outcome.deferred.is_empty() => {
                // The others have it; the deferred ones wait. "Too many recipients": they go
                // in the next round at once, uncounted.
                let next_round = outcome
                    .deferred
                    .iter()
                    .all(|(_, r)| Meaning::of(r) == Meaning::TooManyRecipients);
                let (at, kind) = if next_round {
                    (now_ms(), RetryKind::Paused)
                } else {
                    let wait = policy::backoff(c.attempts, false, jitter());
                    (now_ms() + wait.as_millis() as i64, RetryKind::Counted)
                };
                let why = Cause::Reply {
                    reply: outcome.deferred[0].1.to_string(),
                };
                let reply = match &outcome.attempt {
                    Attempt::Reply(r) => r.to_string(),
                    _ => String::new(),
                };
                let not_now: Vec<&String> = (outcome.refused.iter().chain(&outcome.deferred))
                    .map(|(r, _)| r)
                    .collect();
                let accepted: Vec<&str> = (c.recipients.iter())
                    .filter(|r| !not_now.contains(r))
                    .map(String::as_str)
                    .collect();
                let queue_id = outcome.server_queue_id.as_deref();
                outbox.mark_partly_sent(c.id, &accepted, &reply, queue_id)?;
                if files_copy {
                    outbox.queue_copy(c.id, &c.account)?;
                }
                outbox.mark_retry(c.id, at, &why, kind)?;
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at,
                    reason: why.in_words(),
                });
            }
            Decision::Sent => {
                let reply = match &outcome.attempt {
                    Attempt::Reply(r) => r.to_string(),
                    _ => String::new(),
                };
                outbox.mark_sent(c.id, &reply, outcome.server_queue_id.as_deref())?;
                if files_copy {
                    outbox.queue_copy(c.id, &c.account)?;
                }
                on_event(WorkerEvent::Sent { id: c.id, reply });
            }
            Decision::Retry(wait) => {
                let at = now_ms() + wait.as_millis() as i64;
                let kind = match outcome.attempt {
                    Attempt::Offline(_) => RetryKind::Offline,
                    Attempt::Ambiguous(_) => RetryKind::MaybeSent,
                    _ => RetryKind::Counted,
                };
                outbox.mark_retry(c.id, at, &cause, kind)?;
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at,
                    reason: cause.in_words(),
                });
            }
            Decision::Failed { gave_up_after_days } => {
                outbox.mark_failed(c.id, &cause, gave_up_after_days)?;
                let what = Happening::Failed {
                    cause,
                    gave_up_after_days,
                };
                let why = what.reason().unwrap_or_default();
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
            Decision::HoldAccount(wait) => {
                let until = now_ms() + wait.as_millis() as i64;
                outbox.mark_held(c.id, &c.account, until, &cause)?;
                let held = Happening::Held { until, cause };
                on_event(WorkerEvent::Retry {
                    id: c.id,
                    at: until,
                    reason: held.reason().unwrap_or_default(),
                });
                return Ok(true);
            }
            Decision::NeedsUser => {
                outbox.mark_paused(c.id, &c.account, &cause)?;
                on_event(WorkerEvent::Paused {
                    account: c.account.clone(),
                    reason: cause.in_words(),
                });
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// How long [`Worker::serve`] goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Until asked to stop (the window, `outpost run`).
    Stopped,
    /// Until no message waits (the background sender), or asked to stop.
    NothingWaits,
}

/// Why [`Worker::serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// It was asked to stop.
    Stopped,
    /// No message waits any more.
    NothingWaits,
}

/// Sleeps for `wait`; forever without one.
async fn sleep_or_never(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

/// The next network change; never, where the system does not say.
async fn changed(changes: &mut Option<NetworkChanges>) {
    match changes {
        Some(c) => c.changed().await,
        None => std::future::pending().await,
    }
}

/// Ends a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How a lane writes its outcomes: on tokio's blocking threads (SQLite, the WAL's fsync, the
/// accounts file when an identity is refused), never on the async threads that carry the
/// connections.
struct Writes {
    worker: Arc<Worker>,
    outbox: Arc<Mutex<Outbox>>,
    events: mpsc::UnboundedSender<WorkerEvent>,
    in_hand: InHand,
    /// The lane's account files a copy of each message sent (set once it is loaded).
    files_copy: Arc<AtomicBool>,
}

/// What writing an outcome came to: the attempt that stopped the account, if it did.
type Written = Result<Option<Attempt>, OutboxError>;

impl Writes {
    /// Starts writing `unwritten`, if any.
    fn start(&self, unwritten: Option<(Claimed, Outcome)>) -> Option<Pending<Written>> {
        let (c, outcome) = unwritten?;
        let (worker, outbox) = (self.worker.clone(), self.outbox.clone());
        let (events, in_hand) = (self.events.clone(), self.in_hand.clone());
        let files_copy = self.files_copy.clone();
        Some(crate::blocking::start(move || {
            let attempt = outcome.attempt.clone();
            let files_copy = files_copy.load(Ordering::Relaxed);
            let stopped =
                locked(&outbox).batch(|o| worker.record(o, &c, outcome, &events, files_copy))?;
            in_hand.put_down(c.id);
            Ok(stopped.then_some(attempt))
        }))
    }

    /// Writes `unwritten`, if any.
    async fn write(&self, unwritten: Option<(Claimed, Outcome)>) -> Written {
        match self.start(unwritten) {
            Some(pending) => pending.value().await,
            None => Ok(None),
        }
    }
}

/// The gate before a message's bytes: the previous message's outcome, written while the
/// server answers this one's envelope; the message goes out only once it is written and
/// did not stop the account.
struct WriteGate<'a> {
    writes: &'a Writes,
    unwritten: &'a mut Option<(Claimed, Outcome)>,
    pending: Option<Pending<Written>>,
    written: Option<Written>,
}

impl Gate for WriteGate<'_> {
    fn begin(&mut self) {
        self.pending = self.writes.start(self.unwritten.take());
    }

    async fn proceed(&mut self) -> bool {
        let written = match self.pending.take() {
            Some(p) => p.value().await,
            None => Ok(None),
        };
        let go = matches!(written, Ok(None));
        self.written = Some(written);
        go
    }
}

/// The messages a lane holds: claimed, their outcome not written yet. Should the lane panic,
/// these go back to waiting.
#[derive(Clone, Default)]
struct InHand(Arc<Mutex<Vec<i64>>>);

impl InHand {
    fn ids(&self) -> MutexGuard<'_, Vec<i64>> {
        // Held for a push or a removal only: a panic cannot happen while it is held.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self, id: i64) {
        self.ids().push(id);
    }

    fn put_down(&self, id: i64) {
        self.ids().retain(|i| *i != id);
    }

    fn all(&self) -> Vec<i64> {
        self.ids().clone()
    }
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
        Err(e) if e.is_transient() => {
            Err(Attempt::Network(Trouble::new("sign_in", || e.to_string())))
        }
        Err(e) => Err(Attempt::Setup(AccountProblem::SignIn(e.explain()))),
    }
}

/// Why an account cannot file copies, from why it cannot send.
fn copy_setup(cause: &Cause) -> CopyCause {
    let words = cause.in_words();
    CopyCause::Setup(Trouble::new("account", move || words.clone()))
}

/// The account with this id, or why it cannot send.
fn find_account(paths: &Paths, id: &str) -> Result<Account, AccountProblem> {
    match AccountStore::new(paths.accounts_file()).load() {
        Ok(accs) => accs
            .accounts
            .into_iter()
            .find(|a| a.id.as_str() == id)
            .ok_or(AccountProblem::AccountGone),
        Err(e) => Err(AccountProblem::Accounts(e.explain())),
    }
}

/// The account with this id and its secret (`secret_of`: for sending, or for its IMAP
/// server), or why it cannot send; the file and the keyring read off the async threads.
async fn load_account(
    paths: &Paths,
    id: &str,
    secret_of: fn(&Account) -> Result<Option<Secret>, crate::account::SecretError>,
) -> Result<(Account, Option<Secret>), AccountProblem> {
    let (paths, id) = (paths.clone(), id.to_string());
    crate::blocking::run(move || {
        let account = find_account(&paths, &id)?;
        let secret = secret_of(&account).map_err(AccountProblem::Secret)?;
        Ok((account, secret))
    })
    .await
}
