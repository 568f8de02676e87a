//! What the major providers require of a mail app beyond their servers — app passwords,
//! access to switch on first, what an administrator may have switched off, sending limits —
//! from `assets/provider-facts.toml`, each fact with the provider's page it comes from.
//! Looked up by a provider's ISPDB id, or by one of its SMTP servers.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::providers::ProviderTable;

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
    pub fn field_label(self) -> &'static str {
        match self {
            Login::AppPassword => "App password",
            Login::AuthorizationCode => "Authorization code",
            Login::EmailPassword => "E-mail password",
            Login::Password | Login::OauthOnly => "Password",
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
}

/// What an organisation's administrator may have switched off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// What.
    pub what: String,
    /// The provider's page this comes from.
    pub source: String,
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
}

impl ProviderFacts {
    /// Every page a fact of this provider comes from or points to.
    pub fn urls(&self) -> Vec<&str> {
        let mut urls = vec![self.login_source.as_str(), self.help.as_str()];
        if let Some(a) = &self.app_password {
            urls.extend([a.url.as_str(), a.source.as_str()]);
            urls.extend(a.requires_url.as_deref());
        }
        if let Some(e) = &self.enable_first {
            urls.extend([e.url.as_str(), e.source.as_str()]);
        }
        urls.extend(self.admin.as_ref().map(|a| a.source.as_str()));
        urls.extend(self.limits.as_ref().map(|l| l.source.as_str()));
        urls.extend(self.replies.values().map(String::as_str));
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
#[error("the provider facts cannot be read: {0}")]
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

    /// The facts of the provider whose SMTP server `host` is, or who serves mail `domain`.
    pub fn for_server(&self, host: &str, domain: &str) -> Option<&ProviderFacts> {
        let table = ProviderTable::builtin();
        table
            .by_smtp_host(host)
            .or_else(|| table.lookup(domain))
            .and_then(|p| self.by_id(&p.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            if p.login.needs_separate_secret() {
                let a = p.app_password.as_ref().unwrap_or_else(|| panic!("{}", p.id));
                assert!(!a.steps.is_empty(), "{}", p.id);
            }
        }
    }

    #[test]
    fn providers_are_found_by_server_or_domain() {
        let facts = Facts::builtin();
        let gmail = facts.for_server("smtp.gmail.com", "example.org").unwrap();
        assert_eq!((gmail.name.as_str(), gmail.login), ("Gmail", Login::AppPassword));
        let gmx = facts.for_server("smtp.example.org", "gmx.de").unwrap();
        assert!(gmx.enable_first.is_some());
        assert!(facts.for_server("smtp.example.org", "example.org").is_none());
    }

    #[test]
    fn a_fact_without_its_source_is_refused() {
        let text = "[[provider]]\nid = \"x\"\nname = \"X\"\nlogin = \"password\"\nhelp = \"https://x\"\n";
        assert!(Facts::parse(text).is_err());
    }
}
