//! Waking the worker at once when a message is queued or a retry is asked for, from any
//! process: the worker listens on a datagram socket in the data dir; `notify` sends it one
//! byte and never fails (a worker that is not running simply finds the message later).

use std::path::PathBuf;
use std::time::Duration;

use crate::paths::Paths;

fn socket(paths: &Paths) -> PathBuf {
    paths.data_dir.join("outbox.wake")
}

/// Tells a running worker that there is new work. Best effort.
pub fn notify(paths: &Paths) {
    #[cfg(unix)]
    {
        if let Ok(sock) = std::os::unix::net::UnixDatagram::unbound() {
            let _ = sock.send_to(b"!", socket(paths));
        }
    }
    #[cfg(not(unix))]
    let _ = paths;
}

/// The worker's end: wait for a wake-up or a timeout.
pub struct Listener {
    #[cfg(unix)]
    sock: Option<tokio::net::UnixDatagram>,
}

impl Listener {
    /// Listens for wake-ups; call only while holding the worker lock (the socket is replaced).
    pub fn bind(paths: &Paths) -> Self {
        #[cfg(unix)]
        {
            let path = socket(paths);
            let _ = std::fs::remove_file(&path);
            Self {
                sock: tokio::net::UnixDatagram::bind(&path).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = paths;
            Self {}
        }
    }

    /// Returns after a wake-up or after `timeout`, whichever comes first.
    pub async fn wait(&self, timeout: Duration) {
        #[cfg(unix)]
        if let Some(sock) = &self.sock {
            let mut buf = [0u8; 16];
            let _ = tokio::time::timeout(timeout, sock.recv(&mut buf)).await;
            // Several notifications may have piled up: one pass handles them all.
            while sock.try_recv(&mut buf).is_ok() {}
            return;
        }
        tokio::time::sleep(timeout).await;
    }
}
