//! Spelling errors in plain words.

use super::dictionaries::SpellingError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for SpellingError {
    fn explain(&self) -> Explanation {
        let advice = match self {
            SpellingError::File { .. } => tr!("spelling-error-file-advice"),
            SpellingError::Dictionary { .. } => tr!("spelling-error-dictionary-advice"),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}
