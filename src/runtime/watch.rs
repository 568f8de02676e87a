//! Notices changes made behind the window's back — by the worker, by `outpost send` or
//! `outpost account add` in another process — and sends the fresh state as events. The queue
//! is checked with SQLite's `data_version` (a counter, no reading of rows), the account file
//! by its modification time and size.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, SystemTime};

use super::ctx::{Ctx, WatchRequest};
use super::guard;
use super::outbox;
use super::protocol::Event;
use crate::explain::{Explain, Explanation};
use crate::outbox::Outbox;

/// How often to look when nothing pokes the watcher.
const WATCH_EVERY: Duration = Duration::from_millis(500);

fn stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Starts the watcher thread, which answers `requests` on its own connection. It stops when
/// the core does. A bug in it is told (the status line) and the watcher starts again, a
/// second later, reading everything anew.
pub(super) fn start(ctx: Ctx, requests: std_mpsc::Receiver<WatchRequest>) {
    let told = ctx.clone();
    let started = std::thread::Builder::new()
        .name("outpost-watch".into())
        .spawn(move || {
            loop {
                let watched = std::panic::catch_unwind(AssertUnwindSafe(|| watch(&ctx, &requests)));
                match watched {
                    Ok(()) => return,
                    Err(payload) => {
                        let bug = guard::bug(&tr!("bug-doing-watch"), payload.as_ref());
                        tracing::error!("{}", bug.problem);
                        ctx.emit(Event::Bug(bug));
                        std::thread::sleep(Duration::from_secs(1));
                        if ctx.stopped.load(Ordering::Relaxed) {
                            return;
                        }
                    }
                }
            }
        });
    if let Err(e) = started {
        told.emit(Event::OutboxUnreadable(Explanation::new(
            tr!("watcher-not-started", error = e.to_string()),
            tr!("core-stopped-advice"),
        )));
    }
}

/// Watches until the core stops.
fn watch(ctx: &Ctx, requests: &std_mpsc::Receiver<WatchRequest>) {
    crate::fault::point("watcher");
    let queue = ctx.paths.outbox_file();
    let accounts = ctx.paths.accounts_file();
    let mut outbox: Option<Outbox> = None;
    let mut seen_queue = None;
    let mut seen_accounts = stamp(&accounts);
    loop {
        if outbox.is_none() {
            match Outbox::open(&queue) {
                Ok(o) => outbox = Some(o),
                Err(e) => ctx.emit(Event::OutboxUnreadable(e.explain())),
            }
        }
        if let Some(o) = &outbox {
            match o.data_version() {
                Ok(v) if seen_queue != Some(v) => match outbox::read(o) {
                    Ok(view) => {
                        seen_queue = Some(v);
                        ctx.emit(Event::Outbox(Arc::new(view)));
                    }
                    Err(e) => ctx.emit(Event::OutboxUnreadable(e.explain())),
                },
                Ok(_) => {}
                Err(e) => {
                    ctx.emit(Event::OutboxUnreadable(e.explain()));
                    outbox = None;
                }
            }
        }
        let now = stamp(&accounts);
        if now != seen_accounts {
            seen_accounts = now;
            ctx.emit_accounts();
        }
        if let Ok(WatchRequest::Rows(ids)) = requests.recv_timeout(WATCH_EVERY)
            && let Some(o) = &outbox
        {
            match o.summaries(&ids) {
                Ok(rows) => ctx.emit(Event::Rows(rows)),
                Err(e) => ctx.emit(Event::OutboxUnreadable(e.explain())),
            }
        }
        if ctx.stopped.load(Ordering::Relaxed) {
            return;
        }
    }
}
