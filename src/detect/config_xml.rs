//! Mozilla's autoconfig format (`clientConfig` version 1.1), as served by ISP autoconfig
//! servers and kept in Thunderbird's ISPDB: parsed with bounded size, depth and counts, keeping
//! only what sending mail needs.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

use crate::account::{AuthMethod, Security, parse_host};

/// Largest document accepted, in bytes.
pub const MAX_BYTES: usize = 1024 * 1024;
const MAX_DEPTH: usize = 32;
const MAX_TEXT: usize = 2048;
const MAX_DOMAINS: usize = 5000;
const MAX_SERVERS: usize = 32;

/// How a server wants its login, as the format names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthKind {
    /// `password-cleartext` or `plain`: PLAIN/LOGIN over the encrypted connection.
    Password,
    /// `password-encrypted`: CRAM-MD5.
    PasswordEncrypted,
    /// `OAuth2`.
    OAuth2,
    /// `none`: no login.
    None,
    /// Anything else (NTLM, GSSAPI, client-IP-address, …).
    Other(String),
}

impl AuthKind {
    fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "password-cleartext" | "plain" | "secure" => AuthKind::Password,
            "password-encrypted" => AuthKind::PasswordEncrypted,
            "oauth2" => AuthKind::OAuth2,
            "none" => AuthKind::None,
            _ => AuthKind::Other(s.trim().to_string()),
        }
    }

    /// The name in the provider table.
    pub fn as_str(&self) -> &str {
        match self {
            AuthKind::Password => "password",
            AuthKind::PasswordEncrypted => "password-encrypted",
            AuthKind::OAuth2 => "oauth2",
            AuthKind::None => "none",
            AuthKind::Other(s) => s,
        }
    }

    /// Reads a provider-table name back.
    pub fn from_table(s: &str) -> Self {
        match s {
            "password" => AuthKind::Password,
            other => AuthKind::parse(other),
        }
    }
}

/// One `outgoingServer type="smtp"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingServer {
    /// Host name, checked and in ASCII form; may hold the `%EMAILDOMAIN%` placeholder.
    pub hostname: String,
    /// TCP port.
    pub port: u16,
    /// `SSL` → tls, `STARTTLS` → starttls, `plain` → none.
    pub security: Security,
    /// Login name template with `%EMAILADDRESS%`, `%EMAILLOCALPART%`, `%EMAILDOMAIN%`.
    pub username: String,
    /// Login methods, in the document's order.
    pub auth: Vec<AuthKind>,
}

impl OutgoingServer {
    /// The host name for `email`, placeholders expanded.
    pub fn host_for(&self, email: &str) -> String {
        expand_username(&self.hostname, email).to_ascii_lowercase()
    }

    /// The login method Outpost would use: OAuth2 only when `oauth2_known` (an issuer is
    /// known for this server), else a password, else none.
    pub fn auth_method(&self, oauth2_known: bool) -> AuthMethod {
        let has = |k: &AuthKind| self.auth.contains(k);
        if oauth2_known && has(&AuthKind::OAuth2) {
            AuthMethod::Oauth2
        } else if self.auth.is_empty()
            || has(&AuthKind::Password)
            || has(&AuthKind::PasswordEncrypted)
            || (has(&AuthKind::OAuth2) && !has(&AuthKind::None))
        {
            AuthMethod::Password
        } else {
            AuthMethod::None
        }
    }
}

/// Expands the `%EMAIL…%` placeholders of a template for `email`.
pub fn expand_username(template: &str, email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    template
        .replace("%EMAILADDRESS%", email)
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain)
}

/// One `emailProvider`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailProvider {
    /// Its `id` attribute.
    pub id: String,
    /// The mail domains it serves, lower case.
    pub domains: Vec<String>,
    /// Its display name.
    pub display_name: String,
    /// Its SMTP servers, preferred first.
    pub outgoing: Vec<OutgoingServer>,
    /// Its `incomingServer type="imap"` entries, read like the outgoing ones (their user
    /// name and login methods are the submission server's, as Outpost uses one login).
    pub incoming: Vec<OutgoingServer>,
    /// Its help pages for mail apps (`<documentation url>`), at most [`MAX_HELP`].
    pub documentation: Vec<String>,
    /// Access to switch on before a mail app works (`<enable visiturl>`): the page, and
    /// its first instruction.
    pub enable: Option<(String, String)>,
}

/// Help pages kept per provider.
pub const MAX_HELP: usize = 4;

/// An `oAuth2` block: where to sign in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuth2Issuer {
    /// The issuer's name.
    pub issuer: String,
    /// Scopes, space-separated.
    pub scope: String,
    /// Authorization endpoint.
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// The provider's name, as the configuration gave it (empty: not given).
    pub name: String,
}

impl OAuth2Issuer {
    /// Whether both endpoints are HTTPS addresses.
    pub fn is_https(&self) -> bool {
        [&self.auth_url, &self.token_url]
            .iter()
            .all(|u| url::Url::parse(u).is_ok_and(|u| u.scheme() == "https"))
    }
}

/// A whole document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientConfig {
    /// Its providers (nearly always one).
    pub providers: Vec<EmailProvider>,
    /// Its OAuth2 issuer, if any.
    pub oauth2: Option<OAuth2Issuer>,
    /// Servers that were left out, and why.
    pub skipped: Vec<String>,
}

/// The document could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigXmlError {
    /// Larger than [`MAX_BYTES`].
    #[error("{}", tr!("xml-too-large", bytes = MAX_BYTES))]
    TooLarge,
    /// Nested deeper than any real document.
    #[error("{}", tr!("xml-too-deep"))]
    TooDeep,
    /// Not well-formed XML.
    #[error("{}", tr!("xml-malformed", error = .0.as_str()))]
    Malformed(String),
    /// Well-formed, but not a `clientConfig`.
    #[error("{}", tr!("xml-not-client-config", root = .0.as_str()))]
    NotClientConfig(String),
}

#[derive(Default)]
struct ServerFields {
    /// An `incomingServer` (IMAP), not an `outgoingServer`.
    incoming: bool,
    hostname: String,
    port: String,
    socket: String,
    username: String,
    auth: Vec<String>,
}

impl ServerFields {
    fn finish(self) -> Result<OutgoingServer, String> {
        let raw = self.hostname.trim();
        // A host may be a template such as mail.%EMAILDOMAIN%: check it with a sample domain.
        let hostname = if raw.contains('%') {
            parse_host(&expand_username(raw, "user@example.com")).map(|_| raw.to_string())
        } else {
            parse_host(raw)
        }
        .map_err(|_| tr!("xml-bad-hostname", text = format!("{raw:?}")))?;
        let port = match self.port.trim().parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return Err(tr!(
                    "xml-bad-port",
                    text = format!("{:?}", self.port),
                    host = hostname
                ));
            }
        };
        let security = match self.socket.trim().to_ascii_uppercase().as_str() {
            "SSL" | "TLS" => Security::Tls,
            "STARTTLS" => Security::Starttls,
            "PLAIN" => Security::None,
            other => {
                return Err(tr!(
                    "xml-bad-socket",
                    text = format!("{other:?}"),
                    host = hostname
                ));
            }
        };
        Ok(OutgoingServer {
            hostname,
            port,
            security,
            username: self.username.trim().to_string(),
            auth: self.auth.iter().map(|a| AuthKind::parse(a)).collect(),
        })
    }
}

/// Parses a `clientConfig` document.
pub fn parse(xml: &str) -> Result<ClientConfig, ConfigXmlError> {
    if xml.len() > MAX_BYTES {
        return Err(ConfigXmlError::TooLarge);
    }
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut config = ClientConfig::default();
    let mut provider: Option<EmailProvider> = None;
    let mut server: Option<ServerFields> = None;
    let mut oauth: Option<OAuth2Issuer> = None;
    let malformed = |e: quick_xml::Error| ConfigXmlError::Malformed(e.to_string());
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_string();
                if path.is_empty() && name != "clientConfig" {
                    return Err(ConfigXmlError::NotClientConfig(name));
                }
                let attr = |key: &str| -> Option<String> {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == key)
                        .and_then(|a| {
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                match (path.len(), name.as_str()) {
                    (1, "emailProvider") => {
                        provider = Some(EmailProvider {
                            id: attr("id").unwrap_or_default(),
                            ..Default::default()
                        })
                    }
                    (2, "outgoingServer")
                        if attr("type").is_none_or(|t| t.eq_ignore_ascii_case("smtp")) =>
                    {
                        server = Some(ServerFields::default())
                    }
                    (2, "incomingServer")
                        if attr("type").is_some_and(|t| t.eq_ignore_ascii_case("imap")) =>
                    {
                        server = Some(ServerFields {
                            incoming: true,
                            ..ServerFields::default()
                        })
                    }
                    (1, "oAuth2") => oauth = Some(OAuth2Issuer::default()),
                    (2, "documentation") => {
                        if let (Some(p), Some(url)) = (provider.as_mut(), attr("url"))
                            && p.documentation.len() < MAX_HELP
                        {
                            p.documentation.push(url);
                        }
                    }
                    (2, "enable") => {
                        if let (Some(p), Some(url)) = (provider.as_mut(), attr("visiturl")) {
                            p.enable = Some((url, String::new()));
                        }
                    }
                    _ => {}
                }
                text.clear();
                if matches!(event, Event::Start(_)) {
                    if path.len() >= MAX_DEPTH {
                        return Err(ConfigXmlError::TooDeep);
                    }
                    path.push(name);
                } else {
                    path.push(name);
                    end_element(
                        &mut path,
                        &mut text,
                        &mut config,
                        &mut provider,
                        &mut server,
                        &mut oauth,
                    );
                }
            }
            Event::Text(t) => push_text(&mut text, &t.xml10_content()),
            Event::CData(t) => push_text(&mut text, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name: &str = &r;
                        quick_xml::escape::resolve_predefined_entity(name)
                            .ok_or_else(|| {
                                ConfigXmlError::Malformed(tr!("xml-unknown-entity", name = name))
                            })?
                            .to_string()
                    }
                };
                push_text(&mut text, &resolved);
            }
            Event::End(_) => end_element(
                &mut path,
                &mut text,
                &mut config,
                &mut provider,
                &mut server,
                &mut oauth,
            ),
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(ConfigXmlError::Malformed(tr!(
            "xml-ends-inside",
            path = path.join("><")
        )));
    }
    Ok(config)
}

fn push_text(text: &mut String, more: &str) {
    if text.len() + more.len() <= MAX_TEXT {
        text.push_str(more);
    }
}

fn end_element(
    path: &mut Vec<String>,
    text: &mut String,
    config: &mut ClientConfig,
    provider: &mut Option<EmailProvider>,
    server: &mut Option<ServerFields>,
    oauth: &mut Option<OAuth2Issuer>,
) {
    let value = std::mem::take(text).trim().to_string();
    let depth = path.len();
    let name = path.pop().unwrap_or_default();
    let parent = path.last().map(String::as_str).unwrap_or("");
    match (depth, parent, name.as_str()) {
        (3, "emailProvider", "domain") => {
            if let Some(p) = provider
                && p.domains.len() < MAX_DOMAINS
                && !value.is_empty()
            {
                p.domains.push(value.to_ascii_lowercase());
            }
        }
        (3, "emailProvider", "displayName") => {
            if let Some(p) = provider {
                p.display_name = value;
            }
        }
        (4, "outgoingServer" | "incomingServer", field) => {
            if let Some(s) = server {
                match field {
                    "hostname" => s.hostname = value,
                    "port" => s.port = value,
                    "socketType" => s.socket = value,
                    "username" => s.username = value,
                    "authentication" if s.auth.len() < 16 => s.auth.push(value),
                    _ => {}
                }
            }
        }
        (3, "emailProvider", "outgoingServer" | "incomingServer") => {
            if let (Some(fields), Some(p)) = (server.take(), provider.as_mut()) {
                let list = if fields.incoming {
                    &mut p.incoming
                } else {
                    &mut p.outgoing
                };
                match fields.finish() {
                    Ok(s) if list.len() < MAX_SERVERS => list.push(s),
                    Ok(_) => {}
                    Err(why) => config.skipped.push(why),
                }
            }
        }
        (4, "enable", "instruction") => {
            if let Some((_, instruction)) = provider.as_mut().and_then(|p| p.enable.as_mut())
                && instruction.is_empty()
            {
                *instruction = value;
            }
        }
        (2, "clientConfig", "emailProvider") => {
            if let Some(p) = provider.take() {
                config.providers.push(p);
            }
        }
        (3, "oAuth2", field) => {
            if let Some(o) = oauth {
                match field {
                    "issuer" => o.issuer = value,
                    "scope" => o.scope = value,
                    "authURL" => o.auth_url = value,
                    "tokenURL" => o.token_url = value,
                    _ => {}
                }
            }
        }
        (2, "clientConfig", "oAuth2") => config.oauth2 = oauth.take(),
        _ => {}
    }
}
