//! The loopback redirect of RFC 8252 §7.3: a listener on `127.0.0.1` at a random port that
//! takes the browser's one request carrying the authorization code.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::error::OauthError;

/// Largest request head read from the browser.
const MAX_REQUEST: usize = 16 * 1024;
/// How long one browser connection may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A listening redirect endpoint.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

/// Which issuer must have sent the answer (RFC 9207): its `iss` parameter, when present,
/// must name the issuer signed in with; an issuer whose metadata says it names itself must.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuerCheck {
    /// The issuer identifier expected (unknown for issuers without metadata).
    pub expected: Option<String>,
    /// The answer must carry `iss`.
    pub required: bool,
}

impl IssuerCheck {
    fn verify(&self, found: Option<&str>) -> Result<(), OauthError> {
        let Some(expected) = &self.expected else {
            return Ok(());
        };
        match found {
            Some(iss) if iss == expected => Ok(()),
            None if !self.required => Ok(()),
            other => Err(OauthError::IssuerMismatch {
                expected: expected.clone(),
                found: other.unwrap_or_default().to_string(),
            }),
        }
    }
}

/// What the browser brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// The authorization code, and the issuer the answer names (RFC 9207).
    Code { code: String, iss: Option<String> },
    /// The provider's refusal (RFC 6749 §4.1.2.1).
    Error {
        error: String,
        description: String,
        iss: Option<String>,
    },
    /// Not for this sign-in (another path, another state): answered and ignored.
    Ignore(&'static str),
}

fn parse(head: &str, state: &str) -> Answer {
    let Some(line) = head.lines().next() else {
        return Answer::Ignore("empty request");
    };
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" {
        return Answer::Ignore("not a GET request");
    }
    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
        return Answer::Ignore("not a valid address");
    };
    if url.path() != "/" {
        return Answer::Ignore("not the sign-in address");
    }
    let get = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    // A page that guesses the port must not be able to end the sign-in (RFC 6749 §10.12).
    if get("state").as_deref() != Some(state) {
        return Answer::Ignore("the state does not match this sign-in");
    }
    let iss = get("iss");
    if let Some(error) = get("error") {
        return Answer::Error {
            error,
            description: get("error_description").unwrap_or_default(),
            iss,
        };
    }
    match get("code") {
        Some(code) if !code.is_empty() => Answer::Code { code, iss },
        _ => Answer::Error {
            error: "invalid_request".into(),
            description: "the provider sent neither a code nor an error".into(),
            iss,
        },
    }
}

fn page(title: &str, text: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:4em auto\">\
         <h1>{t}</h1><p>{x}</p></body></html>",
        l = crate::i18n::language().code(),
        t = esc(title),
        x = esc(text)
    )
}

async fn respond(stream: &mut TcpStream, status: &str, html: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
        html.len()
    );
    // A browser that has gone needs no page: the answer it brought is what counts.
    if stream.write_all(response.as_bytes()).await.is_ok() {
        stream.shutdown().await.ok();
    }
}

async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let work = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 || buf.len() + n > MAX_REQUEST {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(String::from_utf8_lossy(&buf).into_owned())
    };
    tokio::time::timeout(REQUEST_TIMEOUT, work)
        .await
        .ok()
        .flatten()
}

impl Loopback {
    /// Listens on `127.0.0.1` at a port the system picks.
    pub async fn bind() -> Result<Self, OauthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OauthError::Listen(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| OauthError::Listen(e.to_string()))?
            .port();
        Ok(Self { listener, port })
    }

    /// The `redirect_uri` to register with the request.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Waits for the browser to bring this sign-in's code (`state` must match, the issuer
    /// named must pass `issuer`), answering every request with a page that says what
    /// happened.
    pub async fn code(
        &self,
        state: &str,
        provider: &str,
        issuer: &IssuerCheck,
    ) -> Result<String, OauthError> {
        loop {
            let Ok((mut stream, _)) = self.listener.accept().await else {
                continue;
            };
            let Some(head) = read_head(&mut stream).await else {
                continue;
            };
            let answer = parse(&head, state);
            let named = match &answer {
                Answer::Code { iss, .. } | Answer::Error { iss, .. } => {
                    issuer.verify(iss.as_deref())
                }
                Answer::Ignore(_) => Ok(()),
            };
            if let Err(mixed_up) = named {
                let html = page(&tr!("browser-not-signed-in"), &mixed_up.to_string());
                respond(&mut stream, "200 OK", &html).await;
                return Err(mixed_up);
            }
            match answer {
                Answer::Code { code, .. } => {
                    let html = page(
                        &tr!("browser-signed-in"),
                        &tr!("browser-signed-in-text", provider = provider),
                    );
                    respond(&mut stream, "200 OK", &html).await;
                    return Ok(code);
                }
                Answer::Error {
                    error, description, ..
                } => {
                    let html = page(
                        &tr!("browser-not-signed-in"),
                        &tr!(
                            "browser-not-signed-in-text",
                            provider = provider,
                            error = error.as_str()
                        ),
                    );
                    respond(&mut stream, "200 OK", &html).await;
                    return Err(OauthError::Denied { error, description });
                }
                Answer::Ignore(why) => {
                    let html = page(
                        &tr!("browser-not-for-outpost"),
                        &tr!("browser-ignored", why = why),
                    );
                    respond(&mut stream, "400 Bad Request", &html).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sign_ins_answer_ends_the_wait() {
        let get = |target: &str| parse(&format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"), "s1");
        let code = |c: &str, iss: Option<&str>| Answer::Code {
            code: c.into(),
            iss: iss.map(String::from),
        };
        assert_eq!(get("/?code=abc&state=s1"), code("abc", None));
        assert_eq!(get("/?state=s1&code=a%2Fb"), code("a/b", None));
        assert_eq!(
            get("/?code=abc&state=s1&iss=https%3A%2F%2Fl.test"),
            code("abc", Some("https://l.test"))
        );
        assert!(matches!(get("/?code=abc&state=other"), Answer::Ignore(_)));
        assert!(matches!(get("/?code=abc"), Answer::Ignore(_)));
        assert!(matches!(get("/favicon.ico"), Answer::Ignore(_)));
        assert_eq!(
            get("/?error=access_denied&error_description=no+thanks&state=s1"),
            Answer::Error {
                error: "access_denied".into(),
                description: "no thanks".into(),
                iss: None,
            }
        );
        let post = parse("POST /?code=abc&state=s1 HTTP/1.1\r\n\r\n", "s1");
        assert!(matches!(post, Answer::Ignore(_)));
    }

    #[test]
    fn an_answer_naming_another_issuer_is_refused() {
        let check = IssuerCheck {
            expected: Some("https://l.test".into()),
            required: false,
        };
        assert!(check.verify(Some("https://l.test")).is_ok());
        assert!(check.verify(None).is_ok());
        let mixed = check.verify(Some("https://evil.test")).unwrap_err();
        assert!(matches!(mixed, OauthError::IssuerMismatch { .. }));
        let strict = IssuerCheck {
            required: true,
            ..check
        };
        assert!(strict.verify(None).is_err());
        // Issuers without metadata are not checked: nothing says who they are.
        assert!(IssuerCheck::default().verify(Some("x")).is_ok());
    }
}
