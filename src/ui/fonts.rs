//! Fallback fonts from the system, so that text in any script shows: egui's own fonts cover
//! Latin, Greek, Cyrillic and some symbols, but a subject in Chinese or with ✓ would be boxes.
//! Each font found is added behind egui's own, for both families.

use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use egui::{Context, FontFamily};

/// Common places of broad-coverage fonts (Linux distributions, macOS, Windows), best first.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\seguisym.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
];

/// Adds every candidate font that exists as a fallback; returns how many. Reads files: call
/// it off the UI thread (the window does, on a thread of its own, after its first frame).
pub fn add_system_fallbacks(ctx: &Context) -> usize {
    let mut added = 0;
    for path in CANDIDATES {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let families = [FontFamily::Proportional, FontFamily::Monospace]
            .into_iter()
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .collect();
        ctx.add_font(FontInsert::new(path, FontData::from_owned(bytes), families));
        added += 1;
    }
    added
}
