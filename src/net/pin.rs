//! Certificates a person chose to trust for one account (a self-signed or private-authority
//! certificate of their own server): what a certificate says, the SHA-256 of its public key,
//! and the verifier that accepts exactly that key and nothing else.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::tls::{CertProblem, CertReason, presented_names};

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
}

/// A certificate trusted for one account: exactly its key is accepted, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatePin {
    /// The SHA-256 of the trusted public key.
    pub sha256: Fingerprint,
    /// Who the certificate was for, for people.
    pub subject: String,
    /// What was wrong with it for Outpost's usual rules when it was trusted (self-signed,
    /// expired, issued for other names…), in words; `None` when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    /// When it was trusted (Unix seconds).
    pub pinned_at: i64,
}

impl CertificatePin {
    /// Trusts `info`'s key, noting what `problem` (if any) the usual rules found. A key
    /// that replaces one trusted before was refused for the change alone; whether it issued
    /// itself is what can still be said.
    pub fn new(info: &CertificateInfo, problem: Option<&CertProblem>, now: i64) -> Self {
        let exception = match problem {
            Some(p) if !matches!(p.reason, CertReason::Changed { .. }) => Some(p.without_names()),
            _ if info.issued_by_itself() => Some(
                CertProblem {
                    reason: CertReason::SelfSigned,
                    names: vec![],
                    certificate: None,
                }
                .to_string(),
            ),
            _ => None,
        };
        Self {
            sha256: info.sha256.clone(),
            subject: info.subject.clone(),
            exception,
            pinned_at: now,
        }
    }
}

/// Accepts exactly the pinned key, whatever its names, dates or issuer; refuses any other
/// with [`CertReason::Changed`]. Handshake signatures are checked as usual.
#[derive(Debug)]
pub struct PinnedVerifier {
    pin: Fingerprint,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedVerifier {
    /// A verifier for `pin`.
    pub fn new(pin: Fingerprint) -> Self {
        Self {
            pin,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

/// A client configuration like `base` that trusts only `pin`.
pub fn pinned_config(base: &rustls::ClientConfig, pin: &Fingerprint) -> Arc<rustls::ClientConfig> {
    let mut config = base.clone();
    config
        .dangerous()
        .set_certificate_verifier(Arc::new(PinnedVerifier::new(pin.clone())));
    Arc::new(config)
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let info = CertificateInfo::read(end_entity);
        if info.as_ref().is_some_and(|i| i.sha256 == self.pin) {
            return Ok(ServerCertVerified::assertion());
        }
        let problem = CertProblem {
            reason: CertReason::Changed {
                pinned: self.pin.clone(),
            },
            names: presented_names(end_entity),
            certificate: info.map(Box::new),
        };
        Err(problem.into_rustls())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_with_or_without_colons() {
        let f = Fingerprint::of_key(b"key");
        let text = f.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert_eq!(Fingerprint::parse(&text).unwrap(), f);
        assert_eq!(
            Fingerprint::parse(&text.replace(':', "").to_lowercase()).unwrap(),
            f
        );
        assert!(Fingerprint::parse("AB:CD").is_err());
        assert!(Fingerprint::parse(&"zz".repeat(32)).is_err());
    }
}
