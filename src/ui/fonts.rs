//! Installs fallback fonts the core read ([`crate::fonts`]) behind egui's own, for both
//! families, so that text in any script shows.

use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};
use egui::{Context, FontFamily};

use crate::fonts::FontFile;

/// Adds `fonts` as fallbacks, in order; returns how many.
pub fn install(ctx: &Context, fonts: Vec<FontFile>) -> usize {
    let added = fonts.len();
    for (name, bytes) in fonts {
        let families = [FontFamily::Proportional, FontFamily::Monospace]
            .into_iter()
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .collect();
        ctx.add_font(FontInsert::new(
            &name,
            FontData::from_owned(bytes),
            families,
        ));
    }
    added
}
