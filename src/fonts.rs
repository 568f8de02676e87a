//! Fallback fonts from the system, so that text in any script shows: egui's own fonts cover
//! Latin, Greek, Cyrillic and some symbols, but a subject in Chinese or with ✓ would be boxes.
//! Read here (files), installed by the window.

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

/// A font file read: its path (which names it) and its bytes.
pub type FontFile = (String, Vec<u8>);

/// Every candidate font that exists, best first. Reads files: call it off the UI thread.
pub fn system_fallbacks() -> Vec<FontFile> {
    CANDIDATES
        .iter()
        .filter_map(|path| Some((path.to_string(), std::fs::read(path).ok()?)))
        .collect()
}
