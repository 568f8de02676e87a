//! One language's checker: a Hunspell dictionary read by `spellbook` (pure Rust), and the
//! person's own words, which count as correct in every language.

use std::collections::HashSet;
use std::sync::RwLock;

/// A dictionary ready to check and suggest, with the person's own words.
pub struct Speller {
    /// Its language code, as its files are named ("en_US", "de_DE").
    pub code: String,
    dictionary: spellbook::Dictionary,
    own: RwLock<HashSet<String>>,
}

impl std::fmt::Debug for Speller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Speller").field("code", &self.code).finish()
    }
}

impl Speller {
    /// A checker for `code` from a dictionary's `.aff` and `.dic` texts, with `own` words.
    pub fn new(
        code: &str,
        aff: &str,
        dic: &str,
        own: HashSet<String>,
    ) -> Result<Self, spellbook::ParseDictionaryError> {
        Ok(Self {
            code: code.to_string(),
            dictionary: spellbook::Dictionary::new(aff, dic)?,
            own: RwLock::new(own),
        })
    }

    /// Whether `word` is spelt right (in the dictionary, or one of the person's own).
    pub fn check(&self, word: &str) -> bool {
        self.own.read().is_ok_and(|own| own.contains(word)) || self.dictionary.check(word)
    }

    /// What `word` may have been meant as, best first.
    pub fn suggest(&self, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.dictionary.suggest(word, &mut out);
        out
    }

    /// Counts `word` as right from now on (the caller keeps it in the word list).
    pub fn add(&self, word: &str) {
        if let Ok(mut own) = self.own.write() {
            own.insert(word.to_string());
        }
    }
}
