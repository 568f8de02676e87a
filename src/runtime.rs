//! The background core the window talks to: a tokio runtime on its own thread. The window
//! sends [`Command`]s and drains [`Event`]s; the core wakes the window when an event arrives.
//! Nothing here runs on the UI thread.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::account::manage::{self, ManageError, OnDuplicate};
use crate::account::store::Accounts;
use crate::account::verify::{Progress, Report, Timeouts};
use crate::account::{Account, AccountId, AccountStore, Secret, SecretError};
use crate::diagnose::{Explain, Explanation};
use crate::net::{Net, NetConfig};
use crate::paths::Paths;

/// Identifies one connection check, so late events of a cancelled one can be ignored.
pub type Ticket = u64;

/// What the window asks of the core.
#[derive(Debug)]
pub enum Command {
    /// Read the account file again.
    Reload,
    /// Save an account; `secret` replaces the stored one when given.
    Save {
        /// The account.
        account: Account,
        /// Its new password or token.
        secret: Option<Secret>,
    },
    /// Remove an account and its secret.
    Remove {
        /// Its address.
        email: String,
    },
    /// Make an account the default.
    SetDefault {
        /// Its id.
        id: AccountId,
    },
    /// Check a connection; without `secret`, the stored one is used.
    Test {
        /// Names the check in its events.
        ticket: Ticket,
        /// The settings to check (possibly not saved yet).
        account: Account,
        /// A password typed but not saved yet.
        secret: Option<Secret>,
    },
    /// Find the settings for an address.
    Detect {
        /// Names the detection in its events.
        ticket: Ticket,
        /// The address.
        email: String,
        /// Deadline and sources.
        options: crate::detect::Options,
    },
    /// Look at the outbox now (a message was queued, or a retry asked for).
    WakeWorker,
    /// Stop a running check.
    CancelTest {
        /// The check.
        ticket: Ticket,
    },
}

/// What the core tells the window.
#[derive(Debug)]
pub enum Event {
    /// The accounts as they are now on disk.
    Accounts(Result<Accounts, Explanation>),
    /// A save finished.
    Saved(Result<Account, SaveFailure>),
    /// A removal finished; the inner explanation says the secret may remain in the keyring.
    Removed(Result<(Account, Option<Explanation>), Explanation>),
    /// A step of a check started or finished.
    TestProgress {
        /// The check.
        ticket: Ticket,
        /// What happened.
        progress: Progress,
    },
    /// A check finished (successfully or at a failed step).
    TestDone {
        /// The check.
        ticket: Ticket,
        /// Every step.
        report: Report,
    },
    /// A detection source started or ended.
    DetectProgress {
        /// The detection.
        ticket: Ticket,
        /// What happened.
        progress: crate::detect::Progress,
    },
    /// A detection finished.
    DetectDone {
        /// The detection.
        ticket: Ticket,
        /// The settings found, or what was tried.
        result: Box<Result<crate::detect::Detection, crate::detect::Failure>>,
    },
    /// The background sender did something.
    Worker(crate::outbox::worker::WorkerEvent),
    /// The background sender cannot run in this window (another Outpost sends, or the
    /// outbox cannot be opened); the explanation says why.
    WorkerStopped(Explanation),
    /// A check or a detection could not start (no password stored, keyring locked, no
    /// network stack).
    NotStarted {
        /// The check or detection.
        ticket: Ticket,
        /// Why.
        error: Explanation,
    },
}

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFailure {
    /// What happened and what to do.
    pub explanation: Explanation,
    /// No keyring service runs: the session keyring is the way out.
    pub keyring_unavailable: bool,
}

/// A handle on the running core. Dropping it stops the core.
pub struct Core {
    commands: mpsc::UnboundedSender<Command>,
    events: std_mpsc::Receiver<Event>,
}

type Waker = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
struct Ctx {
    paths: Paths,
    nudge: Arc<tokio::sync::Notify>,
    store: AccountStore,
    net: Result<Net, Explanation>,
    events: std_mpsc::Sender<Event>,
    wake: Waker,
}

impl Ctx {
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
        (self.wake)();
    }

    fn emit_accounts(&self) {
        self.emit(Event::Accounts(self.store.load().map_err(|e| e.explain())));
    }
}

impl Core {
    /// Starts the core for the files in `paths` and the network settings in `net`; `wake` is
    /// called after every event (the window passes `request_repaint`). The accounts are loaded
    /// at once.
    pub fn start(
        paths: &Paths,
        net: Result<NetConfig, Explanation>,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = std_mpsc::channel();
        let store = AccountStore::new(paths.accounts_file());
        let wake: Waker = Arc::new(wake);
        let paths = paths.clone();
        std::thread::Builder::new()
            .name("outpost-core".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime starts");
                rt.block_on(async move {
                    let ctx = Ctx {
                        paths,
                        nudge: Arc::new(tokio::sync::Notify::new()),
                        store,
                        net: net.and_then(|c| Net::new(&c).map_err(|e| e.explain())),
                        events: ev_tx,
                        wake,
                    };
                    tokio::spawn(send_in_background(ctx.clone()));
                    serve(ctx, cmd_rx).await;
                });
            })
            .expect("the core thread starts");
        let core = Self {
            commands: cmd_tx,
            events: ev_rx,
        };
        core.send(Command::Reload);
        core
    }

    /// Queues a command; never blocks.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting; never blocks.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a blocking task does not panic")
}

async fn serve(ctx: Ctx, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut tests: HashMap<Ticket, JoinHandle<()>> = HashMap::new();
    while let Some(command) = commands.recv().await {
        tests.retain(|_, handle| !handle.is_finished());
        let ctx2 = ctx.clone();
        match command {
            Command::Reload => {
                tokio::spawn(async move { blocking(move || ctx2.emit_accounts()).await });
            }
            Command::Save { account, secret } => {
                tokio::spawn(blocking(move || {
                    let result =
                        manage::save(&ctx2.store, account, secret.as_ref(), OnDuplicate::Refuse);
                    if let (Ok(saved), true) = (&result, secret.is_some()) {
                        crate::outbox::resume_account(&ctx2.paths, saved.id.as_str());
                    }
                    ctx2.emit(Event::Saved(result.map_err(|e| SaveFailure {
                        keyring_unavailable: matches!(
                            e,
                            ManageError::Secret(SecretError::NoService { .. })
                        ),
                        explanation: e.explain(),
                    })));
                    ctx2.emit_accounts();
                }));
            }
            Command::Remove { email } => {
                tokio::spawn(blocking(move || {
                    let result = manage::remove(&ctx2.store, &email)
                        .map(|(a, secret_err)| (a, secret_err.map(|e| e.explain())))
                        .map_err(|e| e.explain());
                    ctx2.emit(Event::Removed(result));
                    ctx2.emit_accounts();
                }));
            }
            Command::SetDefault { id } => {
                tokio::spawn(blocking(move || {
                    let result = ctx2.store.update(|accs| {
                        accs.by_id(&id).ok_or(())?;
                        accs.default = Some(id);
                        Ok::<_, ()>(())
                    });
                    if let Err(e) = result {
                        ctx2.emit(Event::Accounts(Err(e.explain())));
                    } else {
                        ctx2.emit_accounts();
                    }
                }));
            }
            Command::Test {
                ticket,
                account,
                secret,
            } => {
                let handle = tokio::spawn(run_test(ctx2, ticket, account, secret));
                tests.insert(ticket, handle);
            }
            Command::WakeWorker => ctx.nudge.notify_one(),
            Command::Detect {
                ticket,
                email,
                options,
            } => {
                let handle = tokio::spawn(async move {
                    let net = match &ctx2.net {
                        Ok(net) => net.clone(),
                        Err(e) => {
                            return ctx2.emit(Event::NotStarted {
                                ticket,
                                error: e.clone(),
                            });
                        }
                    };
                    let result = crate::detect::run(&net, &email, &options, |progress| {
                        ctx2.emit(Event::DetectProgress { ticket, progress })
                    })
                    .await;
                    ctx2.emit(Event::DetectDone {
                        ticket,
                        result: Box::new(result),
                    });
                });
                tests.insert(ticket, handle);
            }
            Command::CancelTest { ticket } => {
                if let Some(handle) = tests.remove(&ticket) {
                    handle.abort();
                }
            }
        }
    }
}

/// The window's outbox worker, unless another Outpost already sends from this outbox.
async fn send_in_background(ctx: Ctx) {
    let net = match &ctx.net {
        Ok(net) => net.clone(),
        Err(e) => return ctx.emit(Event::WorkerStopped(e.clone())),
    };
    let _lock = match crate::outbox::worker::lock(&ctx.paths) {
        Ok(lock) => lock,
        Err(e) => {
            return ctx.emit(Event::WorkerStopped(Explanation {
                problem: format!("{e}."),
                advice: "Messages are sent by the other Outpost; close it to send from here."
                    .into(),
            }));
        }
    };
    let worker = crate::outbox::worker::Worker::new(net, ctx.paths.clone());
    let result = worker
        .serve(std::time::Duration::from_secs(60), &ctx.nudge, |e| {
            ctx.emit(Event::Worker(e))
        })
        .await;
    if let Err(e) = result {
        ctx.emit(Event::WorkerStopped(Explanation {
            problem: format!("Sending stopped: {e}."),
            advice: "Restart Outpost; the queued messages are kept.".into(),
        }));
    }
}

async fn run_test(ctx: Ctx, ticket: Ticket, account: Account, secret: Option<Secret>) {
    let not_started = |error: Explanation| Event::NotStarted { ticket, error };
    let net = match &ctx.net {
        Ok(net) => net.clone(),
        Err(e) => return ctx.emit(not_started(e.clone())),
    };
    let secret = match secret {
        Some(s) => Some(s),
        None => {
            let acc = account.clone();
            match blocking(move || manage::load_secret(&acc)).await {
                Ok(s) => s,
                Err(e) => return ctx.emit(not_started(e.explain())),
            }
        }
    };
    let report = manage::test(
        &net,
        &account,
        secret.as_ref(),
        Timeouts::default(),
        |progress| ctx.emit(Event::TestProgress { ticket, progress }),
    )
    .await;
    ctx.emit(Event::TestDone { ticket, report });
}
