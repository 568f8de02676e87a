//! What every task of the core shares: the files, the network, the event channel to the
//! window and the repaint waker.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc as std_mpsc;

use super::protocol::Event;
use crate::explain::{Explain, Explanation};
use crate::net::Net;
use crate::paths::Paths;

/// What the watcher is asked.
pub(super) enum WatchRequest {
    /// Look for changes now.
    Look,
    /// Read these messages (the rows the outbox screen is about to show).
    Rows(Vec<i64>),
}

/// Called after every event (the window passes `request_repaint`).
pub(super) type Waker = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
pub(super) struct Ctx {
    pub paths: Paths,
    /// Wakes the window's worker at once (a message was queued, or a retry asked for).
    pub nudge: Arc<tokio::sync::Notify>,
    pub net: Result<Net, Explanation>,
    pub events: std_mpsc::Sender<Event>,
    pub wake: Waker,
    /// Asks the watcher to look now, or to read rows.
    pub poke: std_mpsc::Sender<WatchRequest>,
    /// Show desktop notifications for messages refused for good.
    pub notify: Arc<AtomicBool>,
    /// Set when the window has gone: background threads end.
    pub stopped: Arc<AtomicBool>,
}

impl Ctx {
    /// Tells the window. A window that has gone has nothing left to tell.
    pub fn emit(&self, event: Event) {
        if self.events.send(event).is_ok() {
            (self.wake)();
        }
    }

    /// Asks the watcher to look at the queue now. A watcher that has ended (the window is
    /// closing) has nothing left to look at.
    pub fn look(&self) {
        self.poke.send(WatchRequest::Look).ok();
    }

    /// The accounts as they are on disk.
    pub fn emit_accounts(&self) {
        let accounts = crate::usecases::account::list(&self.paths);
        self.emit(Event::Accounts(accounts.map_err(|e| e.explain())));
    }
}

pub(super) use crate::blocking::run as blocking;
