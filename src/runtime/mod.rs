//! The background core the window talks to: a tokio runtime on its own thread. The window
//! sends [`Command`]s and drains [`Event`]s; the core wakes the window when an event arrives.
//! Nothing here runs on the UI thread.

mod outbox;
mod signin;
mod watch;

pub use outbox::{MessageAction, MessageDetail, OutboxView};
pub use signin::SignInState;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::account::manage::{self, ManageError, OnDuplicate};
use crate::account::store::Accounts;
use crate::account::verify::{Progress, Report, Timeouts};
use crate::account::{Account, AccountId, AccountStore, Secret, SecretError};
use crate::diagnose::{Explain, Explanation};
use crate::net::{Net, NetConfig};
use crate::outbox::worker::WorkerEvent;
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
    /// Remove an account and its secret, and cancel its messages still waiting.
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
    /// Queue a message.
    Queue {
        /// Names the request in its [`Event::Queued`].
        ticket: Ticket,
        /// The sending account.
        account: Account,
        /// What to send.
        draft: crate::message::Draft,
    },
    /// Do something to one queued message.
    Act {
        /// Its queue id.
        id: i64,
        /// What.
        action: MessageAction,
    },
    /// Read these messages for the outbox table (answered with [`Event::Rows`]).
    Rows(Vec<i64>),
    /// Read one message's details and history.
    Detail {
        /// Its queue id.
        id: i64,
    },
    /// Read a queued message back as a draft, for "edit & resend".
    Reopen {
        /// Its queue id.
        id: i64,
    },
    /// Ask the account's server how large a message it accepts (EHLO SIZE).
    ServerSize {
        /// The account (its stored password is used to log in).
        account: Account,
    },
    /// Whether to show a desktop notification when a message is refused for good.
    Notifications(bool),
    /// Sign in through the browser with the provider of `host` (answered with
    /// [`Event::SignIn`]); stopped with [`Command::CancelTest`].
    SignIn {
        /// Names the sign-in in its events.
        ticket: Ticket,
        /// The address signing in.
        email: String,
        /// The SMTP server whose provider signs in.
        host: String,
    },
    /// Save a sign-in provider's client id and secret (blank removes them).
    SetClient {
        /// The provider's id.
        provider: String,
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// Stop a running check, detection or sign-in.
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
    /// The outbox as it is now; sent again whenever it changes.
    Outbox(Arc<OutboxView>),
    /// Messages asked for with [`Command::Rows`] (those that still exist).
    Rows(Vec<crate::outbox::Summary>),
    /// The outbox cannot be read.
    OutboxUnreadable(Explanation),
    /// A [`Command::Queue`] finished.
    Queued {
        /// The request.
        ticket: Ticket,
        /// The queued message, or why it was refused (nothing was stored then).
        result: Result<crate::outbox::Queued, Explanation>,
    },
    /// A [`Command::Act`] finished: what happened, or why not.
    Acted(Result<String, Explanation>),
    /// A [`Command::Detail`] finished.
    Detail(Result<MessageDetail, Explanation>),
    /// A [`Command::Reopen`] finished.
    Reopened(Result<crate::message::Draft, Explanation>),
    /// A [`Command::ServerSize`] finished: the limit in bytes (0: the server names none),
    /// `None` when the server does not say.
    ServerSize {
        /// The account asked about.
        account: AccountId,
        /// The limit, or why it is unknown.
        result: Result<Option<u64>, Explanation>,
    },
    /// The sign-in providers and their client ids, at start and after a change.
    Issuers(Result<crate::oauth::Issuers, Explanation>),
    /// A [`Command::SetClient`] finished.
    ClientSaved(Result<String, Explanation>),
    /// A sign-in progressed or ended.
    SignIn {
        /// The sign-in.
        ticket: Ticket,
        /// Where it is.
        state: SignInState,
    },
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
    /// Asks the watcher to look now, or to read rows.
    poke: std_mpsc::Sender<watch::Request>,
    /// Show desktop notifications for messages refused for good.
    notify: Arc<AtomicBool>,
    /// Set when the window has gone: background threads end.
    stopped: Arc<AtomicBool>,
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
                    let (poke, pokes) = std_mpsc::channel();
                    let ctx = Ctx {
                        paths,
                        nudge: Arc::new(tokio::sync::Notify::new()),
                        store,
                        net: net.and_then(|c| Net::new(&c).map_err(|e| e.explain())),
                        events: ev_tx,
                        wake,
                        poke,
                        notify: Arc::new(AtomicBool::new(true)),
                        stopped: Arc::new(AtomicBool::new(false)),
                    };
                    let stopped = ctx.stopped.clone();
                    watch::start(ctx.clone(), pokes);
                    tokio::spawn(send_in_background(ctx.clone()));
                    serve(ctx, cmd_rx).await;
                    stopped.store(true, Ordering::Relaxed);
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
                tokio::spawn(async move {
                    blocking(move || {
                        ctx2.emit_accounts();
                        signin::emit_issuers(&ctx2);
                    })
                    .await
                });
            }
            Command::SignIn {
                ticket,
                email,
                host,
            } => {
                let handle = tokio::spawn(signin::sign_in(ctx2, ticket, email, host));
                tests.insert(ticket, handle);
            }
            Command::SetClient {
                provider,
                client_id,
                client_secret,
            } => {
                tokio::spawn(blocking(move || {
                    signin::set_client(&ctx2, &provider, &client_id, &client_secret)
                }));
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
                    if let Ok((account, _)) = &result {
                        // The person agreed in the window: its waiting messages go with it.
                        if let Ok(outbox) = crate::outbox::Outbox::open(&ctx2.paths.outbox_file()) {
                            let _ = outbox.cancel_account(account.id.as_str());
                        }
                    }
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
            Command::Queue {
                ticket,
                account,
                draft,
            } => {
                tokio::spawn(blocking(move || {
                    outbox::queue(&ctx2, ticket, &account, &draft);
                    let _ = ctx2.poke.send(watch::Request::Look);
                }));
            }
            Command::Act { id, action } => {
                tokio::spawn(blocking(move || {
                    let result = outbox::act(&ctx2, id, action);
                    let _ = ctx2.poke.send(watch::Request::Look);
                    ctx2.emit(Event::Acted(result));
                    if action != MessageAction::Delete {
                        ctx2.emit(Event::Detail(outbox::detail(&ctx2, id)));
                    }
                }));
            }
            Command::Rows(ids) => {
                let _ = ctx.poke.send(watch::Request::Rows(ids));
            }
            Command::Detail { id } => {
                tokio::spawn(blocking(move || {
                    ctx2.emit(Event::Detail(outbox::detail(&ctx2, id)))
                }));
            }
            Command::Reopen { id } => {
                tokio::spawn(blocking(move || {
                    ctx2.emit(Event::Reopened(outbox::reopen(&ctx2, id)))
                }));
            }
            Command::ServerSize { account } => {
                tokio::spawn(server_size(ctx2, account));
            }
            Command::Notifications(on) => ctx.notify.store(on, Ordering::Relaxed),
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
                    let mut result = crate::detect::run(&net, &email, &options, |progress| {
                        ctx2.emit(Event::DetectProgress { ticket, progress })
                    })
                    .await;
                    if let Ok(mut found) = result {
                        let paths = ctx2.paths.clone();
                        result = Ok(blocking(move || {
                            crate::oauth::issuers::prefer_sign_in(&paths, &mut found);
                            found
                        })
                        .await);
                    }
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
            if ctx.notify.load(Ordering::Relaxed)
                && matches!(
                    e,
                    WorkerEvent::Failed { .. } | WorkerEvent::RecipientRefused { .. }
                )
            {
                let (ctx, e) = (ctx.clone(), e.clone());
                tokio::task::spawn_blocking(move || outbox::notify_failure(&ctx, &e));
            }
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

/// The network and the secret a check needs: the one typed, else the stored one.
async fn check_inputs(
    ctx: &Ctx,
    account: &Account,
    secret: Option<Secret>,
) -> Result<(Net, Option<Secret>), Explanation> {
    let net = ctx.net.clone()?;
    let secret = match secret {
        Some(s) => Some(s),
        None => {
            let acc = account.clone();
            blocking(move || manage::load_secret(&acc))
                .await
                .map_err(|e| e.explain())?
        }
    };
    Ok((net, secret))
}

async fn server_size(ctx: Ctx, account: Account) {
    let result = match check_inputs(&ctx, &account, None).await {
        Ok((net, secret)) => {
            let report =
                manage::test(&net, &account, secret.as_ref(), Timeouts::default(), |_| {}).await;
            match outcome_of(&report) {
                Ok(()) => Ok(report.capabilities.and_then(|c| c.size)),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    ctx.emit(Event::ServerSize {
        account: account.id,
        result,
    });
}

/// The check's result as the window shows it.
pub fn outcome_of(report: &Report) -> Result<(), Explanation> {
    match report.failure() {
        None => Ok(()),
        Some((step, e)) => Err(crate::diagnose::verify_failure(step, e)),
    }
}

async fn run_test(ctx: Ctx, ticket: Ticket, account: Account, secret: Option<Secret>) {
    let (net, secret) = match check_inputs(&ctx, &account, secret).await {
        Ok(v) => v,
        Err(error) => return ctx.emit(Event::NotStarted { ticket, error }),
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
