//! A real X server (Xvfb) of a test's own, the real binary in it, and screenshots (xwd).

use std::process::{Command, Stdio};
use std::time::Duration;

use super::Killed;

/// An X server on its own display; stops when dropped.
pub struct Xvfb {
    pub display: String,
    _server: Killed,
}

impl Xvfb {
    /// A 1024×768 screen on a display number derived from the process id and `n`.
    pub fn start(n: u32) -> Self {
        let display = format!(":{}", 100 + (std::process::id() * 2 + n) % 800);
        let server = Killed(
            Command::new("Xvfb")
                .args([&display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb runs (./scripts/test installs xvfb)"),
        );
        // Ready once its socket answers (the display number without the colon names it).
        let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
        let start = std::time::Instant::now();
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "Xvfb {display} did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            display,
            _server: server,
        }
    }

    /// Runs `xdotool` on this display with `args`; it must succeed; what it printed.
    #[allow(dead_code)]
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs (./scripts/test installs it)");
        assert!(out.status.success(), "xdotool {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Outpost's window (its X id), once it is there.
    #[allow(dead_code)]
    pub fn outpost_window(&self) -> String {
        let ids = self.xdotool(&["search", "--sync", "--name", "Outpost$"]);
        ids.lines().next().unwrap_or_default().to_string()
    }

    /// The whole screen, if it has drawn anything: at least 8 colours.
    pub fn drawn(&self) -> Option<Screenshot> {
        let shot = Command::new("xwd")
            .args(["-root", "-silent", "-display", &self.display])
            .output()
            .expect("xwd runs (./scripts/test installs x11-apps)");
        if !shot.status.success() {
            return None;
        }
        let s = Screenshot::from_xwd(&shot.stdout);
        let mut colors = s.pixels.clone();
        colors.sort_unstable();
        colors.dedup();
        (colors.len() >= 8).then_some(s)
    }
}

/// A screen's pixels.
pub struct Screenshot {
    pub width: u32,
    pub height: u32,
    /// 0xRRGGBB, row by row.
    pub pixels: Vec<u32>,
}

fn be_u32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes(b[i * 4..i * 4 + 4].try_into().unwrap())
}

impl Screenshot {
    /// From an XWD dump (ZPixmap, 24/32 bits per pixel).
    pub fn from_xwd(data: &[u8]) -> Self {
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
        Self {
            width,
            height,
            pixels,
        }
    }

    /// As 8-bit RGB bytes.
    pub fn rgb(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|p| [(p >> 16) as u8, (p >> 8) as u8, *p as u8])
            .collect()
    }
}
