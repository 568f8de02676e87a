//! Message errors in plain words.

use super::compose::MessageError;
use crate::explain::{Explain, Explanation, capitalise};

impl Explain for MessageError {
    fn explain(&self) -> Explanation {
        use MessageError as E;
        let advice = match self {
            E::BadAddress { .. } => {
                "Write addresses as name@example.org or Name <name@example.org>."
            }
            E::NoRecipient => "Add at least one recipient (To, Cc or Bcc).",
            E::LineBreak { .. } => "Remove the line break.",
            E::Attachment { .. } => "Check that the file exists and that you may read it.",
            E::TooLarge { .. } => {
                "Send fewer or smaller attachments, or share large files by link."
            }
            E::Build(_) => "Check the addresses and try again.",
        };
        Explanation::new(format!("{}.", capitalise(&self.to_string())), advice)
    }
}
