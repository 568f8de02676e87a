//! The background core the window talks to: a tokio runtime on its own thread. The window
//! sends [`Command`]s and drains [`Event`]s; the core wakes the window when an event arrives.
//! Nothing here runs on the UI thread; every command is one call of a use case
//! ([`crate::usecases`]).

mod ctx;
mod outbox;
mod protocol;
mod serve;
mod signin;
mod watch;
mod worker;

pub use outbox::OutboxView;
pub use protocol::{Command, Event, SaveFailure, Ticket};
pub use signin::SignInState;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use crate::explain::{Explain, Explanation};
use crate::net::{Net, NetConfig};
use crate::paths::Paths;
use ctx::{Ctx, Waker};

/// A handle on the running core. Dropping it stops the core.
pub struct Core {
    commands: mpsc::UnboundedSender<Command>,
    events: std_mpsc::Receiver<Event>,
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
                        net: net.and_then(|c| Net::new(&c).map_err(|e| e.explain())),
                        events: ev_tx,
                        wake,
                        poke,
                        notify: Arc::new(AtomicBool::new(true)),
                        stopped: Arc::new(AtomicBool::new(false)),
                    };
                    let stopped = ctx.stopped.clone();
                    watch::start(ctx.clone(), pokes);
                    tokio::spawn(worker::send_in_background(ctx.clone()));
                    serve::serve(ctx, cmd_rx).await;
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
        // The core ends only when this handle is dropped: it is always there to receive.
        self.commands.send(command).ok();
    }

    /// The next event, if one is waiting; never blocks.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}
