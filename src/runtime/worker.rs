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
use crate::outbox::Outbox;
use crate::outbox::worker::{self, Worker, WorkerEvent};

/// The window's outbox worker, unless another Outpost already sends from this outbox.
pub(super) async fn send_in_background(ctx: Ctx) {
    let net = match &ctx.net {
        Ok(net) => net.clone(),
        Err(e) => return ctx.emit(Event::WorkerStopped(e.clone())),
    };
    let _lock = match worker::lock(&ctx.paths) {
        Ok(lock) => lock,
        Err(e) => return ctx.emit(Event::WorkerStopped(e.explain())),
    };
    let worker = Worker::new(net, ctx.paths.clone());
    let serving = worker.serve(std::time::Duration::from_secs(60), &ctx.nudge, |e| {
        if ctx.notify.load(Ordering::Relaxed)
            && matches!(
                e,
                WorkerEvent::Failed { .. } | WorkerEvent::RecipientRefused { .. }
            )
        {
            let (ctx, e) = (ctx.clone(), e.clone());
            tokio::task::spawn_blocking(move || notify_failure(&ctx, &e));
        }
        ctx.emit(Event::Worker(e))
    });
    // A lane that panics fails alone (the worker goes on); a bug anywhere else stops
    // sending in this window, and says so.
    let e = match AssertUnwindSafe(serving).catch_unwind().await {
        // Asked to stop ('outpost run --stop'): it says so, and why no message leaves.
        Ok(Ok(())) => {
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

/// Tells the desktop about a message refused for good.
fn notify_failure(ctx: &Ctx, event: &WorkerEvent) {
    let (id, what) = match event {
        WorkerEvent::Failed { id, reason } => (*id, reason.clone()),
        WorkerEvent::RecipientRefused {
            id,
            recipient,
            reply,
        } => (
            *id,
            tr!(
                "notify-recipient-refused",
                recipient = recipient.as_str(),
                reply = reply.as_str()
            ),
        ),
        _ => return,
    };
    let subject = Outbox::open(&ctx.paths.outbox_file())
        .ok()
        .and_then(|o| o.get(id).ok())
        .map(|(m, _)| m.subject)
        .unwrap_or_default();
    let title = if subject.is_empty() {
        tr!("notify-not-delivered-id", id = id)
    } else {
        tr!("notify-not-delivered", subject = subject.as_str())
    };
    // Best effort: without a notification service the outbox screen still shows it.
    if let Err(e) = crate::notify::show(&title, &what) {
        tracing::warn!("no desktop notification for message #{id}: {e}");
    }
}
