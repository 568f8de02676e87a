//! The messages of each shipped language, parsed once, and formatting one of them.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use super::lang::Language;

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Language) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; Language::ALL.len()] =
        [const { OnceLock::new() }; Language::ALL.len()];
    BUNDLES[usize::from(lang.index())].get_or_init(|| {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.id()]);
        // Left-to-right languages only so far: no bidi isolation marks around values (egui
        // would draw them as boxes).
        bundle.set_use_isolating(false);
        let resource = FluentResource::try_new(lang.source().to_string())
            .unwrap_or_else(|(resource, _)| resource);
        // A message defined twice keeps its first text; tests/translations.rs rejects that.
        let _ = bundle.add_resource(resource);
        bundle
    })
}

/// A message as formatted, with what Fluent could not resolve in it (a value the call did not
/// give, a message it names that does not exist): nothing, in a shipped build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// The words.
    pub text: String,
    /// Fluent's complaints, in its words.
    pub problems: Vec<String>,
}

/// The message `id` in `lang`, if that language has it.
pub fn format_in(lang: Language, id: &str, args: Option<&FluentArgs>) -> Option<Formatted> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    let problems = errors.iter().map(ToString::to_string).collect();
    Some(Formatted { text, problems })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentValue;

    fn format(lang: Language, id: &str, values: &[(&str, FluentValue<'static>)]) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in values {
            args.set(*k, v.clone());
        }
        let f = format_in(lang, id, Some(&args)).unwrap();
        assert!(f.problems.is_empty(), "{id}: {:?}", f.problems);
        f.text
    }

    #[test]
    fn plural_rules_follow_the_language() {
        let n = |lang, count: i64| format(lang, "remove-and-cancel", &[("count", count.into())]);
        assert_eq!(n(Language::English, 1), "Remove and cancel the message");
        assert_eq!(n(Language::English, 3), "Remove and cancel 3 messages");
        assert_eq!(
            n(Language::German, 1),
            "Entfernen und die Nachricht verwerfen"
        );
        assert_eq!(
            n(Language::German, 3),
            "Entfernen und 3 Nachrichten verwerfen"
        );
    }

    #[test]
    fn dates_and_countdowns_read_as_each_language_writes_them() {
        let day = |lang| {
            format(
                lang,
                "date-day",
                &[
                    ("day", 3.into()),
                    ("month", 11.into()),
                    ("year", 2026.into()),
                    ("time", "14:02:11".into()),
                ],
            )
        };
        assert_eq!(day(Language::English), "3 Nov 2026 14:02:11");
        assert_eq!(day(Language::German), "3. Nov. 2026 14:02:11");
        let hours = |lang| {
            format(
                lang,
                "countdown-hours",
                &[("hours", 2.into()), ("minutes", "01".into())],
            )
        };
        assert_eq!(hours(Language::English), "in 2 h 01 min");
        assert_eq!(hours(Language::German), "in 2 Std. 01 Min.");
    }
}
