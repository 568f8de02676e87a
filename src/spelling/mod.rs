//! Spelling for Write: the Hunspell dictionaries installed on this computer
//! (`dictionaries`), read with `spellbook`, a pure-Rust Hunspell-compatible checker
//! (`speller`), the words of a text (`words`), and which of them are misspelt, found a
//! slice per frame (`marks`). The person's own words (Add to dictionary) are kept in a word
//! list in the config folder.

mod dictionaries;
mod explain;
mod marks;
mod speller;
mod words;

pub use dictionaries::{
    Installed, SpellingError, add_own_word, choose, installed, language_name, load, places,
};
pub use marks::{BUDGET, Found, Marks};
pub use speller::Speller;
pub use words::words;
