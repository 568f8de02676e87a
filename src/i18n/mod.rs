//! Words in the person's language. Every sentence Outpost shows a person (window, command-line
//! text, explanations, notifications) is a Fluent message in `locales/<language>/outpost.ftl`,
//! built into the binary and looked up with [`tr!`](crate::tr). The language follows the
//! system locale ([`language`]); a message a language lacks falls back to English.
//!
//! JSON output and error kinds stay English: [`use_language`] switches the whole process
//! (the command line does so for `--json`). `tests/translations.rs` checks the messages.

mod bundle;
mod current;
mod lang;
mod words;

pub use bundle::{Formatted, format_in};
pub use current::{in_language, language, use_language};
pub use fluent_bundle::{FluentArgs, FluentValue};
pub use lang::Language;
pub use words::Words;

/// The message `id` in the current language with `args`, else in English, else the id
/// itself (never in a shipped build: the translations test checks every id).
pub fn text(id: &str, args: Option<&FluentArgs>) -> String {
    let lang = language();
    format_in(lang, id, args)
        .or_else(|| format_in(Language::English, id, args))
        .map_or_else(|| id.to_string(), |f| f.text)
}

/// A number with the decimal separator of the current language ("33.6", "33,6").
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match language() {
        Language::English => text,
        Language::German => text.replace('.', ","),
    }
}

/// `noun` (a field's name, "App password") as the current language writes it inside a
/// sentence: lower case in English ("the app password"), unchanged in German, whose nouns
/// keep their capital.
pub fn in_sentence(noun: &str) -> String {
    match language() {
        Language::English => noun.to_lowercase(),
        Language::German => noun.to_string(),
    }
}

/// The message `id` in the person's language: `tr!("view-outbox")`, or with named values:
/// `tr!("title-outbox-waiting", count = n)`. Ids are literals, so the translations test
/// finds them.
#[macro_export]
macro_rules! tr {
    ($id:literal) => {
        $crate::i18n::text($id, None)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::FluentArgs::new();
        $( args.set(stringify!($name), $crate::i18n::FluentValue::from($value)); )+
        $crate::i18n::text($id, Some(&args))
    }};
}
