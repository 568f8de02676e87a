//! Waking the worker at once when a message is queued or a retry is asked for, from any
//! process: the worker listens on a datagram socket in the data dir; `notify` sends it one
//! byte and never fails (a worker that is not running simply finds the message later).
//! `ask_to_stop` asks it to finish what it is sending and stop (`outpost run --stop`).

use std::path::PathBuf;
use std::time::Duration;

use crate::paths::Paths;

fn socket(paths: &Paths) -> PathBuf {
    paths.data_dir.join("outbox.wake")
}

/// What the worker is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// There is new work.
    Work,
    /// Finish the transactions in flight and stop.
    Stop,
}

const STOP: &[u8] = b"stop";

#[cfg_attr(not(unix), expect(unused_variables))]
fn tell(paths: &Paths, what: &[u8]) -> bool {
    #[cfg(unix)]
    if let Ok(sock) = std::os::unix::net::UnixDatagram::unbound() {
        return sock.send_to(what, socket(paths)).is_ok();
    }
    false
}

/// Tells a running worker that there is new work. Best effort: with no worker running there
/// is nobody to tell, and a worker wakes on its own within its idle time anyway.
pub fn notify(paths: &Paths) {
    let _nobody_listens = tell(paths, b"!");
}

/// Asks the running worker to finish what it is sending and stop; false when no worker
/// listens.
pub fn ask_to_stop(paths: &Paths) -> bool {
    tell(paths, STOP)
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

    /// The next thing the worker is told; never, without a socket.
    pub async fn next(&self) -> Wake {
        #[cfg(unix)]
        if let Some(sock) = &self.sock {
            let mut buf = [0u8; 16];
            loop {
                match sock.recv(&mut buf).await {
                    Ok(n) if &buf[..n] == STOP => return Wake::Stop,
                    Ok(_) => return Wake::Work,
                    // A passing error of the socket: wait for the next datagram.
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        }
        std::future::pending().await
    }
}
