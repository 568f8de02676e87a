//! Driving the window by label, like a person would (egui_kittest), against the lab servers.

use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use outpost::net::NetConfig;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::OutpostApp;

use super::{DnsServer, Smtpd, TestCa, USER};

pub struct Lab {
    pub ca: TestCa,
    pub dns: DnsServer,
    pub smtpd: Smtpd,
    pub home: tempfile::TempDir,
}

pub fn window() -> (Harness<'static, OutpostApp>, Lab) {
    window_with_zone("example.test")
}

/// A window whose DNS server serves `tests/data/<zone>.zone`.
pub fn window_with_zone(zone: &str) -> (Harness<'static, OutpostApp>, Lab) {
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start(zone);
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let home = tempfile::tempdir().unwrap();
    let net = NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: Some(ca.ca_pem.clone()),
        ..Default::default()
    };
    let core = Core::start(&Paths::under(home.path()), Ok(net), || {});
    let harness = Harness::builder()
        .with_size([1000.0, 900.0])
        .with_max_steps(200)
        .build_ui_state(
            |ui, app: &mut OutpostApp| app.show(ui),
            OutpostApp::new(core),
        );
    let lab = Lab {
        ca,
        dns,
        smtpd,
        home,
    };
    (harness, lab)
}

impl Lab {
    /// The command line, on the same files, DNS server and CA as the window.
    pub fn outpost(&self) -> super::Outpost {
        let mut op = super::Outpost::new(&self.dns, &self.ca);
        op.env.retain(|(k, _)| k != "OUTPOST_HOME");
        op.env.push((
            "OUTPOST_HOME".into(),
            self.home.path().display().to_string(),
        ));
        op
    }
}

/// Steps the UI until `done` holds; background events arrive on their own time.
pub fn wait_for(
    harness: &mut Harness<'_, OutpostApp>,
    what: &str,
    done: impl Fn(&Harness<'_, OutpostApp>) -> bool,
) {
    let start = Instant::now();
    while !done(harness) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.run();
}

pub fn type_into(harness: &mut Harness<'_, OutpostApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

pub fn fill_form(harness: &mut Harness<'_, OutpostApp>, port: u16, password: &str) {
    wait_for(harness, "the first-run form", |h| {
        h.query_by_label("E-mail address").is_some()
    });
    type_into(harness, "E-mail address", USER);
    type_into(harness, "Server", "mail.example.test");
    harness.get_by_label("Security").click();
    harness.run();
    harness.get_by_label("STARTTLS").click();
    harness.run();
    type_into(harness, "Port", &port.to_string());
    type_into(harness, "Password", password);
}
