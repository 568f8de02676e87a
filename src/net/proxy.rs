//! SOCKS5 proxies: written as `socks5h://[user[:password]@]host:port`, per account or from
//! `ALL_PROXY`; the proxy resolves server names itself, so nothing is looked up around it (and
//! Tor's `.onion` names work).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Environment variables naming the proxy for everything, in the order they are read.
pub const PROXY_ENV: [&str; 2] = ["ALL_PROXY", "all_proxy"];
/// Environment variables naming hosts reached without the proxy, in the order they are read.
pub const NO_PROXY_ENV: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// A SOCKS5 proxy.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Proxy {
    /// The proxy's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// A user name and password for it (RFC 1929), only ever from the environment.
    pub login: Option<(String, String)>,
}

/// A proxy that cannot be used as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadProxy {
    /// Not `scheme://host:port`.
    #[error("{}", tr!("proxy-bad-form", text = .0.as_str()))]
    Form(String),
    /// A scheme other than SOCKS5.
    #[error("{}", tr!("proxy-bad-scheme", text = .0.as_str()))]
    Scheme(String),
    /// A password in an account's saved settings.
    #[error("{}", tr!("proxy-password-in-settings"))]
    PasswordInSettings,
}

impl Proxy {
    /// Reads `socks5://…` or `socks5h://…` (both resolve names at the proxy).
    pub fn parse(text: &str) -> Result<Self, BadProxy> {
        let text = text.trim();
        let url = url::Url::parse(text).map_err(|_| BadProxy::Form(text.into()))?;
        if !matches!(url.scheme(), "socks5" | "socks5h") {
            return Err(BadProxy::Scheme(text.into()));
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => h.to_string(),
            None => return Err(BadProxy::Form(text.into())),
        };
        let port = url.port().unwrap_or(1080);
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let login = (!url.username().is_empty()).then(|| {
            (
                decode(url.username()),
                decode(url.password().unwrap_or_default()),
            )
        });
        Ok(Self { host, port, login })
    }

    /// Reads a proxy for an account's settings, where no password may be kept.
    pub fn for_settings(text: &str) -> Result<Self, BadProxy> {
        let proxy = Self::parse(text)?;
        match &proxy.login {
            Some((_, password)) if !password.is_empty() => Err(BadProxy::PasswordInSettings),
            _ => Ok(proxy),
        }
    }

    /// The proxy named by `ALL_PROXY` (or `all_proxy`), if any.
    pub fn from_env() -> Result<Option<Self>, BadProxy> {
        PROXY_ENV
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
            .map(|v| Self::parse(&v))
            .transpose()
    }
}

/// Writes the proxy without its password.
impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("socks5h://")?;
        if let Some((user, _)) = &self.login {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Proxy({self})")
    }
}

impl TryFrom<String> for Proxy {
    type Error = BadProxy;
    fn try_from(text: String) -> Result<Self, BadProxy> {
        Self::for_settings(&text)
    }
}

impl From<Proxy> for String {
    fn from(p: Proxy) -> String {
        p.to_string()
    }
}

/// Hosts reached without the proxy (`NO_PROXY`): names, `.suffix`es, or `*` for all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy(Vec<String>);

impl NoProxy {
    /// Reads `NO_PROXY` (or `no_proxy`).
    pub fn from_env() -> Self {
        let list = NO_PROXY_ENV
            .iter()
            .find_map(|name| std::env::var(name).ok())
            .unwrap_or_default();
        Self::parse(&list)
    }

    /// Reads a comma-separated list.
    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        )
    }

    /// True when `host` is to be reached directly.
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.0.iter().any(|entry| {
            entry == "*"
                || host == *entry
                || host
                    .strip_suffix(entry.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socks5_addresses_are_read_and_others_refused_in_words() {
        let p = Proxy::parse("socks5h://127.0.0.1:9050").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.login.clone()),
            ("127.0.0.1", 9050, None)
        );
        assert_eq!(p.to_string(), "socks5h://127.0.0.1:9050");
        let p = Proxy::parse("socks5://me:s%40cret@[::1]:1080").unwrap();
        assert_eq!(p.host, "::1");
        assert_eq!(p.login, Some(("me".into(), "s@cret".into())));
        assert_eq!(p.to_string(), "socks5h://me@[::1]:1080");
        assert!(!format!("{p:?}").contains("cret"));
        assert!(matches!(
            Proxy::parse("http://proxy:3128"),
            Err(BadProxy::Scheme(_))
        ));
        assert!(matches!(
            Proxy::parse("proxy:1080"),
            Err(BadProxy::Scheme(_) | BadProxy::Form(_))
        ));
        assert_eq!(
            Proxy::for_settings("socks5h://me:pw@proxy:1080"),
            Err(BadProxy::PasswordInSettings)
        );
        assert!(Proxy::for_settings("socks5h://me@proxy:1080").is_ok());
    }

    #[test]
    fn no_proxy_matches_names_and_suffixes() {
        let n = NoProxy::parse("localhost, .example.org,lab.test");
        assert!(n.covers("localhost"));
        assert!(n.covers("smtp.example.org"));
        assert!(n.covers("example.org"));
        assert!(!n.covers("badexample.org"));
        assert!(n.covers("LAB.test."));
        assert!(!NoProxy::parse("").covers("x"));
        assert!(NoProxy::parse("*").covers("anything"));
    }
}
