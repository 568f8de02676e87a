//! Blocking work (files, the keyring, SQLite) run on tokio's blocking threads, off the async
//! threads that carry the network.

/// Runs `f` on tokio's blocking threads and gives its value. A panic in `f` goes on in the
/// caller (whose guard, in the window's core, answers for it).
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(e) => match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            // Cancelled: only when the runtime shuts down, and then nobody waits.
            Err(_) => std::future::pending().await,
        },
    }
}
