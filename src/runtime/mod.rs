//! The background core the window talks to: a tokio runtime on its own thread. The window
//! sends [`Command`]s and drains [`Event`]s; the core wakes the window when an event arrives.
//! Nothing here runs on the UI thread; every command is one call of a use case
//! ([`crate::usecases`]).

mod ctx;
mod guard;
mod outbox;
mod protocol;
mod serve;
mod signin;
mod watch;
mod worker;

pub use outbox::OutboxView;
pub use protocol::{Command, Event, SaveFailure, SignInState, SpaceView, Ticket};

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
    /// The core has stopped and the window was told ([`Event::CoreStopped`]).
    told_stopped: AtomicBool,
}

/// Says the core has stopped when dropped: at the end of its thread, however it ends (a
/// panic too), so that the watcher thread ends and the window hears of it.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
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
        let wake: Waker = Arc::new(wake);
        let paths = paths.clone();
        let stopped = Arc::new(AtomicBool::new(false));
        let stop_on_drop = StopOnDrop(stopped.clone());
        // Should the thread not start, its closure and with it the events' sender are gone:
        // the window hears that the core stopped (see `try_recv`).
        let _thread = std::thread::Builder::new()
            .name("outpost-core".into())
            .spawn(move || {
                let _stop = stop_on_drop;
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    // The window hears that the core stopped: its events' sender is gone.
                    Err(_) => return,
                };
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
                        stopped,
                    };
                    watch::start(ctx.clone(), pokes);
                    tokio::spawn(worker::send_in_background(ctx.clone()));
                    serve::serve(ctx, cmd_rx).await;
                });
            });
        let core = Self {
            commands: cmd_tx,
            events: ev_rx,
            told_stopped: AtomicBool::new(false),
        };
        core.send(Command::Reload);
        core.send(Command::Drafts);
        core
    }

    /// Queues a command; never blocks. A core that has stopped takes none: the window heard
    /// so from [`Self::try_recv`] ([`Event::CoreStopped`]).
    pub fn send(&self, command: Command) {
        let _stopped_already = self.commands.send(command);
    }

    /// The next event, if one is waiting; never blocks. Once the core has stopped (a bug
    /// ended it), the events it sent are given first, then [`Event::CoreStopped`] once.
    pub fn try_recv(&self) -> Option<Event> {
        match self.events.try_recv() {
            Ok(event) => Some(event),
            Err(std_mpsc::TryRecvError::Empty) => None,
            Err(std_mpsc::TryRecvError::Disconnected) => {
                (!self.told_stopped.swap(true, Ordering::Relaxed)).then(|| {
                    Event::CoreStopped(Explanation::new(
                        tr!("core-stopped"),
                        tr!("core-stopped-advice"),
                    ))
                })
            }
        }
    }
}
