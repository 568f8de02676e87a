//! Errors in plain words: what happened, and what to do next. Each error type has one
//! [`Explain`] impl, beside it in its own module's `explain.rs`; the window and the command
//! line show the same words.

/// A problem in plain words, and the next thing to try.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Explanation {
    /// What happened.
    pub problem: String,
    /// What to do about it.
    pub advice: String,
}

impl Explanation {
    /// An explanation from its two parts.
    pub fn new(problem: impl Into<String>, advice: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            advice: advice.into(),
        }
    }
}

/// Errors that can explain themselves.
pub trait Explain {
    /// The explanation of this error.
    fn explain(&self) -> Explanation;
}

/// A size as people read it, in decimal units as the desktop's file manager shows them
/// ("850 bytes", "12 kB", "33.6 MB", "1.2 GB"): the same figure everywhere Outpost shows one.
pub fn size_in_words(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1000 {
        tr!("size-bytes", count = bytes)
    } else if b < 1e6 {
        tr!("size-kb", size = crate::i18n::decimal(b / 1e3, 0))
    } else if b < 1e9 {
        tr!("size-mb", size = crate::i18n::decimal(b / 1e6, 1))
    } else {
        tr!("size-gb", size = crate::i18n::decimal(b / 1e9, 1))
    }
}

/// `s` with its first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What a panic says, as far as it says anything.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| tr!("bug-no-detail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_the_file_manager_shows_them() {
        assert_eq!(size_in_words(850), "850 bytes");
        assert_eq!(size_in_words(10_000), "10 kB");
        assert_eq!(size_in_words(33_554_432), "33.6 MB");
        assert_eq!(size_in_words(1_200_000_000), "1.2 GB");
    }
}
