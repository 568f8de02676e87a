//! The sender that runs while messages wait, with no window: started when a program queues
//! mail (`outpost send`, the sendmail interface) and nobody sends, when the window closes
//! with mail waiting, and at login ([`super::autostart`]). It is `outpost run --background`
//! in a session of its own, so that it outlives the terminal, cron's job or git that caused
//! it; it holds the worker lock like any sender (so two callers at once start one), gives
//! way to the window, and ends when nothing waits.

use std::process::{Command, Stdio};

use super::autostart;
use super::worker::{self, Sender};
use crate::paths::Paths;

/// Set to `off` (or `0`, `no`, `false`), queueing does not start a sender: for setups that
/// run `outpost run` themselves.
pub const ENV: &str = "OUTPOST_BACKGROUND";

/// What [`start`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A sender runs already: it was woken, and sends.
    Running(Sender),
    /// A background sender was started: this process.
    Started(u32),
    /// `OUTPOST_BACKGROUND=off`: nothing was started.
    Off,
}

/// Why no background sender could be started.
#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    /// This program's own file could not be found, to start it again.
    #[error("{}", tr!("background-no-program", error = .0.to_string()))]
    Program(std::io::Error),
    /// The system refused to start it.
    #[error("{}", tr!("background-not-started", error = .0.to_string()))]
    Spawn(std::io::Error),
}

/// Whether `OUTPOST_BACKGROUND` turns starting a sender off.
pub fn turned_off() -> bool {
    std::env::var(ENV).is_ok_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        ["off", "0", "no", "false"].contains(&v.as_str())
    })
}

/// Makes sure a sender runs for the outbox of `paths`: when none does, starts the background
/// sender, detached, and writes the login entry that starts it again after a restart. Call
/// after the message is on disk: a sender that is just ending looks once more before it
/// lets go of the outbox, so a message queued meanwhile is never left behind.
pub fn start(paths: &Paths) -> Result<Start, BackgroundError> {
    if turned_off() {
        return Ok(Start::Off);
    }
    // This very process may hold the outbox still: a window closing.
    if let Some(sender) = worker::sender(paths).filter(|s| s.pid != Some(std::process::id())) {
        return Ok(Start::Running(sender));
    }
    let exe = std::env::current_exe().map_err(BackgroundError::Program)?;
    // The login entry is a help for later, not needed to send now: a failure is logged.
    if let Err(e) = autostart::install(paths, &exe) {
        tracing::warn!("no login entry in {}: {e}", paths.autostart_dir.display());
    }
    let child = Command::new(&exe)
        .args(["run", "--background"])
        // Nothing of the caller's: cron and git wait for their pipes to close, and a
        // terminal or a mounted folder must be free to go.
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .current_dir("/")
        .spawn()
        .map_err(BackgroundError::Spawn)?;
    tracing::info!("started the background sender, process {}", child.id());
    Ok(Start::Started(child.id()))
}

/// Leaves the caller's session (the background sender's first step): no hang-up from a
/// closing terminal, no signal meant for the job that started it.
pub fn detach() {
    #[cfg(unix)]
    if let Err(e) = rustix::process::setsid() {
        // Already a session's leader (started by the desktop, say): nothing to leave.
        tracing::debug!("setsid: {e}");
    }
}
