//! An account's identities, as a person manages them: add or change one (for the account's
//! own address: its Reply-To and signature), and remove one.

use crate::account::{Account, Identity};
use crate::paths::Paths;
use crate::usecases::account::{ManageError, store};

/// Adds `identity` to the account with address `account`, or changes the one with its
/// address; for the account's own address, sets its name (when given), Reply-To and
/// signature. A server's earlier refusal is forgotten: the person has changed something.
pub fn set(paths: &Paths, account: &str, identity: Identity) -> Result<Account, ManageError> {
    identity.validate()?;
    store(paths).update(|accs| {
        let a = accs
            .accounts
            .iter_mut()
            .find(|a| a.email.eq_ignore_ascii_case(account.trim()))
            .ok_or_else(|| ManageError::NotFound {
                email: account.trim().to_string(),
            })?;
        let email = identity.email.trim();
        if a.email.eq_ignore_ascii_case(email) {
            if identity.display_name.is_some() {
                a.display_name = identity.display_name;
            }
            a.senders.reply_to = identity.reply_to;
            a.senders.signature = identity.signature;
        } else {
            let fresh = Identity {
                email: email.to_string(),
                refused: None,
                ..identity
            };
            match a
                .senders
                .identities
                .iter_mut()
                .find(|i| i.email.eq_ignore_ascii_case(email))
            {
                Some(i) => *i = fresh,
                None => a.senders.identities.push(fresh),
            }
        }
        Ok(a.clone())
    })?
}

/// Removes the identity with address `email` from whichever account has it (an account's own
/// address is removed with the account).
pub fn remove(paths: &Paths, email: &str) -> Result<Account, ManageError> {
    let email = email.trim();
    store(paths).update(|accs| {
        let a = accs
            .accounts
            .iter_mut()
            .find(|a| {
                a.senders
                    .identities
                    .iter()
                    .any(|i| i.email.eq_ignore_ascii_case(email))
            })
            .ok_or_else(|| ManageError::NotFound {
                email: email.to_string(),
            })?;
        a.senders
            .identities
            .retain(|i| !i.email.eq_ignore_ascii_case(email));
        Ok(a.clone())
    })?
}
