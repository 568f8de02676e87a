//! The one HTTP client: HTTP/1.1 (hyper) over the shared connections (Happy Eyeballs or the
//! proxy) and rustls configuration, one connection per request, with a size limit on every
//! body, a time limit on connecting, on the first byte and on the whole, and redirects
//! followed by hand (at most [`MAX_REDIRECTS`], never from HTTPS down to HTTP).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST, LOCATION, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use url::Url;

use super::connect::{Dialer, OpenError};
use super::tls::{self, CertProblem, cert_problem};

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
    #[error("{}", tr!("http-status", status = *.0))]
    Status(u16),
    /// The body was larger than allowed.
    #[error("{}", tr!("http-too-large", bytes = *.0))]
    TooLarge(usize),
    /// The request took too long.
    #[error("{}", tr!("http-timeout", seconds = REQUEST_TIMEOUT.as_secs()))]
    Timeout,
    /// No connection could be made in time.
    #[error("{}", tr!("connection-timeout", seconds = CONNECT_TIMEOUT.as_secs()))]
    ConnectTimeout,
    /// The server took the connection and then said nothing.
    #[error("{}", tr!("http-silent", seconds = FIRST_BYTE_TIMEOUT.as_secs()))]
    Silent,
    /// More redirects than allowed.
    #[error("{}", tr!("http-redirects", count = MAX_REDIRECTS))]
    TooManyRedirects,
    /// A redirect from HTTPS to HTTP.
    #[error("{}", tr!("http-downgrade", from = .from.to_string(), to = .to.to_string()))]
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
    dialer: Dialer,
    tls: Arc<rustls::ClientConfig>,
    port_map: Arc<Vec<(u16, u16)>>,
}

/// A connection, plain or encrypted.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

const USER_AGENT_TEXT: &str = concat!("Outpost/", env!("CARGO_PKG_VERSION"));

fn failed(e: impl std::fmt::Display) -> HttpError {
    HttpError::Failed(e.to_string())
}

/// A request on its way: method, address, optional body with its type.
struct Outgoing<'a> {
    method: hyper::Method,
    url: &'a Url,
    body: Option<(&'a str, String)>,
    accept: Option<&'a str>,
}

/// Reads at most `limit` bytes of body, each piece within [`FIRST_BYTE_TIMEOUT`], decoded as
/// UTF-8 (invalid bytes replaced).
async fn read_body(resp: hyper::Response<Incoming>, limit: usize) -> Result<String, HttpError> {
    let declared = resp
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(HttpError::TooLarge(limit));
    }
    let mut body = resp.into_body();
    let mut bytes = Vec::new();
    loop {
        let frame = tokio::time::timeout(FIRST_BYTE_TIMEOUT, body.frame())
            .await
            .map_err(|_| HttpError::Silent)?;
        let Some(frame) = frame else { break };
        if let Ok(chunk) = frame.map_err(failed)?.into_data() {
            if bytes.len() + chunk.len() > limit {
                return Err(HttpError::TooLarge(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

impl HttpClient {
    /// A client over `tls` and `dialer`, reaching well-known ports through `port_map`.
    pub fn new(
        tls: Arc<rustls::ClientConfig>,
        dialer: Dialer,
        port_map: Arc<Vec<(u16, u16)>>,
    ) -> Self {
        Self {
            dialer,
            tls,
            port_map,
        }
    }

    /// The same client, connecting through `dialer` (an account's own proxy).
    pub fn with_dialer(&self, dialer: Dialer) -> Self {
        Self {
            dialer,
            ..self.clone()
        }
    }

    fn port(&self, url: &Url) -> Result<u16, HttpError> {
        let port = url
            .port_or_known_default()
            .ok_or_else(|| failed(format!("{url} names no port")))?;
        Ok(match url.port() {
            Some(p) => p,
            None => self
                .port_map
                .iter()
                .find(|(from, _)| *from == port)
                .map_or(port, |(_, to)| *to),
        })
    }

    /// Connects (TCP, then TLS for `https`) within [`CONNECT_TIMEOUT`].
    async fn connect(&self, url: &Url) -> Result<Box<dyn Io>, HttpError> {
        let host = url
            .host_str()
            .ok_or_else(|| failed(format!("{url} names no server")))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let port = self.port(url)?;
        let work = async {
            let (tcp, _) = self
                .dialer
                .open(bare, port, CONNECT_TIMEOUT)
                .await
                .map_err(|e| match e {
                    OpenError::Timeout(_)
                    | OpenError::Connect(super::ConnectError::Dropped { .. }) => {
                        HttpError::ConnectTimeout
                    }
                    other => failed(other),
                })?;
            if url.scheme() != "https" {
                return Ok(Box::new(tcp) as Box<dyn Io>);
            }
            let tls = tls::handshake(tcp, bare, self.tls.clone())
                .await
                .map_err(|e| match cert_problem(&e) {
                    Some(p) => HttpError::Certificate(p),
                    None => failed(format!("the TLS handshake failed: {e}")),
                })?;
            Ok(Box::new(tls) as Box<dyn Io>)
        };
        tokio::time::timeout(CONNECT_TIMEOUT, work)
            .await
            .unwrap_or(Err(HttpError::ConnectTimeout))
    }

    /// Sends one request on a connection of its own and waits for the answer's head.
    async fn send(&self, out: Outgoing<'_>) -> Result<hyper::Response<Incoming>, HttpError> {
        let io = self.connect(out.url).await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(failed)?;
        tokio::spawn(conn);
        let host = match out.url.port() {
            Some(p) => format!("{}:{p}", out.url.host_str().unwrap_or_default()),
            None => out.url.host_str().unwrap_or_default().to_string(),
        };
        let path = match out.url.query() {
            Some(q) => format!("{}?{q}", out.url.path()),
            None => out.url.path().to_string(),
        };
        let mut req = hyper::Request::builder()
            .method(out.method)
            .uri(path)
            .header(HOST, host)
            .header(USER_AGENT, USER_AGENT_TEXT);
        if let Some(accept) = out.accept {
            req = req.header(ACCEPT, accept);
        }
        let body = match out.body {
            Some((kind, body)) => {
                req = req.header(CONTENT_TYPE, kind);
                Full::new(Bytes::from(body))
            }
            None => Full::new(Bytes::new()),
        };
        let req = req.body(body).map_err(failed)?;
        tokio::time::timeout(FIRST_BYTE_TIMEOUT, sender.send_request(req))
            .await
            .map_err(|_| HttpError::Silent)?
            .map_err(|e| failed(format!("the server's answer is not HTTP: {e}")))
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
        self.post_answer(url, "application/x-www-form-urlencoded", body, limit)
            .await
    }

    /// POSTs a JSON `body` (an OAuth2 client registration, RFC 7591) and returns the status
    /// with the body, as [`Self::post_form`] does.
    pub async fn post_json(
        &self,
        url: &str,
        body: String,
        limit: usize,
    ) -> Result<(u16, String), HttpError> {
        self.post_answer(url, "application/json", body, limit).await
    }

    async fn post_answer(
        &self,
        url: &str,
        content_type: &str,
        body: String,
        limit: usize,
    ) -> Result<(u16, String), HttpError> {
        let work = async {
            let url = Url::parse(url).map_err(failed)?;
            let resp = self
                .send(Outgoing {
                    method: hyper::Method::POST,
                    url: &url,
                    body: Some((content_type, body)),
                    accept: Some("application/json"),
                })
                .await?;
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
            let mut url = Url::parse(url).map_err(failed)?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(failed(format!("{url} is not a web address")));
            }
            for _ in 0..=MAX_REDIRECTS {
                let resp = self
                    .send(Outgoing {
                        method: if body.is_some() {
                            hyper::Method::POST
                        } else {
                            hyper::Method::GET
                        },
                        url: &url,
                        body: body.map(|(kind, b)| (kind, b.to_string())),
                        accept: None,
                    })
                    .await?;
                let status = resp.status();
                if status.is_redirection() {
                    let location = resp
                        .headers()
                        .get(LOCATION)
                        .and_then(|l| l.to_str().ok())
                        .ok_or(HttpError::Status(status.as_u16()))?;
                    let next = url.join(location).map_err(failed)?;
                    if url.scheme() == "https" && next.scheme() != "https" {
                        return Err(HttpError::Downgrade {
                            from: url.to_string(),
                            to: next.to_string(),
                        });
                    }
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(failed(format!("a redirect to {next} was refused")));
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
