//! The window's own sender: the outbox worker on the core's runtime, unless another Outpost
//! already sends from this outbox; and the desktop notification when a message is refused
//! for good.

use std::sync::atomic::Ordering;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::ctx::Ctx;
use super::guard::bug;
use super::protocol::Event;
use crate::explain::{Explain, Explanation};
use crate::outbox::worker::{self, Role, Until, Worker, WorkerError, WorkerLock};
use crate::outbox::{notice, wake};

/// The window's outbox worker, unless another Outpost already sends from this outbox. A
/// background sender gives way: it finishes the message in flight, and the window sends.
pub(super) async fn send_in_background(ctx: Ctx) {
    let net = match &ctx.net {
        Ok(net) => net.clone(),
        Err(e) => return ctx.emit(Event::WorkerStopped(e.clone())),
    };
    let _lock = match take_over(&ctx).await {
        Ok(lock) => lock,
        Err(e) => return ctx.emit(Event::WorkerStopped(e.explain())),
    };
    let worker = Worker::new(net, ctx.paths.clone());
    let serving = worker.serve(Until::Stopped, &ctx.nudge, |e| {
        if ctx.notify.load(Ordering::Relaxed) && e.is_refusal() {
            let (paths, e) = (ctx.paths.clone(), e.clone());
            tokio::task::spawn_blocking(move || notice::tell_desktop(&paths, &e));
        }
        ctx.emit(Event::Worker(e))
    });
    // A lane that panics fails alone (the worker goes on); a bug anywhere else stops
    // sending in this window, and says so.
    let e = match AssertUnwindSafe(serving).catch_unwind().await {
        // Asked to stop ('outpost run --stop'): it says so, and why no message leaves.
        Ok(Ok(_)) => {
            let asked = Explanation::new(
                tr!("sending-stopped-asked"),
                tr!("sending-stopped-asked-advice"),
            );
            return ctx.emit(Event::WorkerStopped(asked));
        }
        Ok(Err(e)) => e.explain(),
        Err(payload) => bug(&tr!("bug-doing-send"), payload.as_ref()),
    };
    tracing::error!("sending stopped in the window: {} {}", e.problem, e.advice);
    ctx.emit(Event::WorkerStopped(Explanation {
        problem: tr!("sending-stopped", problem = e.problem.as_str()),
        advice: tr!("sending-stopped-advice", advice = e.advice.as_str()),
    }));
}

/// The outbox for the window: free, or given up by the background sender once its message
/// in flight is done (the status line says so meanwhile). Another window or `outpost run`
/// keeps it.
async fn take_over(ctx: &Ctx) -> Result<WorkerLock, WorkerError> {
    match worker::lock(&ctx.paths, Role::Window) {
        Err(WorkerError::AlreadyRunning(_)) => {}
        other => return other,
    }
    let Some(sender) = worker::sender(&ctx.paths).filter(|s| s.role == Some(Role::Background))
    else {
        return worker::lock(&ctx.paths, Role::Window);
    };
    let pid = sender.pid.map(|p| p.to_string()).unwrap_or_default();
    ctx.emit(Event::SenderNote(tr!("status-taking-over", pid = pid)));
    wake::ask_to_stop(&ctx.paths);
    let paths = ctx.paths.clone();
    crate::blocking::run(move || worker::lock_waiting(&paths, Role::Window, TAKE_OVER)).await
}

/// How long the window waits for the background sender's message in flight (its last reply
/// under the default limits).
const TAKE_OVER: std::time::Duration = std::time::Duration::from_secs(330);
