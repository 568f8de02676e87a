//! Desktop notifications (the freedesktop Notifications service on the session bus), for
//! what the person must know while the window may be hidden: a message refused for good.

/// Why a notification was not shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// No session bus, or no notification service on it.
    #[cfg(target_os = "linux")]
    #[error("{}", tr!("notify-no-service", error = .0.to_string()))]
    Bus(#[from] zbus::Error),
    /// This platform has no notification support in Outpost yet.
    #[error("{}", tr!("notify-unsupported"))]
    Unsupported,
}

/// Shows a notification with `summary` and `body`; returns the service's id for it.
/// Blocks for one D-Bus round trip: call it off the UI thread.
#[cfg(target_os = "linux")]
pub fn show(summary: &str, body: &str) -> Result<u32, NotifyError> {
    use std::collections::HashMap;
    use zbus::zvariant::Value;

    let conn = zbus::blocking::Connection::session()?;
    let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
    hints.insert("desktop-entry", Value::from(crate::APP_ID));
    // 1 = normal urgency: the person should see it, it is not an emergency.
    hints.insert("urgency", Value::from(1u8));
    let reply = conn.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &(
            "Outpost",
            0u32,
            crate::APP_ID,
            summary,
            body,
            Vec::<&str>::new(),
            hints,
            -1i32,
        ),
    )?;
    Ok(reply.body().deserialize::<u32>()?)
}

/// Shows a notification with `summary` and `body` (not supported on this platform).
#[cfg(not(target_os = "linux"))]
pub fn show(_summary: &str, _body: &str) -> Result<u32, NotifyError> {
    Err(NotifyError::Unsupported)
}
