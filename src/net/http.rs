//! The one HTTP client: reqwest over the shared rustls configuration and resolver, with a
//! size limit on every body, a time limit on every request, and redirects followed by hand
//! (at most [`MAX_REDIRECTS`], never from HTTPS down to HTTP).

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::resolver::Resolver;
use super::tls::{CertProblem, cert_problem};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 3;
/// Time limit for connecting (TCP and TLS) to a web server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time limit for the server's answer to begin (and for each later read of it): a server
/// that accepts and never answers is given up early.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(4);
/// Time limit of one request, redirects included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(8);

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The server answered with an error status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The body was larger than allowed.
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    /// The request took too long.
    #[error("no complete answer within {} s", REQUEST_TIMEOUT.as_secs())]
    Timeout,
    /// No connection could be made in time.
    #[error("no connection within {} s", CONNECT_TIMEOUT.as_secs())]
    ConnectTimeout,
    /// The server took the connection and then said nothing.
    #[error(
        "the server accepted the connection but sent nothing for {} s",
        FIRST_BYTE_TIMEOUT.as_secs()
    )]
    Silent,
    /// More redirects than allowed.
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    /// A redirect from HTTPS to HTTP.
    #[error("a redirect from {from} to unencrypted {to} was refused")]
    Downgrade {
        /// The HTTPS address.
        from: String,
        /// The HTTP address it pointed to.
        to: String,
    },
    /// The server's certificate was refused.
    #[error("{0}")]
    Certificate(CertProblem),
    /// Anything else: DNS, connection, protocol.
    #[error("{0}")]
    Failed(String),
}

struct HickoryResolve(Resolver);

impl Resolve for HickoryResolve {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.0.clone();
        Box::pin(async move {
            let ips = resolver.lookup_ip(name.as_str()).await?;
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The address that finally answered.
    pub url: Url,
    /// The body, decoded as UTF-8 (invalid bytes replaced).
    pub body: String,
}

/// The shared client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    port_map: Arc<Vec<(u16, u16)>>,
}

fn describe(e: &reqwest::Error) -> HttpError {
    if e.is_timeout() && e.is_connect() {
        return HttpError::ConnectTimeout;
    }
    if e.is_timeout() {
        return HttpError::Silent;
    }
    let mut source: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && let Some(p) = cert_problem(io)
        {
            return HttpError::Certificate(p);
        }
        source = s.source();
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    HttpError::Failed(text)
}

/// Reads at most `limit` bytes of body, decoded as UTF-8 (invalid bytes replaced).
async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<String, HttpError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(HttpError::TooLarge(limit));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        if bytes.len() + chunk.len() > limit {
            return Err(HttpError::TooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl HttpClient {
    /// A client over `tls` and `resolver`, reaching well-known ports through `port_map`.
    pub fn new(
        tls: &rustls::ClientConfig,
        resolver: Resolver,
        port_map: Arc<Vec<(u16, u16)>>,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls.clone())
            .dns_resolver(Arc::new(HickoryResolve(resolver)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(FIRST_BYTE_TIMEOUT)
            .user_agent(concat!("Outpost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { client, port_map })
    }

    fn mapped(&self, url: &Url) -> Url {
        let mut url = url.clone();
        if url.port().is_none()
            && let Some(port) = url.port_or_known_default()
            && let Some((_, to)) = self.port_map.iter().find(|(from, _)| *from == port)
        {
            url.set_port(Some(*to))
                .expect("a URL with a default port can take another");
        }
        url
    }

    /// GETs `url`, following redirects by hand, reading at most `limit` bytes of body.
    pub async fn get(&self, url: &str, limit: usize) -> Result<Response, HttpError> {
        self.request(url, None, limit).await
    }

    /// POSTs an XML `body` to `url` (Autodiscover), with the same limits as [`Self::get`].
    pub async fn post_xml(
        &self,
        url: &str,
        body: &str,
        limit: usize,
    ) -> Result<Response, HttpError> {
        self.request(url, Some(("text/xml; charset=utf-8", body)), limit)
            .await
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded` (an OAuth2 token request) and
    /// returns the status with the body, an error status included: such servers explain
    /// refusals in the body (RFC 6749 §5.2). Redirects are not followed.
    pub async fn post_form(
        &self,
        url: &str,
        fields: &[(&str, &str)],
        limit: usize,
    ) -> Result<(u16, String), HttpError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let work = async {
            let url = Url::parse(url).map_err(|e| HttpError::Failed(e.to_string()))?;
            let resp = self
                .client
                .post(self.mapped(&url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = resp.status().as_u16();
            Ok((status, read_body(resp, limit).await?))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, work)
            .await
            .unwrap_or(Err(HttpError::Timeout))
    }

    async fn request(
        &self,
        url: &str,
        body: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Response, HttpError> {
        let work = async {
            let mut url = Url::parse(url).map_err(|e| HttpError::Failed(e.to_string()))?;
            for _ in 0..=MAX_REDIRECTS {
                let target = self.mapped(&url);
                let req = match body {
                    Some((kind, b)) => self
                        .client
                        .post(target)
                        .header("Content-Type", kind)
                        .body(b.to_string()),
                    None => self.client.get(target),
                };
                let resp = req.send().await.map_err(|e| describe(&e))?;
                let status = resp.status();
                if status.is_redirection() {
                    let location = resp
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .ok_or(HttpError::Status(status.as_u16()))?;
                    let next = url
                        .join(location)
                        .map_err(|e| HttpError::Failed(e.to_string()))?;
                    if url.scheme() == "https" && next.scheme() != "https" {
                        return Err(HttpError::Downgrade {
                            from: url.to_string(),
                            to: next.to_string(),
                        });
                    }
                    url = next;
                    continue;
                }
                if !status.is_success() {
                    return Err(HttpError::Status(status.as_u16()));
                }
                let body = read_body(resp, limit).await?;
                return Ok(Response { url, body });
            }
            Err(HttpError::TooManyRedirects)
        };
        tokio::time::timeout(REQUEST_TIMEOUT, work)
            .await
            .unwrap_or(Err(HttpError::Timeout))
    }
}
