//! Words kept for later: a sentence made now (from an error, say) in every shipped language,
//! so that whoever reads it later reads it in their own language. For what a stored record
//! can only say as a sentence; what it can say as data (a kind, a reply, a time) it stores as
//! data, and words are made when it is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::current::{in_language, language};
use super::lang::Language;

/// One sentence in each shipped language, by language code ("en", "de").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Words(BTreeMap<String, String>);

impl Words {
    /// What `say` says in each shipped language: `say` runs once per language, on this
    /// thread, with every message it makes (`tr!`, an error's `Display`) in that language.
    pub fn capture(say: impl Fn() -> String) -> Self {
        Self(
            Language::ALL
                .into_iter()
                .map(|lang| (lang.code().to_string(), in_language(lang, &say)))
                .collect(),
        )
    }

    /// The sentence in each language, by language code, English first.
    pub fn each(&self) -> impl Iterator<Item = (&str, &str)> {
        let english = Language::English.code();
        let first = self.0.get_key_value(english);
        let others = self.0.iter().filter(move |(code, _)| *code != english);
        first
            .into_iter()
            .chain(others)
            .map(|(code, text)| (code.as_str(), text.as_str()))
    }

    /// The sentence in the current language, else in English, else in any language kept.
    pub fn text(&self) -> String {
        let current = language().code();
        self.0
            .get(current)
            .or_else(|| self.0.get(Language::English.code()))
            .or_else(|| self.0.values().next())
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_kept_in_every_language_and_read_in_the_current_one() {
        let words = Words::capture(|| crate::tr!("state-sent"));
        assert_eq!(words.0.get("en").map(String::as_str), Some("sent"));
        assert_eq!(words.0.get("de").map(String::as_str), Some("gesendet"));
        assert_eq!(language(), Language::English, "unit tests read English");
        assert_eq!(words.text(), "sent");
        let json = serde_json::to_string(&words).unwrap();
        assert_eq!(serde_json::from_str::<Words>(&json).unwrap(), words);
    }
}
