//! Errors in plain words: what happened, and what to do next. Each error type has one
//! [`Explain`] impl, beside it in its own module's `explain.rs`; the window and the command
//! line show the same words.

/// A problem in plain words, and the next thing to try.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// `s` with its first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
