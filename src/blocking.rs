//! Blocking work (files, the keyring, SQLite) run on tokio's blocking threads, off the async
//! threads that carry the network.

use tokio::task::JoinHandle;

/// Blocking work started with [`start`], to be awaited later.
pub struct Pending<T>(JoinHandle<T>);

/// Starts `f` on tokio's blocking threads; its value is awaited with [`Pending::value`].
pub fn start<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
    Pending(tokio::task::spawn_blocking(f))
}

impl<T> Pending<T> {
    /// The work's value, once it is done. A panic in it goes on in the caller (whose guard,
    /// in the window's core, or lane, in the sender, answers for it).
    pub async fn value(self) -> T {
        match self.0.await {
            Ok(value) => value,
            Err(e) => match e.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                // Cancelled: only when the runtime shuts down, and then nobody waits.
                Err(_) => std::future::pending().await,
            },
        }
    }
}

/// Runs `f` on tokio's blocking threads and gives its value (see [`Pending::value`]).
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    start(f).value().await
}
