//! Names as people type them: an e-mail address ([`EmailAddress`], parsed once: its local
//! part, its domain in ASCII for DNS and TLS and in Unicode for people) and a server's host
//! name ([`parse_host`]). Detection, accounts and the window all take addresses through here.

use std::fmt;

/// What is wrong with an address, in words that say how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No `@`.
    #[error("{}", tr!("address-no-at"))]
    NoAt,
    /// Nothing, or spaces, before the `@`.
    #[error("{}", tr!("address-local-part"))]
    LocalPart,
    /// The domain is no valid name.
    #[error("{}", tr!("address-domain"))]
    Domain,
    /// The domain is a single label or an IP address (where a full domain is needed).
    #[error("{}", tr!("address-not-full-domain"))]
    NotFullDomain,
    /// Otherwise not an address mail can be sent to.
    #[error("{}", tr!("address-invalid"))]
    Invalid,
}

/// A server name that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("invalid-host", text = .0.as_str()))]
pub struct BadHost(pub String);

/// An e-mail address, checked: `local@domain`, the domain a full DNS name (IDN allowed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    written: String,
    local: String,
    domain: String,
    domain_unicode: String,
}

impl EmailAddress {
    /// Checks `input` (surrounding white space is ignored).
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let written = input.trim();
        let (local, domain) = written.rsplit_once('@').ok_or(AddressError::NoAt)?;
        if local.is_empty() || local.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AddressError::LocalPart);
        }
        let ascii = parse_host(domain).map_err(|_| AddressError::Domain)?;
        if format!("{local}@{ascii}")
            .parse::<lettre::Address>()
            .is_err()
        {
            return Err(AddressError::Invalid);
        }
        Ok(Self {
            written: written.to_string(),
            local: local.to_string(),
            domain: ascii,
            domain_unicode: domain.trim_end_matches('.').to_lowercase(),
        })
    }

    /// The same address, when its domain is a full DNS name (not one label such as
    /// `localhost`, not an IP address): what can be looked up on the Internet.
    pub fn require_full_domain(self) -> Result<Self, AddressError> {
        let d = &self.domain;
        if d.parse::<std::net::IpAddr>().is_ok() || !d.contains('.') {
            return Err(AddressError::NotFullDomain);
        }
        Ok(self)
    }

    /// The address as the person wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// The part before the `@`.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The domain in ASCII (punycode), lower case: what DNS and TLS are asked about.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The domain as people read it (Unicode), lower case.
    pub fn domain_unicode(&self) -> &str {
        &self.domain_unicode
    }

    /// `local@domain` with the domain in ASCII: what servers are sent.
    pub fn ascii(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// `local@domain` with the domain as people read it.
    pub fn display(&self) -> String {
        format!("{}@{}", self.local, self.domain_unicode)
    }

    /// The usual submission server of the domain, when nothing better is known.
    pub fn usual_server(&self) -> String {
        format!("smtp.{}", self.domain)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// Checks a server host name or IP address and returns it trimmed, without a trailing dot.
/// An international name comes back in its ASCII (punycode) form, as DNS and TLS need it.
pub fn parse_host(s: &str) -> Result<String, BadHost> {
    let host = s.trim().trim_end_matches('.');
    let bad = || BadHost(s.trim().to_string());
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(host.to_string());
    }
    let ascii = hickory_proto::rr::Name::from_utf8(host)
        .map_err(|_| bad())?
        .to_ascii();
    let ascii = ascii.trim_end_matches('.');
    let ok_label = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if ascii.is_empty() || ascii.len() > 253 || !ascii.split('.').all(ok_label) {
        return Err(bad());
    }
    Ok(ascii.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_parsed_once_into_its_parts() {
        let a = EmailAddress::parse("  Ann@Bücher.DE ").unwrap();
        assert_eq!(a.as_str(), "Ann@Bücher.DE");
        assert_eq!(a.local(), "Ann");
        assert_eq!(a.domain(), "xn--bcher-kva.de");
        assert_eq!(a.domain_unicode(), "bücher.de");
        assert_eq!(a.ascii(), "Ann@xn--bcher-kva.de");
        assert_eq!(a.display(), "Ann@bücher.de");
        assert_eq!(a.usual_server(), "smtp.xn--bcher-kva.de");
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        assert_eq!(EmailAddress::parse("ann"), Err(AddressError::NoAt));
        assert_eq!(
            EmailAddress::parse("@example.org"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(
            EmailAddress::parse("a b@example.org"),
            Err(AddressError::LocalPart)
        );
        assert_eq!(EmailAddress::parse("ann@"), Err(AddressError::Domain));
        let local = EmailAddress::parse("root@localhost").unwrap();
        assert_eq!(
            local.require_full_domain(),
            Err(AddressError::NotFullDomain)
        );
        let ip = EmailAddress::parse("ann@127.0.0.1").map(EmailAddress::require_full_domain);
        assert!(!matches!(ip, Ok(Ok(_))), "{ip:?}");
    }

    #[test]
    fn hosts_are_checked() {
        assert_eq!(
            parse_host(" smtp.example.org. "),
            Ok("smtp.example.org".into())
        );
        assert_eq!(parse_host("127.0.0.1"), Ok("127.0.0.1".into()));
        assert!(parse_host("smtp example.org").is_err());
        assert!(parse_host("").is_err());
        assert!(parse_host("-bad.example").is_err());
        assert_eq!(
            parse_host("smtp.bücher.de"),
            Ok("smtp.xn--bcher-kva.de".into())
        );
        assert_eq!(
            parse_host("SMTP.Example.ORG"),
            Ok("smtp.example.org".into())
        );
        assert!(parse_host("smtp..example.org").is_err());
    }
}
