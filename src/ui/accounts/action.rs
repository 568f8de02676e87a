//! What the person asks for while setting up an account, in the wizard or the form.

use super::signin::SignInAction;
use crate::account::SmtpSettings;

/// What the person asked for, in the wizard or the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupAction {
    /// Find the settings from the address.
    Find,
    /// Stop finding them.
    CancelFind,
    /// Show the form with everything known so far.
    EditManually,
    /// Check the connection with these settings.
    Check,
    /// Stop the check.
    CancelCheck,
    /// The wizard's step before: from the found settings to the address, from the check
    /// (stopped if it runs) to the found settings.
    Back,
    /// Check these settings instead (another port, say), at once.
    TryInstead(SmtpSettings),
    /// Save the account.
    Save,
    /// Ask to remove the saved account.
    Remove,
    /// Queue a message to the account's own address.
    SendTestMessage,
    /// Leave the wizard, showing the saved account.
    Finish,
    /// Something about signing in with the provider (OAuth2).
    SignIn(SignInAction),
    /// Start from the settings another mail program on this computer sends with (its index
    /// in the wizard's list).
    UseFound(usize),
    /// Trust the certificate the check showed, for this account, and check again.
    TrustCertificate,
    /// Stop trusting the account's certificate.
    ForgetCertificate,
    /// Take the better answer that arrived after detection gave its answer.
    UseBetter,
}
