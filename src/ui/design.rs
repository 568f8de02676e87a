//! Outpost's look in one place, like rerun's `re_ui`: the colours of each theme (chosen for
//! WCAG AA contrast and checked by the tests below), the type scale, spacing, corner radii and
//! the icons that go with every state. Screens ask here; none picks a colour or a size itself.

use egui::{Color32, CornerRadius, FontFamily, FontId, Stroke, TextStyle, Theme, Ui, Visuals};

/// Space between related items (a label and its field).
pub const GAP: f32 = 6.0;
/// Space between groups on a screen (a form and its buttons).
pub const SECTION_GAP: f32 = 14.0;
/// The widest a paragraph of running text grows, in points: long lines are hard to read.
pub const TEXT_WIDTH: f32 = 560.0;

/// The icons, each with the word it goes with: a state is never told by an icon or a colour
/// alone. Every one is in the fonts Outpost ships (tested below).
pub mod icon {
    /// Done, passed, sent, online.
    pub const OK: &str = "✔";
    /// Failed, refused.
    pub const FAILED: &str = "✖";
    /// Not needed, skipped: nothing went wrong.
    pub const SKIPPED: &str = "○";
    /// Waiting its turn.
    pub const WAITING: &str = "⏳";
    /// Going to be tried again.
    pub const RETRY: &str = "⟳";
    /// Under way.
    pub const BUSY: &str = "➡";
    /// Stopped by the person.
    pub const CANCELLED: &str = "⏹";
    /// Needs attention.
    pub const WARNING: &str = "⚠";
    /// Every icon, for the test that the fonts have them.
    #[cfg(test)]
    pub const ALL: [&str; 8] = [
        OK, FAILED, SKIPPED, WAITING, RETRY, BUSY, CANCELLED, WARNING,
    ];
}

/// What a theme's colours are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Behind everything (panels, dialogs).
    pub background: Color32,
    /// Behind text fields and the table's stripes' other half.
    pub field: Color32,
    /// Every other row of a table.
    pub stripe: Color32,
    /// Running text.
    pub text: Color32,
    /// Secondary text: hints, timings, captions.
    pub weak_text: Color32,
    /// Errors and failures.
    pub error: Color32,
    /// Success.
    pub ok: Color32,
    /// Warnings and waiting.
    pub warn: Color32,
    /// Links and things under way.
    pub link: Color32,
    /// A button at rest and its text.
    pub button: Color32,
    pub button_text: Color32,
    /// A button under the pointer.
    pub button_hovered: Color32,
    /// The outline of controls (fields, buttons, checkboxes) at rest.
    pub outline: Color32,
    /// A selected row or tab, and its text.
    pub selected: Color32,
    pub selected_text: Color32,
    /// The keyboard focus ring and the text cursor.
    pub focus: Color32,
    /// The one main action of a view, and its text.
    pub primary: Color32,
    pub primary_text: Color32,
}

/// The dark theme.
pub const DARK: Palette = Palette {
    background: Color32::from_rgb(0x1e, 0x1e, 0x20),
    field: Color32::from_rgb(0x12, 0x12, 0x14),
    stripe: Color32::from_rgb(0x26, 0x26, 0x29),
    text: Color32::from_rgb(0xe4, 0xe4, 0xe7),
    weak_text: Color32::from_rgb(0xa8, 0xa8, 0xb0),
    error: Color32::from_rgb(0xff, 0x8a, 0x80),
    ok: Color32::from_rgb(0x6c, 0xd6, 0x8a),
    warn: Color32::from_rgb(0xf0, 0xc0, 0x5a),
    link: Color32::from_rgb(0x8a, 0xc4, 0xff),
    button: Color32::from_rgb(0x3a, 0x3a, 0x3f),
    button_text: Color32::from_rgb(0xf2, 0xf2, 0xf4),
    button_hovered: Color32::from_rgb(0x4a, 0x4a, 0x50),
    outline: Color32::from_rgb(0x80, 0x80, 0x88),
    selected: Color32::from_rgb(0x1d, 0x4e, 0x89),
    selected_text: Color32::from_rgb(0xff, 0xff, 0xff),
    focus: Color32::from_rgb(0x8a, 0xc4, 0xff),
    primary: Color32::from_rgb(0x8a, 0xc4, 0xff),
    primary_text: Color32::from_rgb(0x0a, 0x1f, 0x44),
};

/// The light theme.
pub const LIGHT: Palette = Palette {
    background: Color32::from_rgb(0xf6, 0xf6, 0xf7),
    field: Color32::from_rgb(0xff, 0xff, 0xff),
    stripe: Color32::from_rgb(0xec, 0xec, 0xee),
    text: Color32::from_rgb(0x1f, 0x1f, 0x22),
    weak_text: Color32::from_rgb(0x55, 0x55, 0x5c),
    error: Color32::from_rgb(0xb0, 0x1e, 0x1e),
    ok: Color32::from_rgb(0x14, 0x6c, 0x2e),
    warn: Color32::from_rgb(0x80, 0x4d, 0x00),
    link: Color32::from_rgb(0x0b, 0x57, 0xd0),
    button: Color32::from_rgb(0xe4, 0xe4, 0xe7),
    button_text: Color32::from_rgb(0x1f, 0x1f, 0x22),
    button_hovered: Color32::from_rgb(0xd6, 0xd6, 0xda),
    outline: Color32::from_rgb(0x80, 0x80, 0x88),
    selected: Color32::from_rgb(0xc8, 0xdd, 0xfb),
    selected_text: Color32::from_rgb(0x0a, 0x1f, 0x44),
    focus: Color32::from_rgb(0x0b, 0x57, 0xd0),
    primary: Color32::from_rgb(0x0b, 0x57, 0xd0),
    primary_text: Color32::from_rgb(0xff, 0xff, 0xff),
};

impl Palette {
    /// The palette of the theme in use.
    pub fn of(ui: &Ui) -> &'static Palette {
        if ui.visuals().dark_mode {
            &DARK
        } else {
            &LIGHT
        }
    }

    /// egui's visuals in these colours, starting from egui's own for `theme`.
    pub fn visuals(&self, theme: Theme) -> Visuals {
        let mut v = theme.default_visuals();
        v.panel_fill = self.background;
        v.window_fill = self.background;
        v.extreme_bg_color = self.field;
        v.text_edit_bg_color = Some(self.field);
        v.faint_bg_color = self.stripe;
        v.code_bg_color = self.stripe;
        v.weak_text_color = Some(self.weak_text);
        v.error_fg_color = self.error;
        v.warn_fg_color = self.warn;
        v.hyperlink_color = self.link;
        v.window_stroke = Stroke::new(1.0, self.outline);
        v.selection.bg_fill = self.selected;
        v.selection.stroke = Stroke::new(1.0, self.selected_text);
        v.text_cursor.stroke = Stroke::new(2.0, self.focus);
        let w = &mut v.widgets;
        w.noninteractive.fg_stroke = Stroke::new(1.0, self.text);
        w.noninteractive.bg_fill = self.background;
        w.noninteractive.weak_bg_fill = self.background;
        w.inactive.fg_stroke = Stroke::new(1.0, self.button_text);
        w.inactive.bg_fill = self.button;
        w.inactive.weak_bg_fill = self.button;
        w.inactive.bg_stroke = Stroke::new(1.0, self.outline);
        w.hovered.fg_stroke = Stroke::new(1.5, self.button_text);
        w.hovered.bg_fill = self.button_hovered;
        w.hovered.weak_bg_fill = self.button_hovered;
        w.hovered.bg_stroke = Stroke::new(1.0, self.focus);
        w.active.fg_stroke = Stroke::new(2.0, self.button_text);
        w.active.bg_fill = self.button_hovered;
        w.active.weak_bg_fill = self.button_hovered;
        w.active.bg_stroke = Stroke::new(2.0, self.focus);
        w.open.fg_stroke = Stroke::new(1.0, self.button_text);
        w.open.weak_bg_fill = self.button_hovered;
        for state in [&mut w.inactive, &mut w.hovered, &mut w.active, &mut w.open] {
            state.corner_radius = CornerRadius::same(6);
        }
        v
    }
}

/// The type scale: nothing a person must read is smaller than 12 points.
fn text_styles() -> [(TextStyle, FontId); 5] {
    [
        (
            TextStyle::Small,
            FontId::new(12.0, FontFamily::Proportional),
        ),
        (TextStyle::Body, FontId::new(14.0, FontFamily::Proportional)),
        (
            TextStyle::Button,
            FontId::new(14.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Heading,
            FontId::new(20.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Monospace,
            FontId::new(13.0, FontFamily::Monospace),
        ),
    ]
}

/// Makes `ctx` look like Outpost in both themes.
pub fn install(ctx: &egui::Context) {
    for (theme, palette) in [(Theme::Dark, &DARK), (Theme::Light, &LIGHT)] {
        ctx.style_mut_of(theme, |style| {
            style.visuals = palette.visuals(theme);
            style.text_styles = text_styles().into();
            style.spacing.item_spacing = egui::vec2(8.0, GAP);
            style.spacing.button_padding = egui::vec2(10.0, 4.0);
            style.spacing.interact_size.y = 24.0;
            // A scroll bar takes room of its own, beside the content, not over its right
            // edge (a floating bar hid the end of buttons and links there).
            style.spacing.scroll = egui::style::ScrollStyle::solid();
        });
    }
}

/// Green for success.
pub fn ok(ui: &Ui) -> Color32 {
    Palette::of(ui).ok
}

/// Red for failure.
pub fn error(ui: &Ui) -> Color32 {
    Palette::of(ui).error
}

/// Amber for warnings and waiting.
pub fn warn(ui: &Ui) -> Color32 {
    Palette::of(ui).warn
}

/// A section's title within a screen (a screen's own title is `ui.heading`): one style for
/// every section.
pub fn section(ui: &mut Ui, text: impl AsRef<str>) -> egui::Response {
    ui.label(egui::RichText::new(text.as_ref()).strong().size(16.0))
}

/// The one main action of a view ("Continue", "Send", "Save account"), filled with the
/// accent colour, added to `ui` (disabled unless `enabled`); every other button is plain.
/// Never a destructive action. With the keyboard's focus it has a ring around it, apart from
/// its fill: the fill is the focus colour, so egui's own outline would not show.
pub fn primary(ui: &mut Ui, enabled: bool, text: impl AsRef<str>) -> egui::Response {
    let p = Palette::of(ui);
    let button = egui::Button::new(
        egui::RichText::new(text.as_ref())
            .color(p.primary_text)
            .strong(),
    )
    .fill(p.primary);
    let r = ui.add_enabled(enabled, button);
    if r.has_focus() {
        let ring = r.rect.expand(3.0);
        let radius = ui.visuals().widgets.active.corner_radius;
        ui.painter().rect_stroke(
            ring,
            radius,
            egui::Stroke::new(2.0, p.focus),
            egui::StrokeKind::Outside,
        );
    }
    r
}

/// An icon and its word in one colour: how every state is shown. Screen readers read the
/// word.
pub fn chip(ui: &mut Ui, icon: &str, word: impl AsRef<str>, color: Color32) -> egui::Response {
    let word = word.as_ref();
    let r = ui.label(
        egui::RichText::new(format!("{icon} {word}"))
            .color(color)
            .strong(),
    );
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, word));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2.x relative luminance of an sRGB colour.
    fn luminance(c: Color32) -> f64 {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }

    /// WCAG 2.x contrast ratio, 1 to 21.
    fn contrast(a: Color32, b: Color32) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The shapes a frame painted with `primary` drawn (focused when `focus`), and the
    /// button's rectangle.
    fn primary_painted(focus: bool) -> (Vec<egui::epaint::ClippedShape>, egui::Rect, Color32) {
        let ctx = egui::Context::default();
        install(&ctx);
        let mut rect = egui::Rect::NOTHING;
        let mut focus_colour = Color32::TRANSPARENT;
        let mut shapes = vec![];
        for _ in 0..3 {
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                let r = primary(ui, true, "Continue");
                if focus {
                    r.request_focus();
                }
                rect = r.rect;
                focus_colour = Palette::of(ui).focus;
            });
            out.textures_delta.clear();
            shapes = out.shapes;
        }
        (shapes, rect, focus_colour)
    }

    /// Whether `shapes` has a stroke of `colour` around (outside) `rect`.
    fn ring_around(
        shapes: &[egui::epaint::ClippedShape],
        rect: egui::Rect,
        colour: Color32,
    ) -> bool {
        shapes.iter().any(|c| match &c.shape {
            egui::Shape::Rect(r) => {
                r.stroke.color == colour
                    && r.stroke.width >= 2.0
                    && r.rect.contains_rect(rect)
                    && r.rect != rect
            }
            _ => false,
        })
    }

    #[test]
    fn the_main_button_shows_a_focus_ring_apart_from_its_fill() {
        let (shapes, rect, focus) = primary_painted(true);
        assert!(ring_around(&shapes, rect, focus), "no ring around {rect:?}");
        let (shapes, rect, focus) = primary_painted(false);
        assert!(
            !ring_around(&shapes, rect, focus),
            "a ring without the focus"
        );
    }

    #[test]
    fn contrast_is_computed_as_wcag_defines_it() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
        // WebAIM's checker: #777777 on white is 4.48:1.
        let grey = Color32::from_gray(0x77);
        assert!((contrast(grey, Color32::WHITE) - 4.48).abs() < 0.01);
    }

    /// Every text colour on every background it is drawn on reaches 4.5:1; every control's
    /// outline and the focus ring reach 3:1 against what is around them (WCAG 2.1 AA, 1.4.3
    /// and 1.4.11), in both themes, as egui will draw them.
    #[test]
    fn every_pair_meets_wcag_aa_in_both_themes() {
        let mut failures = vec![];
        for (name, theme, p) in [("dark", Theme::Dark, DARK), ("light", Theme::Light, LIGHT)] {
            let v = p.visuals(theme);
            let grounds = [
                ("background", v.panel_fill),
                ("field", v.text_edit_bg_color()),
                ("stripe", v.faint_bg_color),
            ];
            let texts = [
                ("text", v.text_color()),
                ("weak text", v.weak_text_color()),
                ("error", v.error_fg_color),
                ("ok", p.ok),
                ("warn", v.warn_fg_color),
                ("link", v.hyperlink_color),
            ];
            let mut pairs = vec![];
            for (t, fg) in texts {
                for (g, bg) in grounds {
                    pairs.push((format!("{t} on {g}"), fg, bg, 4.5));
                }
            }
            let w = &v.widgets;
            pairs.extend([
                (
                    "button text".into(),
                    w.inactive.fg_stroke.color,
                    w.inactive.weak_bg_fill,
                    4.5,
                ),
                (
                    "hovered button".into(),
                    w.hovered.fg_stroke.color,
                    w.hovered.weak_bg_fill,
                    4.5,
                ),
                (
                    "pressed button".into(),
                    w.active.fg_stroke.color,
                    w.active.weak_bg_fill,
                    4.5,
                ),
                (
                    "selected text".into(),
                    v.selection.stroke.color,
                    v.selection.bg_fill,
                    4.5,
                ),
                ("primary text".into(), p.primary_text, p.primary, 4.5),
                ("primary button".into(), p.primary, v.panel_fill, 3.0),
                (
                    "control outline".into(),
                    w.inactive.bg_stroke.color,
                    v.panel_fill,
                    3.0,
                ),
                (
                    "control outline on a stripe".into(),
                    w.inactive.bg_stroke.color,
                    v.faint_bg_color,
                    3.0,
                ),
                (
                    "focus ring".into(),
                    w.active.bg_stroke.color,
                    v.panel_fill,
                    3.0,
                ),
                (
                    "focus ring in a field".into(),
                    v.text_cursor.stroke.color,
                    v.text_edit_bg_color(),
                    3.0,
                ),
                (
                    "selected row".into(),
                    v.selection.bg_fill,
                    v.panel_fill,
                    1.0,
                ),
            ]);
            for (what, fg, bg, need) in pairs {
                let got = contrast(fg, bg);
                if got < need {
                    failures.push(format!("{name}: {what} {got:.2}:1 < {need}:1"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn nothing_to_read_is_smaller_than_twelve_points() {
        for (style, font) in text_styles() {
            assert!(font.size >= 12.0, "{style:?} is {} pt", font.size);
        }
    }

    #[test]
    fn every_icon_is_in_the_fonts() {
        let ctx = egui::Context::default();
        // Fonts are made on the first pass.
        ctx.run_ui(egui::RawInput::default(), |_| {})
            .textures_delta
            .clear();
        let font = FontId::proportional(14.0);
        for icon in icon::ALL {
            assert!(
                ctx.fonts_mut(|f| f.has_glyphs(&font, icon)),
                "no glyph for {icon:?} in the default fonts"
            );
        }
    }
}
