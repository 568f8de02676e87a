//! Message errors in plain words.

use super::compose::MessageError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for MessageError {
    fn explain(&self) -> Explanation {
        use MessageError as E;
        let advice = match self {
            E::BadAddress { .. } => tr!("message-bad-address-advice"),
            E::NoRecipient => tr!("message-no-recipient-advice"),
            E::LineBreak { .. } => tr!("message-line-break-advice"),
            E::Attachment { .. } => tr!("message-attachment-advice"),
            E::TooLarge { .. } => tr!("message-too-large-advice"),
            E::Build(_) => tr!("message-build-advice"),
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}
