//! The window.

/// Opens the window and runs until it is closed.
pub fn run() -> Result<(), eframe::Error> {
    Ok(())
}
