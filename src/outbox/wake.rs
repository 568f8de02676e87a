//! Waking the worker at once when a message is queued or a retry is asked for, from any
//! process: the worker listens on a datagram socket in the data dir; `notify` sends it one
//! byte and never fails (a worker that is not running simply finds the message later).

use std::path::PathBuf;
use std::time::Duration;

use crate::paths::Paths;

fn socket(paths: &Paths) -> PathBuf {
    paths.data_dir.join("outbox.wake")
}

/// Tells a running worker that there is new work. Best effort: with no worker running there
/// is nobody to tell, and a worker wakes on its own within its idle time anyway.
#[cfg_attr(not(unix), expect(unused_variables))]
pub fn notify(paths: &Paths) {
    #[cfg(unix)]
    if let Ok(sock) = std::os::unix::net::UnixDatagram::unbound() {
        sock.send_to(b"!", socket(paths)).ok();
    }
}

/// The worker's end: wait for a wake-up or a timeout.
pub struct Listener {
    #[cfg(unix)]
    sock: Option<tokio::net::UnixDatagram>,
}

impl Listener {
    /// Listens for wake-ups; call only while holding the worker lock (the socket is replaced).
    #[cfg_attr(not(unix), expect(unused_variables))]
    pub fn bind(paths: &Paths) -> Self {
        #[cfg(unix)]
        {
            let path = socket(paths);
            // A socket left by a worker that died; none there is as good.
            std::fs::remove_file(&path).ok();
            Self {
                sock: tokio::net::UnixDatagram::bind(&path).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Returns after a wake-up or after `timeout`, whichever comes first.
    pub async fn wait(&self, timeout: Duration) {
        #[cfg(unix)]
        if let Some(sock) = &self.sock {
            let mut buf = [0u8; 16];
            // A wake-up or the timeout: either way it is time to look.
            tokio::time::timeout(timeout, sock.recv(&mut buf))
                .await
                .ok();
            // Several notifications may have piled up: one pass handles them all.
            while sock.try_recv(&mut buf).is_ok() {}
            return;
        }
        tokio::time::sleep(timeout).await;
    }
}
