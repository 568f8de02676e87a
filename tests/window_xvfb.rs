//! The real binary in a real X server (Xvfb): the window opens, draws, and a screenshot of it
//! is kept in the target dir (`CARGO_TARGET_TMPDIR/outpost-window.png`); a message refused for
//! good raises a desktop notification on the session bus while the window runs.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Killed;
use support::notifications::Notifications;
use support::xvfb::Xvfb;
use support::{DnsServer, Outpost, PASSWORD, SecretService, Smtpd, TestCa};

#[test]
fn the_window_opens_and_draws_under_xvfb() {
    let x = Xvfb::start(0);
    let home = tempfile::tempdir().unwrap();
    let _app = Killed(
        Command::new(env!("CARGO_BIN_EXE_outpost"))
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    loop {
        if let Some(shot) = x.drawn() {
            let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("outpost-window.png");
            image::save_buffer(
                &path,
                &shot.rgb(),
                shot.width,
                shot.height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
            eprintln!("screenshot: {}", path.display());
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the window did not draw within 30 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The window of `op`'s Outpost on `x`, with `bus` as its session bus.
fn open_window(op: &Outpost, x: &Xvfb, bus: &str) -> Killed {
    let mut app = op.command(&[]);
    app.env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Killed(app.spawn().unwrap())
}

#[test]
fn a_refused_message_raises_a_desktop_notification() {
    let bus = SecretService::bus_only();
    let notifications = Notifications::serve(&bus.bus);
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start_with(
        "starttls",
        Some(&cert),
        &["--refuse-rcpt", "nobody@example.net"],
    );
    let op = Outpost::new(&dns, &ca);
    op.add_starttls(smtpd.port, PASSWORD, &[]);
    op.send(&[
        "--to",
        "nobody@example.net",
        "--subject",
        "Lost letter",
        "--body",
        "hi",
    ]);

    let x = Xvfb::start(1);
    let _app = open_window(&op, &x, &bus.bus);
    let start = Instant::now();
    loop {
        if let Some(n) = notifications.shown.lock().unwrap().first() {
            assert_eq!(n.app_name, "Outpost");
            assert_eq!(n.summary, "“Lost letter” was not delivered");
            assert!(
                n.body.contains("550 5.1.1"),
                "the server's words: {}",
                n.body
            );
            assert_eq!(
                n.desktop_entry.as_deref(),
                Some("io.github.outpostmail.Outpost")
            );
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no notification within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_second_start_hands_over_to_the_open_window() {
    let x = Xvfb::start(2);
    let home = tempfile::tempdir().unwrap();
    let start = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_outpost"));
        cmd.args(args)
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home.path());
        cmd
    };
    let mut first = Killed(
        start(&[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let began = Instant::now();
    while x.drawn().is_none() {
        assert!(began.elapsed() < Duration::from_secs(30), "no window");
        std::thread::sleep(Duration::from_millis(100));
    }
    for args in [&["mailto:bob@example.net?subject=Hi"][..], &[][..]] {
        let out = start(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Outpost is already open"),
            "{out:?}"
        );
    }
    assert!(
        first.0.try_wait().unwrap().is_none(),
        "the first window still runs"
    );
}

#[test]
fn closing_the_window_with_mail_waiting_leaves_a_background_sender_and_says_so_once() {
    let bus = SecretService::bus_only();
    let notifications = Notifications::serve(&bus.bus);
    let lab = support::SendLab::start(&[], PASSWORD, &[]);
    // A message for later: nothing sends it yet (queued with the background sender off).
    lab.op
        .send(&["--to", "bob@example.net", "--body", "hi", "--delay", "3600"]);
    let op = lab.op.background();
    let x = Xvfb::start(4);
    let mut window = open_window(&op, &x, &bus.bus);
    let began = Instant::now();
    while x.drawn().is_none() || op.sender()["role"] != "window" {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "no window sending"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Ctrl+Q, as the person closes it.
    let id = x.outpost_window();
    x.xdotool(&["windowfocus", "--sync", &id]);
    assert!(
        window.0.try_wait().unwrap().is_none(),
        "the window is open before Ctrl+Q"
    );
    x.xdotool(&["key", "ctrl+q"]);
    let began = Instant::now();
    while window.0.try_wait().unwrap().is_none() {
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "the window stays open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The background sender holds the outbox now, and the desktop was told, once.
    let began = Instant::now();
    let sender = loop {
        let s = op.sender();
        if s["role"] == "background" {
            break s;
        }
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "no background sender: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let _sender = support::KillPid(sender["pid"].as_u64().unwrap() as u32);
    assert_ne!(sender["pid"].as_u64(), Some(u64::from(window.0.id())));
    let shown = notifications.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(
        shown[0].summary,
        "Outpost will send the waiting message in the background"
    );
}

#[test]
fn a_draft_typed_in_the_real_window_survives_kill_9_and_comes_back_in_write() {
    let bus = SecretService::bus_only();
    let lab = support::SendLab::start(&[], PASSWORD, &[]);
    let op = &lab.op;
    let paths = outpost::paths::Paths::under(op.home.path());
    let x = Xvfb::start(5);
    let mut window = open_window(op, &x, &bus.bus);
    let began = Instant::now();
    while x.drawn().is_none() {
        assert!(began.elapsed() < Duration::from_secs(30), "no window");
        std::thread::sleep(Duration::from_millis(100));
    }
    let id = x.outpost_window();
    x.xdotool(&["windowfocus", "--sync", &id]);
    // Ctrl+N: Write, with the cursor in To.
    x.xdotool(&["key", "ctrl+n"]);
    std::thread::sleep(Duration::from_millis(500));
    x.xdotool(&["type", "--delay", "30", "bob@example.net"]);
    // Two seconds after the last key: saved, whatever happens next.
    std::thread::sleep(Duration::from_secs(2));
    window.0.kill().unwrap();
    window.0.wait().unwrap();
    let kept = outpost::usecases::writing::list(&paths).unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].draft.to, "bob@example.net");

    // The next start opens on Write, with the draft.
    let _window = open_window(op, &x, &bus.bus);
    let began = Instant::now();
    loop {
        let title = Command::new("xdotool")
            .args(["search", "--name", "Outpost$", "getwindowname"])
            .env("DISPLAY", &x.display)
            .output()
            .unwrap();
        if String::from_utf8_lossy(&title.stdout).trim() == "Write — Outpost" {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "the window did not come back in Write: {title:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let kept = outpost::usecases::writing::list(&paths).unwrap();
    assert_eq!(
        kept[0].draft.to, "bob@example.net",
        "nothing lost meanwhile"
    );
}
