//! Who an account sends as: its own address, and other addresses its provider lets it use
//! (aliases), each with a name, an optional Reply-To and an optional signature. The data
//! lives with the account ([`super::model`]); here, what it does.

use super::model::{Account, Identity, InvalidAccount, parse_email};

impl Identity {
    /// Checks the address, Reply-To, name and signature.
    pub fn validate(&self) -> Result<(), InvalidAccount> {
        parse_email(&self.email)?;
        if let Some(r) = &self.reply_to {
            parse_email(r)?;
        }
        if self
            .display_name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            return Err(InvalidAccount::DisplayName);
        }
        Ok(())
    }

    /// `body` with this identity's signature under it, after the usual "-- " line (once).
    pub fn signed(&self, body: &str) -> String {
        match self.signature.as_deref().map(str::trim_end) {
            Some(sig) if !sig.is_empty() && !body.contains(&format!("\n-- \n{sig}")) => {
                format!("{}\n\n-- \n{sig}\n", body.trim_end())
            }
            _ => body.to_string(),
        }
    }

    /// "Ann Example <ann@example.org>", or the address alone.
    pub fn mailbox(&self) -> String {
        match &self.display_name {
            Some(n) if !n.is_empty() => format!("{n} <{}>", self.email),
            _ => self.email.clone(),
        }
    }
}

impl Account {
    /// The account's own address as an identity.
    pub fn own_identity(&self) -> Identity {
        Identity {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            reply_to: self.senders.reply_to.clone(),
            signature: self.senders.signature.clone(),
            refused: None,
        }
    }

    /// Every address it sends as, its own first.
    pub fn identities(&self) -> Vec<Identity> {
        std::iter::once(self.own_identity())
            .chain(self.senders.identities.iter().cloned())
            .collect()
    }

    /// The identity with address `email` (compared without regard to case).
    pub fn identity(&self, email: &str) -> Option<Identity> {
        let email = email.trim();
        if self.email.eq_ignore_ascii_case(email) {
            return Some(self.own_identity());
        }
        self.senders
            .identities
            .iter()
            .find(|i| i.email.eq_ignore_ascii_case(email))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_goes_under_the_text_once() {
        let i = Identity {
            email: "ann@example.org".into(),
            signature: Some("Ann\nExample Ltd\n".into()),
            ..Identity::default()
        };
        let signed = i.signed("Hello.\n\n");
        assert_eq!(signed, "Hello.\n\n-- \nAnn\nExample Ltd\n");
        assert_eq!(i.signed(&signed), signed, "not twice");
        let plain = Identity::default();
        assert_eq!(plain.signed("Hello."), "Hello.");
    }

    #[test]
    fn identities_are_checked() {
        let mut i = Identity {
            email: "alias@example.org".into(),
            ..Identity::default()
        };
        assert_eq!(i.validate(), Ok(()));
        i.reply_to = Some("nope".into());
        assert!(i.validate().is_err());
        i.reply_to = None;
        i.display_name = Some("Line\nbreak".into());
        assert_eq!(i.validate(), Err(InvalidAccount::DisplayName));
    }
}
