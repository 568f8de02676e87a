//! What a server's certificate says, read for people: the names it is issued for, who issued
//! it, when it is valid, and the SHA-256 of its key (what a pin trusts).

use std::fmt;

use rustls::pki_types::{CertificateDer, ServerName};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The SHA-256 of a certificate's public key (its SubjectPublicKeyInfo), written as 32
/// upper-case hex pairs separated by colons. The key, not the certificate: a renewed
/// certificate for the same key stays trusted.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fingerprint([u8; 32]);

/// Not a SHA-256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("pin-bad", text = .0.as_str()))]
pub struct BadFingerprint(pub String);

impl Fingerprint {
    /// The fingerprint of a public key given as DER SubjectPublicKeyInfo.
    pub fn of_key(spki: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, spki);
        #[expect(clippy::expect_used, reason = "a SHA-256 digest is 32 bytes")]
        Self(digest.as_ref().try_into().expect("SHA-256 is 32 bytes"))
    }

    /// Reads 64 hex digits, with or without colons or spaces, in either case.
    pub fn parse(text: &str) -> Result<Self, BadFingerprint> {
        let digits: String = text
            .trim()
            .trim_start_matches("sha256:")
            .trim_start_matches("SHA256:")
            .chars()
            .filter(|c| !matches!(c, ':' | ' '))
            .collect();
        let bad = || BadFingerprint(text.trim().to_string());
        if digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&pairs.join(":"))
    }
}

impl Fingerprint {
    /// The fingerprint on four lines of eight bytes, to read and compare by eye without
    /// scrolling.
    pub fn in_lines(&self) -> String {
        self.0
            .chunks(8)
            .map(|line| {
                let pairs: Vec<String> = line.iter().map(|b| format!("{b:02X}")).collect();
                pairs.join(":")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = BadFingerprint;
    fn try_from(text: String) -> Result<Self, BadFingerprint> {
        Self::parse(&text)
    }
}

impl From<Fingerprint> for String {
    fn from(f: Fingerprint) -> String {
        f.to_string()
    }
}

/// What a server's certificate says, read when the server presented it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// Who it is for (the subject's common name, or the whole subject).
    pub subject: String,
    /// Who issued it (the same as the subject when it issued itself).
    pub issuer: String,
    /// The names and addresses it is valid for.
    pub names: Vec<String>,
    /// Valid from (HTTP date).
    pub not_before: String,
    /// Valid until (HTTP date).
    pub not_after: String,
    /// The SHA-256 of its public key.
    pub sha256: Fingerprint,
}

impl CertificateInfo {
    /// Reads a DER certificate; `None` when it cannot be read.
    pub fn read(der: &CertificateDer<'_>) -> Option<Self> {
        let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
        let name = |n: &x509_parser::x509::X509Name<'_>| {
            n.iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map(str::to_string)
                .unwrap_or_else(|| n.to_string())
        };
        let date = |t: &x509_parser::time::ASN1Time| {
            let secs = u64::try_from(t.timestamp()).unwrap_or(0);
            httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        };
        Some(Self {
            subject: name(cert.subject()),
            issuer: name(cert.issuer()),
            names: presented_names(der),
            not_before: date(&cert.validity().not_before),
            not_after: date(&cert.validity().not_after),
            sha256: Fingerprint::of_key(cert.public_key().raw),
        })
    }

    /// Whether it names itself as its issuer.
    pub fn issued_by_itself(&self) -> bool {
        self.subject == self.issuer
    }

    /// Who it is for, for people: its subject, and first the server name it is valid for
    /// when the subject is no such name ("mail.example.org (self-signed)").
    pub fn issued_to(&self) -> String {
        match self.names.first() {
            Some(name)
                if !self
                    .names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&self.subject)) =>
            {
                format!("{name} ({})", self.subject)
            }
            _ => self.subject.clone(),
        }
    }
}

/// The names a certificate is issued for, read by asking webpki to match an impossible name.
pub(crate) fn presented_names(end_entity: &CertificateDer<'_>) -> Vec<String> {
    let Ok(cert) = webpki::EndEntityCert::try_from(end_entity) else {
        return vec![];
    };
    #[expect(clippy::expect_used, reason = "a constant, valid DNS name")]
    let probe = ServerName::try_from("outpost-name-probe.invalid").expect("valid DNS name");
    match cert.verify_is_valid_for_subject_name(&probe) {
        Err(webpki::Error::CertNotValidForName(ctx)) => {
            ctx.presented.iter().map(|n| bare_name(n)).collect()
        }
        _ => vec![],
    }
}

/// webpki names what a certificate presents as `DnsName("mail.example.org")`; people want
/// the name alone.
fn bare_name(presented: &str) -> String {
    presented
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map(|inner| inner.trim_matches('"'))
        .unwrap_or(presented)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_are_bare() {
        assert_eq!(
            bare_name("DnsName(\"mail.example.org\")"),
            "mail.example.org"
        );
        assert_eq!(bare_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(bare_name("mail.example.org"), "mail.example.org");
    }
}
