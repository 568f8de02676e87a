//! Choosing files to attach, off the UI thread. The native dialog (`rfd`: the desktop portal,
//! else zenity) sits behind [`FilePicker`] so tests can supply paths. rfd answers "cancelled"
//! when it could show no dialog at all; [`NativePicker`] tells the two apart by first asking
//! whether any dialog service exists, so the window can offer drag-and-drop or a typed path.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

/// How a request for files ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// The person chose these files.
    Files(Vec<PathBuf>),
    /// The person closed the dialog.
    Cancelled,
    /// No dialog could be shown; says why.
    Unavailable(String),
}

/// Shows a file chooser; may block, and is always called off the UI thread.
pub trait FilePicker: Send + Sync {
    /// Asks for files to attach.
    fn pick_files(&self) -> Picked;
}

/// The desktop's own file chooser.
#[derive(Debug, Default, Clone, Copy)]
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick_files(&self) -> Picked {
        if let Some(why) = no_dialog_service() {
            return Picked::Unavailable(why);
        }
        match rfd::FileDialog::new()
            .set_title(tr!("attach-files-title"))
            .pick_files()
        {
            Some(files) if !files.is_empty() => Picked::Files(files),
            _ => Picked::Cancelled,
        }
    }
}

/// Why no file dialog can be shown, if none can.
#[cfg(target_os = "linux")]
fn no_dialog_service() -> Option<String> {
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()));
    if zenity || portal_available() {
        return None;
    }
    Some(tr!("no-file-chooser"))
}

#[cfg(target_os = "linux")]
fn portal_available() -> bool {
    const PORTAL: &str = "org.freedesktop.portal.Desktop";
    let Ok(conn) = zbus::blocking::Connection::session() else {
        return false;
    };
    let Ok(bus) = zbus::blocking::fdo::DBusProxy::new(&conn) else {
        return false;
    };
    let Ok(name) = zbus::names::BusName::try_from(PORTAL) else {
        return false;
    };
    bus.name_has_owner(name.clone()).unwrap_or(false)
        || bus
            .list_activatable_names()
            .is_ok_and(|names| names.iter().any(|n| n.as_str() == PORTAL))
}

#[cfg(not(target_os = "linux"))]
fn no_dialog_service() -> Option<String> {
    None
}

/// How long a file chooser may take to appear before Write says so: a desktop portal
/// without a file chooser of its own answers only after its own timeout (25 s or more).
pub const SLOW: std::time::Duration = std::time::Duration::from_secs(1);

/// A request running on its own thread, and when it started.
pub struct Pending(mpsc::Receiver<Picked>, std::time::Instant);

impl Pending {
    /// Starts `picker` on a thread.
    pub fn start(picker: Arc<dyn FilePicker>) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Nobody waits any more when the window closed meanwhile.
            tx.send(picker.pick_files()).ok();
        });
        Self(rx, std::time::Instant::now())
    }

    /// Whether it has been waiting longer than a file chooser takes to appear.
    pub fn slow(&self) -> bool {
        self.1.elapsed() >= SLOW
    }

    /// The answer, once there is one; never blocks.
    pub fn poll(&self) -> Option<Picked> {
        match self.0.try_recv() {
            Ok(p) => Some(p),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Picked::Cancelled),
        }
    }
}
