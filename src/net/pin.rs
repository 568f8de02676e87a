//! Certificates a person chose to trust for one account (a self-signed or private-authority
//! certificate of their own server): what a certificate says, the SHA-256 of its public key,
//! and the verifier that accepts exactly that key and nothing else.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::{Deserialize, Serialize};

use super::certificate::{CertificateInfo, Fingerprint, presented_names};
use super::tls::{CertProblem, CertReason};

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
