//! A desktop notification service (`org.freedesktop.Notifications`) on a private session bus,
//! standing in for the desktop shell: it records what it is asked to show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::zvariant::OwnedValue;

/// One notification as received.
#[derive(Debug, Clone)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
    pub desktop_entry: Option<String>,
}

struct Service(Arc<Mutex<Vec<Shown>>>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let desktop_entry = hints
            .get("desktop-entry")
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok());
        let mut shown = self.0.lock().unwrap();
        shown.push(Shown {
            app_name,
            summary,
            body,
            desktop_entry,
        });
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "outpost-test".into(),
            "outpost".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// The service, serving on `bus` until dropped.
pub struct Notifications {
    pub shown: Arc<Mutex<Vec<Shown>>>,
    _conn: zbus::blocking::Connection,
}

impl Notifications {
    pub fn serve(bus: &str) -> Self {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::blocking::connection::Builder::address(bus)
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at("/org/freedesktop/Notifications", Service(shown.clone()))
            .unwrap()
            .build()
            .expect("the notification service takes its name on the bus");
        Self { shown, _conn: conn }
    }
}
