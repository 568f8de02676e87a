//! The real binary under Xvfb, driven only through the accessibility bus (AT-SPI, with
//! pyatspi), as a screen-reader user works: the first-run wizard to a saved account (the
//! password in GNOME Keyring), a message written and sent (address suggestions heard as a
//! list, a misspelt word told in words, the spelling language told), the outbox saying it
//! was sent, the drafts (none left), the settings. The walk (`tests/support/atspi_walk.py`) fails on any object that takes focus
//! without a name, and on a window that does not say where the person is.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Killed;
use support::xvfb::Xvfb;
use support::{DnsServer, Outpost, PASSWORD, SecretService, Smtpd, TestCa, USER, free_port};

/// Turns accessibility on for the session, as GNOME does when a screen reader runs: the
/// session bus starts the accessibility bus (at-spi-bus-launcher) on first use.
fn enable_accessibility(bus: &str) {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.a11y.Bus",
            "/org/a11y/bus",
            "org.freedesktop.DBus.Properties.Set",
            "string:org.a11y.Status",
            "string:IsEnabled",
            "variant:boolean:true",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output()
        .expect("dbus-send runs (./scripts/test installs dbus-bin)");
    assert!(
        out.status.success(),
        "the accessibility bus did not start (./scripts/test installs at-spi2-core): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_screen_reader_user_sets_up_an_account_and_sends_a_message() {
    let keyring = SecretService::start();
    enable_accessibility(&keyring.bus);
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let mut op = Outpost::new(&dns, &ca);
    // 465 is blocked on this "network"; 587 reaches the lab server.
    op.env.push((
        "OUTPOST_PORT_MAP".into(),
        format!("465={},587={}", free_port(), smtpd.port),
    ));
    let x = Xvfb::start(3);
    let mut app = op.command(&[]);
    app.env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .envs(keyring.env())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(op.home.path().join("window.log")).unwrap());
    let _app = Killed(app.spawn().unwrap());

    let subject = "Written without a mouse";
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/atspi_walk.py");
    // Debian's python3-pyatspi is for Debian's own Python.
    let walk = Command::new("/usr/bin/python3")
        .arg(&script)
        .args([USER, PASSWORD, "bob@example.net", subject])
        .env("DISPLAY", &x.display)
        .envs(keyring.env())
        .output()
        .expect("/usr/bin/python3 runs (./scripts/test installs python3-pyatspi)");
    let said = String::from_utf8_lossy(&walk.stdout);
    assert!(
        walk.status.success(),
        "the walk failed:\n{said}\n{}\nthe window's log:\n{}",
        String::from_utf8_lossy(&walk.stderr),
        std::fs::read_to_string(op.home.path().join("window.log")).unwrap_or_default()
    );
    eprintln!("{said}");

    let start = Instant::now();
    let text = loop {
        let texts = smtpd.received_text();
        if let Some(t) = texts.into_iter().find(|t| t.contains(subject)) {
            break t;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "not delivered");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(text.contains("To: bob@example.net"), "{text}");
    assert!(
        text.contains("From: \"Ann Example\" <ann@example.test>"),
        "{text}"
    );
}
