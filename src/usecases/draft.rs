//! The account being set up or edited: one draft, whichever view edits it (the window's
//! wizard and its form are two views of the same [`AccountDraft`]). It holds what the person
//! typed, the settings detection found with where they came from, the credential (a password
//! typed, a sign-in with the provider, or the one stored kept) as a [`Secret`], the keyring
//! chosen and the person's trust; it turns into the [`Account`] and the secret that the
//! save use case ([`super::account::save`]) stores.

use crate::account::{
    Account, AccountId, AuthMethod, ImapSettings, InvalidAccount, SecretBackend, Security, Senders,
    SmtpSettings, parse_email, parse_host,
};
use crate::address::EmailAddress;
use crate::detect::config_xml::OAuth2Issuer;
use crate::detect::facts::ProviderHelp;
use crate::detect::{Candidate, Detection};
use crate::net::{CertificatePin, Proxy};
use crate::oauth::{Issuer, Issuers};
use crate::secret::Secret;

/// What the draft logs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// No login.
    None,
    /// The secret the keyring holds for the account being edited stays.
    KeepStored,
    /// A password typed.
    Password(Secret),
    /// A sign-in with the provider (what the keyring will keep).
    SignIn(Secret),
    /// Nothing yet: a password to type, or a sign-in to do.
    Missing,
    /// GNOME Online Accounts hands it out at each use; Outpost keeps none.
    Managed,
}

impl Credential {
    /// The secret to store or to check with; `None` keeps (or needs) none.
    pub fn secret(&self) -> Option<Secret> {
        match self {
            Credential::Password(s) | Credential::SignIn(s) => Some(s.clone()),
            Credential::None
            | Credential::KeepStored
            | Credential::Missing
            | Credential::Managed => None,
        }
    }
}

/// The settings detection found, in use in the draft, with the detection they came from.
#[derive(Debug, Clone)]
pub struct Found {
    /// The settings chosen (detection's answer or one of its alternatives), with their source.
    pub candidate: Candidate,
    /// The whole detection: its verdict, warnings and alternatives.
    pub detection: Detection,
}

impl Found {
    /// Whether the chosen settings are detection's own answer.
    fn is_answer(&self) -> bool {
        self.candidate.key() == self.detection.chosen.key()
    }

    /// Safe to use without asking: detection's verdict for its answer (which counts
    /// disagreeing sources and missing encryption), the source's own for an alternative.
    pub fn trusted(&self) -> bool {
        if self.is_answer() {
            self.detection.trusted
        } else {
            self.candidate.trusted
        }
    }

    /// What to read before using these settings.
    pub fn warnings(&self) -> &[String] {
        if self.is_answer() {
            &self.detection.warnings
        } else {
            &self.candidate.warnings
        }
    }

    /// The other settings detection found.
    pub fn others(&self) -> impl Iterator<Item = &Candidate> {
        std::iter::once(&self.detection.chosen)
            .chain(&self.detection.alternatives)
            .filter(|c| c.key() != self.candidate.key())
    }
}

/// Per-field problems, in plain words, for the fields they belong to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DraftErrors {
    /// E-mail address.
    pub email: Option<String>,
    /// Server.
    pub host: Option<String>,
    /// Port.
    pub port: Option<String>,
    /// Password or sign-in.
    pub password: Option<String>,
    /// Security/consent.
    pub security: Option<String>,
    /// Detected settings not confirmed yet.
    pub trust: Option<String>,
    /// The proxy.
    pub proxy: Option<String>,
    /// The IMAP server for copies of sent messages.
    pub imap: Option<String>,
}

impl DraftErrors {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        *self == DraftErrors::default()
    }
}

/// The account being set up or edited.
#[derive(Debug, Clone)]
pub struct AccountDraft {
    /// The account's id: the edited account's, or a new one.
    pub id: AccountId,
    /// Editing a saved account: the keyring its secret is in.
    pub stored: Option<SecretBackend>,
    /// E-mail address, as typed.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Server host, as typed.
    pub host: String,
    /// Port, as typed.
    pub port: String,
    /// Encryption.
    pub security: Security,
    /// Login name; follows the address until edited.
    pub username: String,
    /// Whether the login name was typed rather than copied from the address.
    pub username_edited: bool,
    /// Login method.
    pub auth: AuthMethod,
    /// The password typed; blank keeps the stored one when editing.
    pub password: Secret,
    /// The sign-in with the provider, once signed in.
    pub grant: Option<Secret>,
    /// Keep the secret in the session keyring only.
    pub session_only: bool,
    /// Consent to send the password unencrypted.
    pub allow_plaintext: bool,
    /// The detected settings in use, if detection ran.
    pub found: Option<Found>,
    /// The person vouched for settings detection could not vouch for.
    pub trust_confirmed: bool,
    /// The SOCKS5 proxy for this account, as typed (empty: `ALL_PROXY`'s, or none).
    pub proxy: String,
    /// The server certificate trusted for this account, if any.
    pub pin: Option<CertificatePin>,
    /// The GNOME Online Accounts account that keeps the credential, if one does.
    pub goa_id: Option<String>,
    /// Its identities, Reply-To and signature, kept as they are (edited elsewhere).
    pub senders: Senders,
    /// Where copies of sent messages are filed.
    pub imap: ImapDraft,
}

/// The IMAP server copies of sent messages go to, as typed or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapDraft {
    /// Host, as typed; empty: no IMAP server (no copies).
    pub host: String,
    /// Port, as typed.
    pub port: String,
    /// Encryption.
    pub security: Security,
    /// File a copy of each sent message in the Sent folder.
    pub sent_copy: bool,
    /// The Sent folder, once known.
    pub sent_folder: Option<String>,
    /// Where host, port and security came from, when detection found them.
    pub source: Option<crate::detect::Source>,
}

impl Default for ImapDraft {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: Security::Tls.imap_port().to_string(),
            security: Security::Tls,
            sent_copy: true,
            sent_folder: None,
            source: None,
        }
    }
}

impl ImapDraft {
    /// The settings of a saved account.
    pub fn of(imap: Option<&ImapSettings>) -> Self {
        match imap {
            None => Self::default(),
            Some(i) => Self {
                host: i.host.clone(),
                port: i.port.to_string(),
                security: i.security,
                sent_copy: i.sent_copy,
                sent_folder: i.sent_folder.clone(),
                source: None,
            },
        }
    }

    /// The settings, or none when no server is given; the first field that is wrong.
    pub fn settings(&self) -> Result<Option<ImapSettings>, InvalidAccount> {
        if self.host.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(ImapSettings {
            host: parse_host(&self.host)?,
            port: self.port.trim().parse().map_err(|_| InvalidAccount::Port)?,
            security: self.security,
            sent_copy: self.sent_copy,
            sent_folder: self.sent_folder.clone().filter(|f| !f.trim().is_empty()),
        }))
    }

    /// Changes the encryption; a port that was the old one's usual port follows.
    pub fn set_security(&mut self, new: Security) {
        if self.port.trim() == self.security.imap_port().to_string() || self.port.is_empty() {
            self.port = new.imap_port().to_string();
        }
        self.security = new;
    }

    /// Takes what detection found, unless the person typed a server of their own; the
    /// copy's default follows the provider (off where it files its own).
    pub fn found(&mut self, found: Option<&crate::detect::IncomingServer>, files_own: bool) {
        let typed = !self.host.trim().is_empty() && self.source.is_none();
        if typed {
            return;
        }
        match found {
            Some(f) => {
                self.host = f.host.clone();
                self.port = f.port.to_string();
                self.security = f.security;
                self.source = Some(f.source);
            }
            None => {
                self.host.clear();
                self.source = None;
            }
        }
        self.sent_copy = !files_own;
    }
}

impl Default for AccountDraft {
    fn default() -> Self {
        Self {
            id: AccountId::generate(),
            stored: None,
            email: String::new(),
            name: String::new(),
            host: String::new(),
            port: Security::Tls.default_port().to_string(),
            security: Security::Tls,
            username: String::new(),
            username_edited: false,
            auth: AuthMethod::Password,
            password: Secret::default(),
            grant: None,
            session_only: false,
            allow_plaintext: false,
            found: None,
            trust_confirmed: false,
            proxy: String::new(),
            pin: None,
            goa_id: None,
            senders: Senders::default(),
            imap: ImapDraft::default(),
        }
    }
}

impl AccountDraft {
    /// A saved account to edit (its secret stays as stored unless a new one is given).
    pub fn edit(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            stored: Some(account.secret_backend),
            email: account.email.clone(),
            name: account.display_name.clone().unwrap_or_default(),
            host: account.smtp.host.clone(),
            port: account.smtp.port.to_string(),
            security: account.smtp.security,
            username: account.smtp.username.clone(),
            username_edited: account.smtp.username != account.email,
            auth: account.smtp.auth,
            session_only: account.secret_backend == SecretBackend::Session,
            allow_plaintext: account.allow_plaintext_auth,
            proxy: account
                .proxy
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            pin: account.pinned_certificate.clone(),
            goa_id: account.goa_id.clone(),
            senders: account.senders.clone(),
            imap: ImapDraft::of(account.imap.as_ref()),
            ..Self::default()
        }
    }

    /// Whether this edits a saved account.
    pub fn is_saved(&self) -> bool {
        self.stored.is_some()
    }

    /// The address, if it is one.
    pub fn address(&self) -> Option<EmailAddress> {
        EmailAddress::parse(&self.email).ok()
    }

    /// The address changed: the login name follows it until it was typed, and what detection
    /// found for another address is not this one's (its server, login, IMAP, trust and pin
    /// go with it).
    pub fn email_changed(&mut self) {
        let stale = self.found.as_ref().is_some_and(|f| {
            !f.detection
                .email
                .trim()
                .eq_ignore_ascii_case(self.email.trim())
        });
        if stale {
            self.forget_found();
        }
        if !self.username_edited {
            self.username = self.email.trim().to_string();
        }
    }

    /// Clears every field detection filled in; what the person typed (name, password, proxy)
    /// stays.
    fn forget_found(&mut self) {
        let blank = Self::default();
        self.found = None;
        self.host = blank.host;
        self.port = blank.port;
        self.security = blank.security;
        self.auth = blank.auth;
        self.grant = None;
        self.trust_confirmed = false;
        self.pin = None;
        if self.imap.source.is_some() {
            self.imap = blank.imap;
        }
    }

    /// The keyring the secret goes to.
    pub fn backend(&self) -> SecretBackend {
        if self.goa_id.is_some() {
            SecretBackend::Goa
        } else if self.session_only {
            SecretBackend::Session
        } else {
            SecretBackend::System
        }
    }

    /// Whether a blank password (or no new sign-in) keeps the stored secret.
    pub fn can_keep_stored_secret(&self) -> bool {
        self.stored == Some(self.backend())
    }

    /// What the login will use.
    pub fn credential(&self) -> Credential {
        match self.auth {
            AuthMethod::None => Credential::None,
            _ if self.goa_id.is_some() => Credential::Managed,
            AuthMethod::Oauth2 => match &self.grant {
                Some(g) => Credential::SignIn(g.clone()),
                None if self.can_keep_stored_secret() => Credential::KeepStored,
                None => Credential::Missing,
            },
            AuthMethod::Password if !self.password.is_empty() => {
                Credential::Password(self.password.clone())
            }
            AuthMethod::Password if self.can_keep_stored_secret() => Credential::KeepStored,
            AuthMethod::Password => Credential::Missing,
        }
    }

    /// The secret a check or a save uses: the one typed or signed in; `None` uses (or keeps)
    /// the stored one.
    pub fn secret(&self) -> Option<Secret> {
        self.credential().secret()
    }

    /// The settings to use, with where they came from: from detection or typed.
    pub fn use_candidate(&mut self, candidate: Candidate, detection: Detection) {
        self.set_smtp(&candidate.smtp);
        self.imap_from(&detection);
        self.trust_confirmed = false;
        self.found = Some(Found {
            candidate,
            detection,
        });
    }

    /// The IMAP server detection found, and the copy's default for its provider.
    pub fn imap_from(&mut self, detection: &Detection) {
        let files_own = detection
            .provider
            .as_ref()
            .is_some_and(|p| p.files_sent_copy());
        // The password goes there too: only a server its source vouches for is taken.
        self.imap
            .found(detection.imap.as_ref().filter(|i| i.trusted), files_own);
    }

    /// Detection's answer as the settings to use.
    pub fn use_detection(&mut self, detection: Detection) {
        self.use_candidate(detection.chosen.clone(), detection);
    }

    /// Other settings for the same source (a port that is not blocked, say).
    pub fn try_settings(&mut self, smtp: SmtpSettings) {
        self.set_smtp(&smtp);
        if let Some(f) = &mut self.found {
            f.candidate.smtp = smtp;
        }
    }

    /// Takes these server settings (typed elsewhere, or found).
    pub fn set_smtp(&mut self, smtp: &SmtpSettings) {
        self.host = smtp.host.clone();
        self.port = smtp.port.to_string();
        self.security = smtp.security;
        self.username = smtp.username.clone();
        self.auth = smtp.auth;
    }

    /// With nothing found and no server typed: the domain's usual server.
    pub fn guess_server(&mut self) {
        if self.host.trim().is_empty()
            && let Some(a) = self.address()
        {
            self.host = a.usual_server();
        }
    }

    /// Changes the encryption; a port that was the old one's usual port follows.
    pub fn set_security(&mut self, new: Security) {
        if self.port.trim() == self.security.default_port().to_string() || self.port.is_empty() {
            self.port = new.default_port().to_string();
        }
        self.security = new;
    }

    /// Changes the login method: a sign-in is no password, and a password no sign-in.
    pub fn set_auth(&mut self, new: AuthMethod) {
        if new != self.auth {
            self.password = Secret::default();
            self.grant = None;
        }
        self.auth = new;
    }

    /// Whether the settings may be used: trusted by their source, or by the person.
    pub fn trusted(&self) -> bool {
        self.found.as_ref().is_none_or(Found::trusted) || self.trust_confirmed
    }

    /// What is wrong with the fields; blank fields count too.
    pub fn errors(&self) -> DraftErrors {
        let mut e = DraftErrors::default();
        if let Err(err) = parse_email(&self.email) {
            e.email = Some(if self.email.trim().is_empty() {
                tr!("enter-address")
            } else {
                err.to_string()
            });
        }
        if let Err(err) = parse_host(&self.host) {
            e.host = Some(if self.host.trim().is_empty() {
                tr!("enter-server")
            } else {
                err.to_string()
            });
        }
        if let Err(err) = self.parsed_proxy() {
            e.proxy = Some(err.to_string());
        }
        if let Err(err) = self.imap.settings() {
            e.imap = Some(err.to_string());
        }
        match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => e.port = Some(tr!("port-range")),
        }
        if self.credential() == Credential::Missing {
            e.password = Some(match (self.auth, self.is_saved()) {
                (AuthMethod::Oauth2, true) => tr!("signin-again-move"),
                (AuthMethod::Oauth2, false) => tr!("signin-first"),
                (_, true) => tr!("password-again-move"),
                (_, false) => tr!("enter-password"),
            });
        }
        if !self.trusted() {
            e.trust = Some(tr!("confirm-settings"));
        }
        if self.security == Security::None && self.auth.needs_secret() && !self.allow_plaintext {
            e.security = Some(tr!("plaintext-warning"));
        }
        e
    }

    /// The account the fields describe, or the first field that is wrong (the credential
    /// and trust aside). The one place an account is made from what a person gave.
    pub fn account(&self) -> Result<Account, InvalidAccount> {
        let email = parse_email(&self.email)?;
        let username = if self.username.trim().is_empty() {
            email.clone()
        } else {
            self.username.trim().to_string()
        };
        let port = self.port.trim().parse().map_err(|_| InvalidAccount::Port)?;
        let account = Account {
            id: self.id.clone(),
            email,
            display_name: Some(self.name.trim().to_string()).filter(|n| !n.is_empty()),
            smtp: SmtpSettings {
                host: parse_host(&self.host)?,
                port,
                security: self.security,
                username,
                auth: self.auth,
            },
            imap: self.imap.settings()?,
            secret_backend: self.backend(),
            allow_plaintext_auth: self.allow_plaintext && self.security == Security::None,
            goa_id: self.goa_id.clone(),
            proxy: self.parsed_proxy()?,
            pinned_certificate: self.pin.clone(),
            senders: self.senders.clone(),
        };
        account.validate().map(|()| account)
    }

    /// What is known of the provider of the server in the fields (or of the address's
    /// domain): its help pages and what it needs before a password works.
    pub fn provider_help(&self) -> Option<ProviderHelp> {
        let domain = self.address().map(|a| a.domain().to_string())?;
        ProviderHelp::find(self.host.trim(), &domain)
    }

    /// Where to sign in for `host` as the domain's own configuration said, when the settings
    /// in use came from it.
    pub fn discovered_signin(&self, host: &str) -> Option<OAuth2Issuer> {
        let c = &self.found.as_ref()?.candidate;
        c.smtp
            .host
            .eq_ignore_ascii_case(host)
            .then(|| c.oauth2.clone())
            .flatten()
    }

    /// Who signs the person in for `host`: the provider Outpost knows for it, else the issuer
    /// the domain's own configuration named (registered with as the person signs in).
    pub fn signin_issuer(&self, issuers: Option<&Issuers>, host: &str) -> Option<Issuer> {
        issuers
            .and_then(|i| i.for_host(host))
            .cloned()
            .or_else(|| Some(Issuer::found(&self.discovered_signin(host)?, host)))
    }

    /// The proxy typed, when it is one (detection and the check go through it).
    pub fn proxy_setting(&self) -> Option<Proxy> {
        self.parsed_proxy().ok().flatten()
    }

    fn parsed_proxy(&self) -> Result<Option<Proxy>, InvalidAccount> {
        match self.proxy.trim() {
            "" => Ok(None),
            text => Proxy::for_settings(text)
                .map(Some)
                .map_err(InvalidAccount::Proxy),
        }
    }

    /// The account, when nothing at all is wrong (credential and trust included).
    pub fn complete(&self) -> Option<Account> {
        self.errors()
            .is_empty()
            .then(|| self.account().ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> AccountDraft {
        AccountDraft {
            email: "ann@example.org".into(),
            username: "ann@example.org".into(),
            host: "smtp.example.org".into(),
            password: Secret::new("pw"),
            ..Default::default()
        }
    }

    #[test]
    fn a_filled_draft_gives_an_account() {
        let a = filled().complete().unwrap();
        assert_eq!(a.smtp.port, 465);
        assert_eq!(a.smtp.username, "ann@example.org");
        assert_eq!(a.secret_backend, SecretBackend::System);
        assert_eq!(
            filled().credential(),
            Credential::Password(Secret::new("pw"))
        );
    }

    #[test]
    fn changing_security_moves_a_default_port_only() {
        let mut d = filled();
        d.set_security(Security::Starttls);
        assert_eq!(d.port, "587");
        d.port = "2525".into();
        d.set_security(Security::Tls);
        assert_eq!(d.port, "2525");
    }

    #[test]
    fn unencrypted_passwords_need_consent() {
        let mut d = filled();
        d.set_security(Security::None);
        assert!(d.errors().security.is_some());
        assert!(d.complete().is_none());
        d.allow_plaintext = true;
        assert!(d.complete().unwrap().allow_plaintext_auth);
    }

    #[test]
    fn editing_keeps_the_stored_secret_unless_the_keyring_changes() {
        let account = filled().complete().unwrap();
        let mut d = AccountDraft::edit(&account);
        assert!(d.password.is_empty());
        assert_eq!(d.credential(), Credential::KeepStored);
        assert!(d.errors().is_empty());
        d.session_only = true;
        assert_eq!(d.credential(), Credential::Missing);
        assert!(d.errors().password.is_some());
    }

    #[test]
    fn an_oauth2_account_needs_a_sign_in_first() {
        let mut d = filled();
        d.set_auth(AuthMethod::Oauth2);
        assert!(d.password.is_empty(), "a password is no sign-in");
        let e = d.errors().password.unwrap();
        assert!(e.contains("Sign in"), "{e}");
        d.grant = Some(Secret::new("{\"outpost_oauth2\":1}"));
        assert!(d.complete().is_some());
        assert!(matches!(d.credential(), Credential::SignIn(_)));
    }

    #[test]
    fn the_usual_server_is_guessed_only_when_none_is_typed() {
        let mut d = AccountDraft {
            email: "ann@bücher.de".into(),
            ..Default::default()
        };
        d.guess_server();
        assert_eq!(d.host, "smtp.xn--bcher-kva.de");
        d.host = "mail.example.org".into();
        d.guess_server();
        assert_eq!(d.host, "mail.example.org");
    }
}
