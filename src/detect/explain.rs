//! Detection's errors in plain words.

use super::target::DetectError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for DetectError {
    fn explain(&self) -> Explanation {
        let advice = match self {
            DetectError::BadAddress { .. } => "Write the address as name@example.org.".to_string(),
            DetectError::NothingFound { domain } => format!(
                "Your provider's help pages give its SMTP server (often smtp.{domain}, port 465 \
                 or 587). Enter it by hand."
            ),
            DetectError::ProbesBlocked { .. } => "This network seems to block mail ports (some \
                 hotels, schools and companies do). Try another network, or ask your provider \
                 for its server and enter it by hand."
                .to_string(),
            DetectError::DnsUnreachable { .. } => "Check that this computer is online; behind \
                 a hotel or train Wi-Fi, sign in to its page first. You can also enter the \
                 server by hand."
                .to_string(),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}
