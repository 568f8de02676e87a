//! The real binary in a real X server (Xvfb): the window opens, draws, and a screenshot of it
//! is kept in the target dir (`CARGO_TARGET_TMPDIR/outpost-window.png`); a message refused for
//! good raises a desktop notification on the session bus while the window runs.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::notifications::Notifications;
use support::{DnsServer, Outpost, PASSWORD, SecretService, Smtpd, TestCa};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn be_u32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes(b[i * 4..i * 4 + 4].try_into().unwrap())
}

/// Width, height and 0xRRGGBB pixels of an XWD screenshot (ZPixmap, 24/32 bits per pixel).
fn parse_xwd(data: &[u8]) -> (u32, u32, Vec<u32>) {
    let header_size = be_u32(data, 0) as usize;
    let (width, height) = (be_u32(data, 4), be_u32(data, 5));
    let byte_order = be_u32(data, 7);
    let bits_per_pixel = be_u32(data, 11);
    let bytes_per_line = be_u32(data, 12) as usize;
    let ncolors = be_u32(data, 19) as usize;
    let bytes = (bits_per_pixel / 8) as usize;
    assert!(
        bytes == 3 || bytes == 4,
        "a true-colour screen ({bits_per_pixel} bits)"
    );
    let pixels_at = header_size + ncolors * 12;
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height as usize {
        for x in 0..width as usize {
            let p = &data[pixels_at + y * bytes_per_line + x * bytes..][..bytes];
            let v = if byte_order == 0 {
                p.iter().rev().fold(0u32, |v, b| (v << 8) | u32::from(*b))
            } else {
                p.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b))
            };
            pixels.push(v & 0x00ff_ffff);
        }
    }
    (width, height, pixels)
}

/// An X server of its own, on a display number derived from the process id and `n`.
fn xvfb(n: u32) -> (Killed, String) {
    let display = format!(":{}", 100 + (std::process::id() * 2 + n) % 800);
    let x = Killed(
        Command::new("Xvfb")
            .args([&display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (./scripts/test installs xvfb)"),
    );
    std::thread::sleep(Duration::from_millis(500));
    (x, display)
}

#[test]
fn the_window_opens_and_draws_under_xvfb() {
    let (_x, display) = xvfb(0);
    let home = tempfile::tempdir().unwrap();
    let _app = Killed(
        Command::new(env!("CARGO_BIN_EXE_outpost"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("OUTPOST_HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    loop {
        let shot = Command::new("xwd")
            .args(["-root", "-silent", "-display", &display])
            .output()
            .expect("xwd runs (./scripts/test installs x11-apps)");
        if shot.status.success() {
            let (w, h, pixels) = parse_xwd(&shot.stdout);
            let mut colors = pixels.clone();
            colors.sort_unstable();
            colors.dedup();
            if colors.len() >= 8 {
                let rgb: Vec<u8> = pixels
                    .iter()
                    .flat_map(|p| [(p >> 16) as u8, (p >> 8) as u8, *p as u8])
                    .collect();
                let path =
                    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("outpost-window.png");
                image::save_buffer(&path, &rgb, w, h, image::ExtendedColorType::Rgb8).unwrap();
                eprintln!("screenshot: {}", path.display());
                return;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the window did not draw within 30 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
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

    let (_x, display) = xvfb(1);
    let mut app = op.command(&[]);
    app.env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.bus)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _app = Killed(app.spawn().unwrap());
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
