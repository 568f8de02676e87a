//! The words of a text to check: runs of letters (with apostrophes and hyphens inside), their
//! byte ranges; what is not prose is left alone — links, addresses, words with digits, and
//! words in capitals (acronyms).

use std::ops::Range;

/// Each word of `text` worth checking, with its byte range.
pub fn words(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    tokens(text)
        .filter_map(move |(range, token)| {
            let trimmed = token.trim_matches(|c: char| !c.is_alphabetic());
            if trimmed.is_empty()
                || token.contains("://")
                || token.contains('@')
                || token.starts_with("www.")
                || token.chars().any(|c| c.is_ascii_digit())
                || acronym(trimmed)
            {
                return None;
            }
            let start = range.start + token.find(trimmed).unwrap_or(0);
            Some((start..start + trimmed.len(), trimmed))
        })
        .flat_map(|(range, word)| split_inner(range, word))
}

/// Whether `word` is in capitals ("NASA", "NASA's"): an acronym, not checked.
fn acronym(word: &str) -> bool {
    let stem = word.split(['\'', '’']).next().unwrap_or(word);
    stem.chars().count() > 1 && stem.chars().all(|c| !c.is_lowercase())
}

/// Whitespace-separated tokens with their ranges.
fn tokens(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut at = 0;
    text.split(|c: char| c.is_whitespace())
        .filter_map(move |t| {
            let start = at;
            at += t.len()
                + text[at + t.len()..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
            (!t.is_empty()).then_some((start..start + t.len(), t))
        })
}

/// A token is words joined by what is not a letter, apostrophe or hyphen ("end.Next",
/// "this/that"): each part on its own.
fn split_inner(range: Range<usize>, word: &str) -> Vec<(Range<usize>, &str)> {
    let inner = |c: char| c.is_alphabetic() || c == '\'' || c == '’' || c == '-';
    let mut out = vec![];
    let mut start: Option<usize> = None;
    for (i, c) in word
        .char_indices()
        .chain(std::iter::once((word.len(), ' ')))
    {
        match (inner(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let part = word[s..i].trim_matches(|c: char| !c.is_alphabetic());
                if !part.is_empty() {
                    let off = s + word[s..i].find(part).unwrap_or(0);
                    out.push((range.start + off..range.start + off + part.len(), part));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_with_their_places_and_what_is_not_prose_is_left_out() {
        let text = "Grüße, Jörg! See https://x.org/a or bob@x.org — NASA's 3rd it's end.Next";
        let found: Vec<(&str, usize)> = words(text).map(|(r, w)| (w, r.start)).collect();
        let names: Vec<&str> = found.iter().map(|(w, _)| *w).collect();
        assert_eq!(names, ["Grüße", "Jörg", "See", "or", "it's", "end", "Next"]);
        for (w, at) in found {
            assert_eq!(&text[at..at + w.len()], w);
        }
    }
}
