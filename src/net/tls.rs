//! The one TLS client configuration: Mozilla's roots, the platform's roots and the file named
//! by `SSL_CERT_FILE`; certificate failures come back as a [`CertProblem`] naming the
//! certificate's own names.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;

use super::certificate::{CertificateInfo, Fingerprint, presented_names};

/// Environment variable naming a PEM file of extra trusted certificates.
pub const CERT_FILE_ENV: &str = "SSL_CERT_FILE";

/// The trust store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The file named by `SSL_CERT_FILE` could not be used.
    #[error("{}", tr!(
        "tls-cert-file",
        var = CERT_FILE_ENV,
        path = .path.display().to_string(),
        detail = .detail.to_string()
    ))]
    CertFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// rustls refused the configuration.
    #[error("{}", tr!("tls-config", error = .0.to_string()))]
    Rustls(#[from] rustls::Error),
}

/// Why a server's certificate was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertReason {
    /// The certificate is for other names than the server asked for.
    WrongName {
        /// The name Outpost connected to.
        expected: String,
    },
    /// The certificate has expired.
    Expired {
        /// When it expired (HTTP date), when known.
        not_after: Option<String>,
    },
    /// The certificate is not valid yet (or this computer's clock is wrong).
    NotYetValid {
        /// When it becomes valid (HTTP date), when known.
        not_before: Option<String>,
    },
    /// No trusted authority signed it: self-signed, or from a private authority.
    UnknownIssuer,
    /// It signed itself as an authority and is used as the server's own certificate (what
    /// `openssl req -x509` and Debian's snakeoil make): refused even when trusted.
    SelfSigned,
    /// It is not meant for a server (its purpose says otherwise).
    WrongPurpose,
    /// It was revoked by its issuer.
    Revoked,
    /// Anything else: damaged, or signed in a way that is not accepted.
    Unacceptable,
    /// The account trusts one certificate's key, and the server showed another.
    Changed {
        /// The key trusted for the account.
        pinned: Fingerprint,
    },
}

/// Names of a certificate shown at most; a longer list ends "and N more".
pub const NAMES_SHOWN: usize = 4;

/// `names` for people: the first [`NAMES_SHOWN`], then how many more.
pub fn shorten_names(names: &[String]) -> String {
    let shown = names[..names.len().min(NAMES_SHOWN)].join(", ");
    match names.len().saturating_sub(NAMES_SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A refused certificate: why, and which names it was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertProblem {
    /// Why it was refused.
    pub reason: CertReason,
    /// The DNS names and IP addresses the certificate is valid for.
    pub names: Vec<String>,
    /// What the certificate says, when it could be read: shown so that a person can decide
    /// to trust it for an account.
    pub certificate: Option<Box<CertificateInfo>>,
}

impl CertProblem {
    /// As the error a verifier returns; [`cert_problem`] finds it again after the handshake.
    pub(crate) fn into_rustls(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(self))))
    }

    /// Why it was refused, in words, without the names it is issued for.
    pub fn without_names(&self) -> String {
        Self {
            names: vec![],
            ..self.clone()
        }
        .to_string()
    }
}

impl fmt::Display for CertProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match &self.reason {
            CertReason::WrongName { expected } => {
                tr!("cert-problem-wrong-name", expected = expected.as_str())
            }
            CertReason::Expired { not_after: Some(t) } => {
                tr!("cert-problem-expired-on", date = t.to_string())
            }
            CertReason::Expired { not_after: None } => tr!("cert-problem-expired"),
            CertReason::NotYetValid {
                not_before: Some(t),
            } => tr!("cert-problem-not-before", date = t.to_string()),
            CertReason::NotYetValid { not_before: None } => tr!("cert-problem-not-yet-valid"),
            CertReason::UnknownIssuer => tr!("cert-problem-unknown-issuer"),
            CertReason::SelfSigned => tr!("cert-problem-self-signed"),
            CertReason::WrongPurpose => tr!("cert-problem-wrong-purpose"),
            CertReason::Revoked => tr!("cert-problem-revoked"),
            CertReason::Unacceptable => tr!("cert-problem-unacceptable"),
            CertReason::Changed { pinned } => match &self.certificate {
                Some(c) => tr!(
                    "cert-problem-changed-shown",
                    pinned = pinned.to_string(),
                    shown = c.sha256.to_string()
                ),
                None => tr!("cert-problem-changed", pinned = pinned.to_string()),
            },
        };
        f.write_str(&text)?;
        if !self.names.is_empty() {
            let names = shorten_names(&self.names);
            write!(f, " {}", tr!("cert-problem-issued-for", names = names))?;
        }
        Ok(())
    }
}

impl StdError for CertProblem {}

/// The certificate problem behind a failed TLS handshake, if that is what failed.
pub fn cert_problem(err: &io::Error) -> Option<CertProblem> {
    let mut source: Option<&(dyn StdError + 'static)> = err.get_ref().map(|e| e as _);
    while let Some(e) = source {
        if let Some(rustls::Error::InvalidCertificate(ce)) = e.downcast_ref::<rustls::Error>() {
            return Some(match ce {
                CertificateError::Other(OtherError(inner)) => inner
                    .downcast_ref::<CertProblem>()
                    .cloned()
                    .unwrap_or_else(|| CertProblem {
                        reason: reason_of(ce),
                        names: vec![],
                        certificate: None,
                    }),
                other => CertProblem {
                    reason: reason_of(other),
                    names: vec![],
                    certificate: None,
                },
            });
        }
        source = e.source();
    }
    None
}

/// The shared client configuration, trusting also the certificates in `extra_roots`.
/// Loads the platform's store on every call: call it once.
pub fn client_config(
    extra_roots: Option<&Path>,
) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // The platform store; when SSL_CERT_FILE is set this loads that file instead.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra_roots {
        let path = path.to_path_buf();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&path)
            .and_then(|it| it.collect::<Result<_, _>>())
            .map_err(|e| TlsSetupError::CertFile {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(TlsSetupError::CertFile {
                path,
                detail: "it holds no PEM certificate".into(),
            });
        }
        roots.add_parsable_certificates(certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsSetupError::Rustls(rustls::Error::General(e.to_string())))?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ExplainingVerifier { inner }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The standard WebPKI verifier, with failures turned into a [`CertProblem`].
#[derive(Debug)]
struct ExplainingVerifier {
    inner: Arc<WebPkiServerVerifier>,
}

fn http_date(t: &UnixTime) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t.as_secs()))
}

fn reason_of(e: &CertificateError) -> CertReason {
    use CertificateError as E;
    match e {
        E::NotValidForName => CertReason::WrongName {
            expected: String::new(),
        },
        E::NotValidForNameContext { expected, .. } => CertReason::WrongName {
            expected: server_name_text(expected),
        },
        E::Expired => CertReason::Expired { not_after: None },
        E::ExpiredContext { not_after, .. } => CertReason::Expired {
            not_after: Some(http_date(not_after)),
        },
        E::NotValidYet => CertReason::NotYetValid { not_before: None },
        E::NotValidYetContext { not_before, .. } => CertReason::NotYetValid {
            not_before: Some(http_date(not_before)),
        },
        E::UnknownIssuer => CertReason::UnknownIssuer,
        E::Revoked => CertReason::Revoked,
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => CertReason::WrongPurpose,
        E::Other(OtherError(inner))
            if matches!(
                inner.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            ) =>
        {
            CertReason::SelfSigned
        }
        _ => CertReason::Unacceptable,
    }
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

impl ServerCertVerifier for ExplainingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(ce) => {
                    let mut reason = reason_of(&ce);
                    if let CertReason::WrongName { expected } = &mut reason {
                        *expected = server_name_text(server_name);
                    }
                    let problem = CertProblem {
                        reason,
                        names: presented_names(end_entity),
                        certificate: CertificateInfo::read(end_entity).map(Box::new),
                    };
                    problem.into_rustls()
                }
                other => other,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Performs a TLS handshake on `tcp` for `server_name`.
pub async fn handshake(
    tcp: TcpStream,
    server_name: &str,
    config: Arc<rustls::ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // Without it replies wait on Nagle's algorithm; a socket that refuses it still works.
    tcp.set_nodelay(true).ok();
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_name_lists_are_shortened() {
        let names: Vec<String> = (1..=80).map(|i| format!("n{i}.example.org")).collect();
        assert_eq!(
            shorten_names(&names),
            "n1.example.org, n2.example.org, n3.example.org, n4.example.org and 76 more"
        );
        assert_eq!(shorten_names(&names[..2]), "n1.example.org, n2.example.org");
    }

    #[test]
    fn a_self_signed_authority_used_as_a_server_certificate_is_said_in_words() {
        let ce = CertificateError::Other(OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)));
        assert_eq!(reason_of(&ce), CertReason::SelfSigned);
        let problem = CertProblem {
            reason: reason_of(&ce),
            names: vec![],
            certificate: None,
        };
        let text = problem.to_string();
        assert!(text.contains("issued by itself"), "{text}");
        assert!(
            !text.contains("CaUsedAsEndEntity") && !text.contains("Other("),
            "{text}"
        );
    }
}
