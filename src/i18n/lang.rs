//! The languages Outpost ships, and which one the system locale asks for.

use unic_langid::LanguageIdentifier;

/// A language Outpost has messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English, the fallback for everything.
    English,
    /// German.
    German,
}

impl Language {
    /// Every shipped language, English first.
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    pub(super) fn index(self) -> u8 {
        self as u8
    }

    /// Its folder under `locales/`, and its Unicode language identifier.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }

    #[expect(
        clippy::expect_used,
        reason = "each shipped language's code is a valid identifier (unit-tested)"
    )]
    pub(super) fn id(self) -> LanguageIdentifier {
        self.code()
            .parse()
            .expect("a language's code is a language identifier")
    }

    /// Its messages, as written in `locales/<code>/outpost.ftl`.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("../../locales/en/outpost.ftl"),
            Language::German => include_str!("../../locales/de/outpost.ftl"),
        }
    }
}

/// The shipped language for a POSIX locale name ("de_DE.UTF-8", "de_AT@euro", "en-GB"),
/// if there is one.
pub fn from_locale(locale: &str) -> Option<Language> {
    let name = locale.split(['.', '@']).next().unwrap_or_default();
    let lang = name.split(['_', '-']).next().unwrap_or_default();
    Language::ALL
        .into_iter()
        .find(|l| l.code().eq_ignore_ascii_case(lang))
}

/// The language the system asks for: the first shipped one in `LANGUAGE` (GNU's list of
/// preferences, "de:en"), else the one `LC_ALL`, `LC_MESSAGES` or `LANG` names (the first
/// of them set), else what the platform says (macOS, Windows), else English. "C" and
/// "POSIX" mean English, and make `LANGUAGE` count for nothing, as gettext does.
pub(super) fn from_system() -> Language {
    // Unit tests compare English words whatever the machine's locale.
    if cfg!(test) {
        return Language::English;
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let messages = var("LC_ALL")
        .or_else(|| var("LC_MESSAGES"))
        .or_else(|| var("LANG"));
    choose(var("LANGUAGE").as_deref(), messages.as_deref())
        .or_else(|| sys_locale::get_locales().find_map(|l| from_locale(&l)))
        .unwrap_or(Language::English)
}

fn choose(language: Option<&str>, messages: Option<&str>) -> Option<Language> {
    if let Some(m) = messages {
        let plain = m.split('.').next() == Some("C") || m == "POSIX";
        if plain {
            return Some(Language::English);
        }
    }
    language
        .and_then(|list| list.split(':').find_map(from_locale))
        .or_else(|| messages.and_then(from_locale))
        .or(messages.map(|_| Language::English))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names_pick_a_language() {
        assert_eq!(from_locale("de_DE.UTF-8"), Some(Language::German));
        assert_eq!(from_locale("de_AT@euro"), Some(Language::German));
        assert_eq!(from_locale("en-GB"), Some(Language::English));
        assert_eq!(from_locale("fr_FR.UTF-8"), None);
    }

    #[test]
    fn the_system_locale_chooses_as_gettext_does() {
        assert_eq!(choose(None, Some("de_DE.UTF-8")), Some(Language::German));
        assert_eq!(
            choose(Some("fr:de:en"), Some("fr_FR.UTF-8")),
            Some(Language::German)
        );
        assert_eq!(choose(Some("de"), Some("C.UTF-8")), Some(Language::English));
        assert_eq!(choose(None, Some("POSIX")), Some(Language::English));
        assert_eq!(choose(None, Some("fr_FR.UTF-8")), Some(Language::English));
        assert_eq!(choose(None, None), None);
    }
}
