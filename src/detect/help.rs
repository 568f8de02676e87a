//! What is known of the provider behind a server: its entry in the provider table joined with
//! its curated facts.

use super::facts::{Facts, ProviderFacts, ProviderHelp};
use super::providers::ProviderTable;

impl ProviderHelp {
    /// For the provider whose SMTP server `host` is, or who serves mail `domain`.
    pub fn find(host: &str, domain: &str) -> Option<Self> {
        let table = ProviderTable::builtin();
        let p = table.by_smtp_host(host).or_else(|| table.lookup(domain))?;
        let facts = Facts::builtin().by_id(&p.id).cloned();
        let mut help: Vec<String> = facts.iter().map(|f| f.help.clone()).collect();
        help.extend(
            p.help
                .iter()
                .filter(|h| !help.contains(h))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let enable = facts
            .as_ref()
            .and_then(|f| f.enable_first.as_ref())
            .map(|e| {
                (
                    e.url.clone(),
                    tr!("switch-on-first", what = e.what.as_str()),
                )
            })
            .or_else(|| p.enable.clone());
        Some(Self {
            id: p.id.clone(),
            name: facts
                .as_ref()
                .map_or_else(|| p.name.clone(), |f| f.name.clone()),
            help,
            enable,
            facts,
        })
    }
}

impl Facts {
    /// The facts of the provider whose SMTP server `host` is, or who serves mail `domain`.
    pub fn for_server(&self, host: &str, domain: &str) -> Option<&ProviderFacts> {
        let table = ProviderTable::builtin();
        table
            .by_smtp_host(host)
            .or_else(|| table.lookup(domain))
            .and_then(|p| self.by_id(&p.id))
    }
}
