//! Spelling for Write: which dictionaries are installed, reading one (with the person's own
//! words), and adding a word to the person's list.

use std::path::PathBuf;

use crate::paths::Paths;
use crate::spelling::{self, Installed, Speller, SpellingError};

/// The person's own words, kept for every language.
fn word_list(paths: &Paths) -> PathBuf {
    paths.config_dir.join("words.txt")
}

/// The dictionaries installed in `dirs`, else in the usual places.
pub fn dictionaries(dirs: Option<&[PathBuf]>) -> Vec<Installed> {
    match dirs {
        Some(d) => spelling::installed(d),
        None => {
            let home = std::env::var_os("HOME").map(PathBuf::from);
            spelling::installed(&spelling::places(home.as_deref()))
        }
    }
}

/// Reads dictionary `installed`, with the person's words.
pub fn load(paths: &Paths, installed: &Installed) -> Result<Speller, SpellingError> {
    spelling::load(installed, &word_list(paths))
}

/// Adds `word` to the person's words.
pub fn add_word(paths: &Paths, word: &str) -> Result<(), SpellingError> {
    spelling::add_own_word(&word_list(paths), word)
}
