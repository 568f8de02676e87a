//! What the major providers require of a mail app beyond their servers — app passwords,
//! access to switch on first, what an administrator may have switched off, sending limits —
//! from `assets/provider-facts.toml`, each fact with the provider's page it comes from.
//! Looked up by a provider's ISPDB id, or by one of its SMTP servers.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::i18n::{self, Language};

/// How a mail app logs in to a provider without the provider's own sign-in (OAuth2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Login {
    /// The account's password works.
    Password,
    /// A separate app password is needed.
    AppPassword,
    /// A code made in the web settings replaces the password.
    AuthorizationCode,
    /// A separate e-mail password, set in the customer centre.
    EmailPassword,
    /// Only the provider's sign-in works.
    OauthOnly,
}

impl Login {
    /// What the password field is called for this provider.
    pub fn field_label(self) -> String {
        match self {
            Login::AppPassword => tr!("login-app-password"),
            Login::AuthorizationCode => tr!("login-authorization-code"),
            Login::EmailPassword => tr!("login-email-password"),
            Login::Password | Login::OauthOnly => tr!("field-password"),
        }
    }

    /// Whether something other than the account's own password goes in that field.
    pub fn needs_separate_secret(self) -> bool {
        matches!(
            self,
            Login::AppPassword | Login::AuthorizationCode | Login::EmailPassword
        )
    }
}

/// Where and how the password for apps is made.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppPassword {
    /// The page where it is made.
    pub url: String,
    /// What must be on first (e.g. 2-Step Verification).
    #[serde(default)]
    pub requires: Option<String>,
    /// Where to switch that on.
    #[serde(default)]
    pub requires_url: Option<String>,
    /// The steps, in order, for people.
    pub steps: Vec<String>,
    /// The provider's page these come from.
    pub source: String,
    /// The same in German.
    #[serde(default)]
    pub de: Option<AppPasswordWords>,
}

/// What [`AppPassword`] says to people, in another language than English: from the
/// provider's page in that language where it has one, else translated from the English page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppPasswordWords {
    /// What must be on first.
    #[serde(default)]
    pub requires: Option<String>,
    /// The steps, in order.
    pub steps: Vec<String>,
    /// The page these come from.
    pub source: String,
}

impl AppPassword {
    /// The steps in the person's language.
    pub fn steps(&self) -> &[String] {
        in_german(&self.de).map_or(&self.steps, |de| &de.steps)
    }

    /// What must be on first, in the person's language.
    pub fn requires(&self) -> Option<&str> {
        in_german(&self.de).map_or(self.requires.as_deref(), |de| de.requires.as_deref())
    }
}

/// A fact's one sentence in another language than English, with the page it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// What it says.
    pub what: String,
    /// The page it comes from.
    pub source: String,
}

/// A fact's German words, when German is spoken and the fact has them.
fn in_german<T>(de: &Option<T>) -> Option<&T> {
    de.as_ref().filter(|_| i18n::language() == Language::German)
}

/// Access that must be switched on in the web settings before a mail app can send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnableFirst {
    /// What to switch on, where.
    pub what: String,
    /// The page that says how.
    pub url: String,
    /// The provider's page this comes from.
    pub source: String,
    /// The same in German.
    #[serde(default)]
    pub de: Option<Words>,
}

impl EnableFirst {
    /// What to switch on, where, in the person's language.
    pub fn what(&self) -> &str {
        in_german(&self.de).map_or(&self.what, |de| &de.what)
    }
}

/// What an organisation's administrator may have switched off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// What.
    pub what: String,
    /// The provider's page this comes from.
    pub source: String,
    /// The same in German.
    #[serde(default)]
    pub de: Option<Words>,
}

impl Admin {
    /// What, in the person's language.
    pub fn what(&self) -> &str {
        in_german(&self.de).map_or(&self.what, |de| &de.what)
    }

    /// The page that says it, in the person's language where it has one.
    pub fn page(&self) -> &str {
        in_german(&self.de).map_or(&self.source, |de| &de.source)
    }
}

/// Published sending limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Messages a day.
    #[serde(default)]
    pub messages_per_day: Option<u32>,
    /// Recipients a day, all messages together.
    #[serde(default)]
    pub recipients_per_day: Option<u32>,
    /// Recipients of one message.
    #[serde(default)]
    pub recipients_per_message: Option<u32>,
    /// Messages a minute.
    #[serde(default)]
    pub messages_per_minute: Option<u32>,
    /// The provider's page these come from.
    pub source: String,
}

/// What is known of one provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFacts {
    /// Its ISPDB id.
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// How a mail app logs in without the provider's sign-in.
    pub login: Login,
    /// The page `login` comes from.
    pub login_source: String,
    /// The provider's help page for mail apps.
    pub help: String,
    /// Where the password for apps is made.
    #[serde(default)]
    pub app_password: Option<AppPassword>,
    /// Access to switch on first.
    #[serde(default)]
    pub enable_first: Option<EnableFirst>,
    /// What an administrator may have switched off.
    #[serde(default)]
    pub admin: Option<Admin>,
    /// Published sending limits.
    #[serde(default)]
    pub limits: Option<Limits>,
    /// Help pages the provider links from its own replies, by enhanced status code.
    #[serde(default)]
    pub replies: BTreeMap<String, String>,
    /// Whether the provider files a copy of what is sent through its server itself.
    #[serde(default)]
    pub sent_copy: Option<SentCopy>,
}

/// What the provider does with a copy of what is sent through its submission server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SentCopy {
    /// It files the copy in the Sent folder itself: a mail app must not file another.
    pub files_own: bool,
    /// The page that says so.
    pub source: String,
}

impl ProviderFacts {
    /// Every page a fact of this provider comes from or points to.
    pub fn urls(&self) -> Vec<&str> {
        let mut urls = vec![self.login_source.as_str(), self.help.as_str()];
        if let Some(a) = &self.app_password {
            urls.extend([a.url.as_str(), a.source.as_str()]);
            urls.extend(a.requires_url.as_deref());
            urls.extend(a.de.as_ref().map(|d| d.source.as_str()));
        }
        if let Some(e) = &self.enable_first {
            urls.extend([e.url.as_str(), e.source.as_str()]);
            urls.extend(e.de.as_ref().map(|d| d.source.as_str()));
        }
        if let Some(a) = &self.admin {
            urls.push(a.source.as_str());
            urls.extend(a.de.as_ref().map(|d| d.source.as_str()));
        }
        urls.extend(self.limits.as_ref().map(|l| l.source.as_str()));
        urls.extend(self.replies.values().map(String::as_str));
        urls.extend(self.sent_copy.as_ref().map(|c| c.source.as_str()));
        urls
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    provider: Vec<ProviderFacts>,
}

/// The facts file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("facts-error", error = .0.as_str()))]
pub struct FactsError(String);

/// All providers' facts.
#[derive(Debug, Default)]
pub struct Facts {
    providers: Vec<ProviderFacts>,
}

const EMBEDDED: &str = include_str!("../../assets/provider-facts.toml");

impl Facts {
    /// The facts built into this binary.
    pub fn builtin() -> &'static Facts {
        static FACTS: OnceLock<Facts> = OnceLock::new();
        #[expect(
            clippy::expect_used,
            reason = "the facts built in are checked by unit tests"
        )]
        FACTS.get_or_init(|| Facts::parse(EMBEDDED).expect("the embedded facts are valid"))
    }

    /// Reads a facts file.
    pub fn parse(text: &str) -> Result<Self, FactsError> {
        let file: File = toml::from_str(text).map_err(|e| FactsError(e.to_string()))?;
        Ok(Self {
            providers: file.provider,
        })
    }

    /// All of them.
    pub fn providers(&self) -> &[ProviderFacts] {
        &self.providers
    }

    /// The facts of the provider with this ISPDB id.
    pub fn by_id(&self, id: &str) -> Option<&ProviderFacts> {
        self.providers.iter().find(|p| p.id == id)
    }
}

/// What is known of the provider behind a server: its help pages, access to switch on first,
/// and what it requires of a mail app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderHelp {
    /// Its ISPDB id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its help pages for mail apps, the curated one first.
    pub help: Vec<String>,
    /// Access to switch on first: the page, and what to do.
    pub enable: Option<(String, String)>,
    /// The curated facts, when there are some.
    pub facts: Option<ProviderFacts>,
}

impl ProviderHelp {
    /// Whether the provider files its own copy of sent mail in the Sent folder.
    pub fn files_sent_copy(&self) -> bool {
        self.facts
            .as_ref()
            .and_then(|f| f.sent_copy.as_ref())
            .is_some_and(|c| c.files_own)
    }

    /// How a mail app logs in without the provider's sign-in, when known.
    pub fn login(&self) -> Option<Login> {
        self.facts.as_ref().map(|f| f.login)
    }

    /// What a person must do before a password works here, in words shared by the window and
    /// the command line; `None` when nothing is known beyond the usual password.
    pub fn guidance(&self) -> Option<Guidance> {
        let facts = self.facts.as_ref();
        let login = facts.map(|f| f.login);
        let app = facts.and_then(|f| f.app_password.as_ref());
        let name = &self.name;
        let headline = match login {
            Some(Login::AppPassword) => tr!("needs-app-password", provider = name.as_str()),
            Some(Login::AuthorizationCode) => {
                tr!("needs-authorization-code", provider = name.as_str())
            }
            Some(Login::EmailPassword) => {
                tr!("needs-email-password", provider = name.as_str())
            }
            Some(Login::OauthOnly) => tr!("oauth-only", provider = name.as_str()),
            Some(Login::Password) | None if self.enable.is_some() => {
                tr!("needs-access-first", provider = name.as_str())
            }
            Some(Login::Password) | None => return None,
        };
        let mut before = Vec::new();
        if let Some((url, what)) = &self.enable {
            before.push(format!("{what} ({url})"));
        }
        if let Some(requires) = app.and_then(AppPassword::requires) {
            let place = app
                .and_then(|a| a.requires_url.as_deref())
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            before.push(tr!("needs-on-first", requires = requires, place = place));
        }
        Some(Guidance {
            headline,
            before,
            steps: app.map(|a| a.steps().to_vec()).unwrap_or_default(),
            page: app.map(|a| a.url.clone()),
            field: login.unwrap_or(Login::Password).field_label(),
        })
    }
}

/// What a person must do before a password works with a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    /// The one sentence that says it ("Gmail needs an app password: …").
    pub headline: String,
    /// What must be switched on first, each with its page.
    pub before: Vec<String>,
    /// The steps to make the password for apps.
    pub steps: Vec<String>,
    /// The page where it is made.
    pub page: Option<String>,
    /// What the password field is called.
    pub field: String,
}

impl Guidance {
    /// Everything, as numbered lines for a terminal.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.headline.clone()];
        lines.extend(self.before.iter().cloned());
        lines.extend(
            self.steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("  {}. {s}", i + 1)),
        );
        if let Some(page) = &self.page {
            lines.push(format!("  {}", tr!("guidance-open", page = page.as_str())));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::providers::ProviderTable;

    #[test]
    fn every_fact_names_an_https_page_and_a_provider_of_the_table() {
        let facts = Facts::builtin();
        assert!(facts.providers().len() >= 14);
        for p in facts.providers() {
            assert!(
                ProviderTable::builtin()
                    .providers()
                    .iter()
                    .any(|t| t.id == p.id),
                "{} is not in the provider table",
                p.id
            );
            for url in p.urls() {
                assert!(url.starts_with("https://"), "{}: {url}", p.id);
            }
            // German is shipped: every fact a person reads has its German words.
            if let Some(a) = &p.app_password {
                let de =
                    a.de.as_ref()
                        .unwrap_or_else(|| panic!("{}: no German steps", p.id));
                assert_eq!(de.steps.len(), a.steps.len(), "{}", p.id);
                assert_eq!(de.requires.is_some(), a.requires.is_some(), "{}", p.id);
            }
            assert!(
                p.enable_first.as_ref().is_none_or(|e| e.de.is_some()),
                "{}: no German words for enable_first",
                p.id
            );
            assert!(
                p.admin.as_ref().is_none_or(|a| a.de.is_some()),
                "{}: no German words for admin",
                p.id
            );
            if p.login.needs_separate_secret() {
                let a = p
                    .app_password
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}", p.id));
                assert!(!a.steps.is_empty(), "{}", p.id);
            }
        }
    }

    #[test]
    fn providers_are_found_by_server_or_domain() {
        let facts = Facts::builtin();
        let gmail = facts.for_server("smtp.gmail.com", "example.org").unwrap();
        assert_eq!(
            (gmail.name.as_str(), gmail.login),
            ("Gmail", Login::AppPassword)
        );
        let gmx = facts.for_server("smtp.example.org", "gmx.de").unwrap();
        assert!(gmx.enable_first.is_some());
        assert!(
            facts
                .for_server("smtp.example.org", "example.org")
                .is_none()
        );
        let web = ProviderHelp::find("smtp.web.de", "web.de").unwrap();
        assert!(web.enable.as_ref().unwrap().1.contains("POP3 & IMAP"));
        assert_eq!(
            web.help[0],
            "https://hilfe.web.de/pop-imap/imap/imap-serverdaten.html"
        );
        let g = web.guidance().unwrap();
        assert!(g.headline.contains("switched on first"), "{g:?}");
    }

    #[test]
    fn gmail_guidance_leads_to_the_app_password_page() {
        let gmail = ProviderHelp::find("smtp.gmail.com", "gmail.com").unwrap();
        let g = gmail.guidance().unwrap();
        assert!(
            g.headline.starts_with("Gmail needs an app password"),
            "{g:?}"
        );
        assert!(g.before[0].contains("2-Step Verification"), "{g:?}");
        assert_eq!(
            g.page.as_deref(),
            Some("https://myaccount.google.com/apppasswords")
        );
        assert_eq!(g.field, "App password");
        let lines = g.lines();
        assert!(lines.iter().any(|l| l.starts_with("  1. ")), "{lines:?}");
        let plain = ProviderHelp::find("smtp.example.org", "example.org");
        assert!(plain.and_then(|p| p.guidance()).is_none());
    }

    #[test]
    fn a_fact_without_its_source_is_refused() {
        let text =
            "[[provider]]\nid = \"x\"\nname = \"X\"\nlogin = \"password\"\nhelp = \"https://x\"\n";
        assert!(Facts::parse(text).is_err());
    }
}
