//! What detection produces: candidates with their source and trust, each source's outcome, and
//! the final [`Detection`].

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::config_xml::OAuth2Issuer;
use super::facts::ProviderHelp;
use crate::account::SmtpSettings;

/// Where a setting came from, best first: this is also the ranking between sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An account Outpost already sends with at the same domain (see
    /// [`known`](super::known)): the person's own settings, in use.
    #[serde(rename = "account")]
    Known,
    /// The provider table built into Outpost.
    Builtin,
    /// `https://autoconfig.<domain>/mail/config-v1.1.xml`.
    Autoconfig,
    /// PACC: `https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json`,
    /// vouched for by the domain's DNS (see [`pacc`](super::pacc)).
    Pacc,
    /// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
    Wellknown,
    /// Thunderbird's online ISPDB.
    Ispdb,
    /// DNS SRV records (RFC 8314, RFC 6186).
    Srv,
    /// The domain's MX host, looked up as a provider.
    Mx,
    /// Microsoft Autodiscover.
    Autodiscover,
    /// Live probes of likely host names and ports.
    Guess,
    /// Autoconfig over plain HTTP (never trusted).
    Http,
}

impl Source {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Known => "account",
            Source::Builtin => "builtin",
            Source::Autoconfig => "autoconfig",
            Source::Pacc => "pacc",
            Source::Wellknown => "wellknown",
            Source::Ispdb => "ispdb",
            Source::Srv => "srv",
            Source::Mx => "mx",
            Source::Autodiscover => "autodiscover",
            Source::Guess => "guess",
            Source::Http => "http",
        }
    }

    /// A label for people.
    pub fn label(self) -> String {
        match self {
            Source::Known => tr!("source-known"),
            Source::Builtin => tr!("source-builtin"),
            Source::Autoconfig => tr!("source-autoconfig"),
            Source::Pacc => tr!("source-pacc"),
            Source::Wellknown => tr!("source-wellknown"),
            Source::Ispdb => tr!("source-ispdb"),
            Source::Srv => tr!("source-srv"),
            Source::Mx => tr!("source-mx"),
            Source::Autodiscover => tr!("source-autodiscover"),
            Source::Guess => tr!("source-guess"),
            Source::Http => tr!("source-http"),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An IMAP server found with the submission server: where copies of sent messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingServer {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub security: crate::account::Security,
    /// Who said so.
    pub source: Source,
    /// Safe to use without asking, as the source is.
    pub trusted: bool,
}

impl IncomingServer {
    /// The best of a source's IMAP servers: encrypted from the start first, then STARTTLS.
    pub fn best(mut found: Vec<IncomingServer>) -> Option<IncomingServer> {
        found.sort_by_key(|s| match s.security {
            crate::account::Security::Tls => 0,
            crate::account::Security::Starttls => 1,
            crate::account::Security::None => 2,
        });
        found.into_iter().next()
    }
}

/// One possible set of settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The settings.
    pub smtp: SmtpSettings,
    /// Who said so.
    pub source: Source,
    /// Safe to use without asking: learned over an authenticated channel, for this domain or
    /// a recognised provider.
    pub trusted: bool,
    /// Why it is not trusted, or anything else a person should know.
    pub warnings: Vec<String>,
    /// The provider's name, when known.
    pub provider: Option<String>,
    /// The source did not say the user name: it is the address.
    pub username_default: bool,
    /// The source did not say the login method: a password is assumed.
    pub auth_default: bool,
    /// Where to sign in (OAuth2), as the domain's own configuration says (the autoconfig
    /// draft's `<oAuth2>`): used when no provider is known for the server.
    pub oauth2: Option<OAuth2Issuer>,
    /// The IMAP server the same source names, if it names one.
    pub imap: Option<IncomingServer>,
    /// The DNS answer it came from (SRV, MX) is signed: DNSSEC proves it the domain's.
    pub signed: bool,
}

impl Candidate {
    /// Host, port and security as one comparable key.
    pub fn key(&self) -> (String, u16, crate::account::Security) {
        (
            self.smtp.host.to_ascii_lowercase(),
            self.smtp.port,
            self.smtp.security,
        )
    }

    /// Its source for people, said signed when its DNS answer is.
    pub fn source_label(&self) -> String {
        if self.signed {
            tr!("origin-signed", source = self.source.label())
        } else {
            self.source.label()
        }
    }

    /// Where it came from, for people: the source (signed, when its DNS answer is), and the
    /// provider when known.
    pub fn origin(&self) -> String {
        let source = self.source_label();
        match &self.provider {
            Some(p) => tr!("origin-provider", source = source, provider = p.to_string()),
            None => source,
        }
    }

    /// Where mail goes, for people: the server's registrable domain
    /// (`smtp.mail.example.co.uk` → `example.co.uk`), or the server itself when it has none
    /// (an IP address, a name under no public suffix).
    pub fn mail_domain(&self) -> String {
        psl::domain_str(&self.smtp.host)
            .unwrap_or(&self.smtp.host)
            .to_string()
    }

    /// `host:port with STARTTLS`, for messages.
    pub fn describe(&self) -> String {
        tr!(
            "describe-settings",
            host = self.smtp.host.as_str(),
            port = self.smtp.port,
            security = self.smtp.security.short_label()
        )
    }
}

/// How a source ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It found this many candidates.
    Found(usize),
    /// It answered, with nothing for this domain.
    Nothing(String),
    /// It failed (network, timeout, bad data).
    Failed(String),
    /// It was switched off or does not apply.
    Skipped(String),
    /// Detection finished before it did.
    Cancelled,
}

impl Outcome {
    /// The name used in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Found(_) => "found",
            Outcome::Nothing(_) => "nothing",
            Outcome::Failed(_) => "failed",
            Outcome::Skipped(_) => "skipped",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Details for people.
    pub fn detail(&self) -> String {
        match self {
            Outcome::Found(n) => tr!("outcome-servers", count = *n),
            Outcome::Nothing(s) | Outcome::Failed(s) | Outcome::Skipped(s) => s.clone(),
            Outcome::Cancelled => tr!("source-not-needed"),
        }
    }
}

/// One source's result, with its timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    /// The source.
    pub source: Source,
    /// How it ended.
    pub outcome: Outcome,
    /// Time from detection start to its end.
    pub elapsed: Duration,
}

/// Progress while detection runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A source started.
    Started(Source),
    /// A source ended.
    Finished(SourceReport),
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The address, as given (Unicode domain kept).
    pub email: String,
    /// The chosen settings, with the source that gave them.
    pub chosen: Candidate,
    /// Safe to use without asking (the chosen candidate is trusted and nothing disagrees).
    pub trusted: bool,
    /// What a person should read before using these settings.
    pub warnings: Vec<String>,
    /// Other settings found, best first.
    pub alternatives: Vec<Candidate>,
    /// Every source's outcome.
    pub sources: Vec<SourceReport>,
    /// Total time.
    pub elapsed: Duration,
    /// What is known of the provider behind the chosen server.
    pub provider: Option<ProviderHelp>,
    /// The IMAP server for copies of sent messages: the chosen source's, else the best-ranked
    /// source's that names one.
    pub imap: Option<IncomingServer>,
}
