//! The text caret blinks as GTK's does: at the desktop's rate, and not at all after a few
//! seconds without input (then no frame is drawn for it: an idle window costs nothing).
//! GTK's own settings file is read (`gtk-cursor-blink`, `gtk-cursor-blink-time`,
//! `gtk-cursor-blink-timeout`); without one, GNOME's defaults: a 1.2 s cycle, 10 s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::{Context, Theme};

/// How the desktop wants the caret to blink.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blink {
    /// Blink at all.
    pub on: bool,
    /// One whole cycle, shown and hidden.
    pub cycle: Duration,
    /// Blinking stops this long after the last input.
    pub timeout: Duration,
}

impl Default for Blink {
    /// GNOME's and GTK's defaults.
    fn default() -> Self {
        Self {
            on: true,
            cycle: Duration::from_millis(1200),
            timeout: Duration::from_secs(10),
        }
    }
}

impl Blink {
    /// The desktop's settings: GTK 4's or GTK 3's `settings.ini` under the XDG config folder,
    /// else the defaults.
    pub fn of_desktop() -> Self {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")));
        config
            .iter()
            .flat_map(|c| ["gtk-4.0", "gtk-3.0"].map(|v| c.join(v).join("settings.ini")))
            .find_map(|p| std::fs::read_to_string(p).ok())
            .map_or_else(Self::default, |text| Self::from_settings(&text))
    }

    /// Reads the `[Settings]` keys of a GTK `settings.ini`; what is missing or unreadable
    /// keeps its default.
    pub fn from_settings(text: &str) -> Self {
        let mut blink = Self::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "gtk-cursor-blink" => {
                    blink.on = !matches!(value, "false" | "0" | "FALSE" | "False");
                }
                "gtk-cursor-blink-time" => {
                    if let Ok(ms) = value.parse::<u64>().map(|ms| ms.clamp(100, 10_000)) {
                        blink.cycle = Duration::from_millis(ms);
                    }
                }
                "gtk-cursor-blink-timeout" => {
                    if let Ok(s) = value.parse::<u64>() {
                        blink.timeout = Duration::from_secs(s.min(3600));
                    }
                }
                _ => {}
            }
        }
        blink
    }
}

/// The caret's state across frames.
#[derive(Debug)]
pub struct Caret {
    blink: Blink,
    /// When the last input came (egui's clock, seconds).
    last_input: f64,
    /// Whether the style says to blink now; `None` before the first frame.
    blinking: Option<bool>,
}

impl Caret {
    /// A caret that blinks as `blink` says.
    pub fn new(blink: Blink) -> Self {
        Self {
            blink,
            last_input: 0.0,
            blinking: None,
        }
    }

    /// Whether the caret blinks now.
    #[cfg(test)]
    pub fn blinking(&self) -> bool {
        self.blinking == Some(true)
    }

    /// Call once a frame, before anything is drawn: blinks after input, stops when the
    /// timeout has passed since the last (and asks for the frame that shows it steady).
    pub fn frame(&mut self, ctx: &Context) {
        let (now, input) = ctx.input(|i| {
            let moved = i.pointer.delta() != egui::Vec2::ZERO;
            (
                i.time,
                moved || !i.events.is_empty() || i.pointer.any_down(),
            )
        });
        if input || self.blinking.is_none() {
            self.last_input = now;
        }
        let idle = Duration::from_secs_f64((now - self.last_input).max(0.0));
        let blink = self.blink.on && idle < self.blink.timeout;
        if self.blinking != Some(blink) {
            let half = self.blink.cycle.as_secs_f32() / 2.0;
            for theme in [Theme::Dark, Theme::Light] {
                ctx.style_mut_of(theme, |s| {
                    s.visuals.text_cursor.blink = blink;
                    s.visuals.text_cursor.on_duration = half;
                    s.visuals.text_cursor.off_duration = half;
                });
            }
            self.blinking = Some(blink);
        }
        if blink {
            ctx.request_repaint_after(self.blink.timeout - idle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtk_settings_set_the_rate_and_the_timeout() {
        let b = Blink::from_settings(
            "[Settings]\ngtk-cursor-blink-time = 800\ngtk-cursor-blink-timeout=3\n",
        );
        assert_eq!(b.cycle, Duration::from_millis(800));
        assert_eq!(b.timeout, Duration::from_secs(3));
        assert!(b.on);
        assert!(!Blink::from_settings("gtk-cursor-blink=false").on);
        assert_eq!(
            Blink::from_settings("gtk-cursor-blink-time=x"),
            Blink::default()
        );
    }

    /// Runs a frame at `time` (seconds), with a key press when `key`.
    fn frame(ctx: &Context, caret: &mut Caret, time: f64, key: bool) {
        let mut input = egui::RawInput {
            time: Some(time),
            ..Default::default()
        };
        if key {
            input.events.push(egui::Event::Text("a".into()));
        }
        let mut out = ctx.run_ui(input, |ui| {
            caret.frame(ui.ctx());
        });
        out.textures_delta.clear();
    }

    #[test]
    fn the_caret_stops_blinking_after_the_timeout_and_starts_again_on_input() {
        let ctx = Context::default();
        let mut caret = Caret::new(Blink::default());
        frame(&ctx, &mut caret, 1.0, true);
        assert!(caret.blinking());
        assert!((ctx.style_of(Theme::Dark).visuals.text_cursor.on_duration - 0.6).abs() < 1e-6);
        frame(&ctx, &mut caret, 10.9, false);
        assert!(caret.blinking(), "9.9 s after the last key");
        frame(&ctx, &mut caret, 11.1, false);
        assert!(!caret.blinking(), "10.1 s after the last key");
        assert!(!ctx.style_of(Theme::Dark).visuals.text_cursor.blink);
        frame(&ctx, &mut caret, 30.0, true);
        assert!(caret.blinking());
    }
}
