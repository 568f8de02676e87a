//! Detection's errors in plain words.

use super::target::DetectError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for DetectError {
    fn explain(&self) -> Explanation {
        let advice = match self {
            DetectError::BadAddress { .. } => tr!("invalid-email-advice"),
            DetectError::NothingFound { domain } => {
                tr!("detect-nothing-advice", domain = domain.as_str())
            }
            DetectError::ProbesBlocked { .. } => tr!("detect-blocked-advice"),
            DetectError::DnsUnreachable { .. } => tr!("detect-dns-advice"),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}
