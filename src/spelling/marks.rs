//! Which words of a text are misspelt, found without ever holding up a frame: each distinct
//! word is checked once and remembered; a text with many words not seen yet is checked a
//! slice at a time (within [`BUDGET`]), the rest on the next frames.

use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use super::speller::Speller;
use super::words::words;

/// How long checking may take in one frame.
pub const BUDGET: Duration = Duration::from_millis(4);

/// What is known of one text's words under one dictionary.
#[derive(Debug, Default)]
pub struct Marks {
    /// The dictionary the answers are from.
    code: String,
    /// Each word seen: spelt right or not.
    known: HashMap<String, bool>,
}

/// The misspelt words of a text (their byte ranges), and whether every word was checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    /// Byte ranges of the words not in the dictionary.
    pub wrong: Vec<Range<usize>>,
    /// Every word is checked (false: more on the next frame).
    pub complete: bool,
}

impl Marks {
    /// The misspelt words of `text` by `speller`, checking new words for at most `budget`.
    pub fn find(&mut self, text: &str, speller: &Speller, budget: Duration) -> Found {
        if self.code != speller.code {
            self.code = speller.code.clone();
            self.known.clear();
        }
        let start = Instant::now();
        let mut found = Found {
            wrong: vec![],
            complete: true,
        };
        for (range, word) in words(text) {
            let right = match self.known.get(word) {
                Some(&r) => r,
                None if found.complete && start.elapsed() < budget => {
                    let r = speller.check(word);
                    self.known.insert(word.to_string(), r);
                    r
                }
                None => {
                    found.complete = false;
                    continue;
                }
            };
            if !right {
                found.wrong.push(range);
            }
        }
        found
    }

    /// `word` is right from now on (added to the person's words).
    pub fn accept(&mut self, word: &str) {
        self.known.insert(word.to_string(), true);
    }
}
