//! The window (eframe/egui). [`app`] routes; each screen (accounts, write, outbox,
//! settings) owns its state, draws it, and sends commands to the
//! [`runtime::Core`](crate::runtime::Core); events come back through a channel.

mod accounts;
pub mod app;
mod caret;
mod chrome;
mod design;
pub mod fonts;
mod frame_log;
mod outbox;
mod settings;
mod shared;
mod table_roles;
mod widgets;
mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use app::{OutpostApp, Remembered};
use frame_log::FrameLog;
pub use shared::View;
pub use write::file_dialog::{FilePicker, Picked};

use crate::explain::Explain;
use crate::instance::{Claim, Request};
use crate::net::NetConfig;
use crate::paths::Paths;
use crate::runtime::Core;

/// The smallest the window gets, in points: every screen fits its width, and the main action
/// of each is in view without scrolling sideways (tests/window_sizes.rs).
pub const MIN_SIZE: [f32; 2] = [720.0, 520.0];

/// The window could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// No folder for Outpost's files.
    #[error(transparent)]
    Paths(#[from] crate::paths::NoHomeDir),
    /// eframe could not open a window.
    #[error(transparent)]
    Eframe(#[from] eframe::Error),
    /// The socket that keeps one window per data folder could not be made.
    #[error(transparent)]
    Instance(#[from] crate::instance::InstanceError),
}

/// Opens the window and runs until it is closed, doing `request` (show, or compose a
/// `mailto:` link). When a window is open already, hands `request` to it and returns.
pub fn run(request: Request) -> Result<(), UiError> {
    let paths = Paths::from_env()?;
    let _log = paths.log_dir().ok().map(|dir| crate::log::to_file(&dir));
    let listener = match crate::instance::claim(&paths, &request)? {
        Claim::First(listener) => listener,
        Claim::HandedOver => {
            println!("{}", tr!("window-already-open"));
            return Ok(());
        }
    };
    #[expect(
        clippy::expect_used,
        reason = "the icon built in is a PNG (the window tests open it)"
    )]
    let icon = eframe::icon_data::from_png_bytes(include_bytes!(
        "../../icons/hicolor/256x256/apps/io.github.outpostmail.Outpost.png"
    ))
    .expect("the embedded icon is a PNG");
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Outpost")
            .with_app_id(crate::APP_ID)
            .with_icon(icon)
            .with_inner_size([900.0, 620.0])
            .with_min_inner_size(MIN_SIZE),
        persistence_path: Some(paths.data_dir.join("window.ron")),
        ..Default::default()
    };
    let keep_sending = Arc::new(AtomicBool::new(true));
    let keep = keep_sending.clone();
    let closing_drafts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let unsaved = closing_drafts.clone();
    let closed_paths = paths.clone();
    eframe::run_native(
        "Outpost",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let net = NetConfig::from_env().map_err(|e| e.explain());
            let waker = ctx.clone();
            let core = Core::start(&paths, net, move || waker.request_repaint());
            let remembered: Remembered = cc
                .storage
                .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                .unwrap_or_default();
            let (tx, rx) = std::sync::mpsc::channel();
            listener.serve(move |r| {
                // The window takes requests as long as it runs; after, nobody is asking.
                if tx.send(r).is_ok() {
                    ctx.request_repaint();
                }
            });
            core.send(crate::runtime::Command::SystemFonts);
            let mut app = OutpostApp::restore(core, remembered)
                .with_requests(rx)
                .with_keep_sending(keep)
                .with_closing_drafts(unsaved);
            if let Some(path) = std::env::var_os("OUTPOST_FRAME_LOG") {
                // For benchmarks only: no log is no harm.
                if let Ok(file) = std::fs::File::create(path) {
                    app = app.with_frame_log(FrameLog::new(Box::new(file)));
                }
            }
            app.handle(request);
            Ok(Box::new(app))
        }),
    )?;
    // What was written since the last save is kept for the next start.
    let unsaved = closing_drafts.lock().map(|d| d.clone()).unwrap_or_default();
    if let Err(e) = crate::usecases::writing::save_all(&closed_paths, &unsaved) {
        tracing::error!("the drafts could not be saved as the window closed: {e}");
    }
    // The window is gone; its sender goes with this process. What waits is left to the
    // background sender, as Settings says.
    crate::usecases::queue::window_closed(&closed_paths, keep_sending.load(Ordering::Relaxed));
    Ok(())
}
