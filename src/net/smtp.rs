//! A small SMTP client session for checking servers: replies with their enhanced status codes,
//! EHLO capabilities, STARTTLS and AUTH. Each call does one exchange; callers put their own
//! timeout around each.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::secret::Secret;

/// Longest reply line accepted (RFC 5321 allows 512; servers send longer EHLO lines).
pub const MAX_LINE: usize = 4096;
/// Most lines accepted in one reply.
pub const MAX_LINES: usize = 256;

/// An RFC 3463 enhanced status code such as `5.7.8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// 2, 4 or 5.
    pub class: u8,
    /// The subject (e.g. 7 for security).
    pub subject: u16,
    /// The detail.
    pub detail: u16,
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl EnhancedCode {
    /// Reads `x.y.z` at the start of `text`, where x is 2, 4 or 5.
    pub fn parse_prefix(text: &str) -> Option<(Self, &str)> {
        let word = text.split_whitespace().next()?;
        let mut parts = word.split('.');
        let class: u8 = parts.next()?.parse().ok()?;
        let subject: u16 = parts.next()?.parse().ok()?;
        let detail: u16 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            return None;
        }
        let rest = text[text.find(word)? + word.len()..].trim_start();
        Some((
            Self {
                class,
                subject,
                detail,
            },
            rest,
        ))
    }
}

/// A server reply: its code, enhanced code (from the first line) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code, when the server sent one.
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line, without code and enhanced code.
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx or 3xx.
    pub fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }

    /// 4xx: try again later.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx: will not succeed as it is.
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The text of all lines, joined with spaces.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

impl Reply {
    /// Builds a reply from its raw lines (without CR LF); all must carry the same code.
    pub fn from_lines(raw: &[impl AsRef<str>]) -> Result<Self, SmtpError> {
        let mut code = None;
        let mut lines = Vec::with_capacity(raw.len());
        for line in raw {
            let line = line.as_ref();
            let (c, last, text) = parse_line(line)?;
            if *code.get_or_insert(c) != c || (last && lines.len() + 1 != raw.len()) {
                return Err(SmtpError::Malformed(line.to_string()));
            }
            lines.push(text.to_string());
        }
        let code = code.ok_or_else(|| SmtpError::Malformed(String::new()))?;
        let mut enhanced = None;
        // Enhanced codes matter on status replies; EHLO's keyword lines have none.
        if (code != 250 || lines.len() == 1)
            && let Some((e, rest)) = lines.first().and_then(|l| EnhancedCode::parse_prefix(l))
            && u16::from(e.class) == code / 100
        {
            enhanced = Some(e);
            lines[0] = rest.to_string();
        }
        Ok(Reply {
            code,
            enhanced,
            lines,
        })
    }
}

impl std::str::FromStr for Reply {
    type Err = SmtpError;

    /// Parses a reply as a server sends it, lines separated by CR LF or LF.
    fn from_str(s: &str) -> Result<Self, SmtpError> {
        let lines: Vec<&str> = s.lines().collect();
        Reply::from_lines(&lines)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        let text = self.text();
        if !text.is_empty() {
            write!(f, " {text}")?;
        }
        Ok(())
    }
}

/// What went wrong in an SMTP exchange.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// Reading or writing failed.
    #[error("connection error: {0}")]
    Io(#[from] io::Error),
    /// The server closed the connection.
    #[error("the server closed the connection")]
    Closed,
    /// The server sent something that is not an SMTP reply.
    #[error("the server sent something that is not SMTP: {0:?}")]
    Malformed(String),
    /// A reply was longer than Outpost accepts.
    #[error("the server sent an overlong reply")]
    TooLong,
    /// The server sent bytes after its STARTTLS reply, before TLS began (an injection attempt).
    #[error("the server sent data before the TLS handshake; the connection was dropped")]
    Pipelined,
    /// The server answered with an unexpected reply.
    #[error("the server replied: {0}")]
    Reply(Reply),
}

/// Parses one reply line into (code, is_last, text).
pub fn parse_line(line: &str) -> Result<(u16, bool, &str), SmtpError> {
    let bad = || SmtpError::Malformed(line.chars().take(80).collect());
    let bytes = line.as_bytes();
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let code: u16 = line[..3].parse().map_err(|_| bad())?;
    if !(200..600).contains(&code) {
        return Err(bad());
    }
    match bytes.get(3) {
        None => Ok((code, true, "")),
        Some(b' ') => Ok((code, true, &line[4..])),
        Some(b'-') => Ok((code, false, &line[4..])),
        Some(_) => Err(bad()),
    }
}

/// Login mechanisms Outpost can use, strongest preference first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 4616.
    Plain,
    /// The widespread non-standard LOGIN.
    Login,
    /// Google's and Microsoft's OAuth2 bearer mechanism.
    Xoauth2,
}

impl Mechanism {
    /// The name in EHLO and AUTH.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::Xoauth2 => "XOAUTH2",
        }
    }
}

/// What the server announced in its EHLO reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// The name the server gave for itself.
    pub server_name: String,
    /// STARTTLS is offered.
    pub starttls: bool,
    /// The largest message accepted, in bytes (0 = no limit announced as a number).
    pub size: Option<u64>,
    /// AUTH mechanisms offered, upper case.
    pub auth: Vec<String>,
    /// 8BITMIME.
    pub eight_bit_mime: bool,
    /// SMTPUTF8.
    pub smtputf8: bool,
    /// PIPELINING.
    pub pipelining: bool,
    /// ENHANCEDSTATUSCODES.
    pub enhanced_status_codes: bool,
}

impl Capabilities {
    /// Reads the capabilities from a 250 EHLO reply.
    pub fn from_ehlo(reply: &Reply) -> Self {
        let mut caps = Capabilities {
            server_name: reply
                .lines
                .first()
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or_default()
                .to_string(),
            ..Default::default()
        };
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            // `AUTH=LOGIN PLAIN` is an old form some servers still send.
            let (keyword, inline) = match keyword.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (keyword, None),
            };
            match keyword.to_ascii_uppercase().as_str() {
                "STARTTLS" => caps.starttls = true,
                "SIZE" => caps.size = words.next().and_then(|n| n.parse().ok()).or(Some(0)),
                "AUTH" => {
                    for m in inline.into_iter().chain(words) {
                        let m = m.to_ascii_uppercase();
                        if !caps.auth.contains(&m) {
                            caps.auth.push(m);
                        }
                    }
                }
                "8BITMIME" => caps.eight_bit_mime = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "PIPELINING" => caps.pipelining = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                _ => {}
            }
        }
        caps
    }

    /// The first of `wanted` that the server offers.
    pub fn pick_mechanism(&self, wanted: &[Mechanism]) -> Option<Mechanism> {
        wanted
            .iter()
            .copied()
            .find(|m| self.auth.iter().any(|a| a == m.name()))
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Performs a TLS handshake on `tcp` for `server_name`.
pub async fn tls_handshake(
    tcp: TcpStream,
    server_name: &str,
    config: Arc<rustls::ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let _ = tcp.set_nodelay(true);
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
}

/// One SMTP connection, plain or encrypted.
pub struct SmtpConn {
    io: BufReader<Stream>,
}

impl SmtpConn {
    /// An unencrypted connection.
    pub fn plain(tcp: TcpStream) -> Self {
        let _ = tcp.set_nodelay(true);
        Self {
            io: BufReader::new(Stream::Plain(tcp)),
        }
    }

    /// A connection encrypted from its first byte.
    pub fn tls(tls: TlsStream<TcpStream>) -> Self {
        Self {
            io: BufReader::new(Stream::Tls(Box::new(tls))),
        }
    }

    /// Whether the connection is encrypted.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.io.get_ref(), Stream::Tls(_))
    }

    /// The TLS protocol version, once encrypted.
    pub fn tls_version(&self) -> Option<&'static str> {
        match self.io.get_ref() {
            Stream::Tls(s) => s.get_ref().1.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2",
                _ => "TLS",
            }),
            Stream::Plain(_) => None,
        }
    }

    async fn read_line(&mut self) -> Result<String, SmtpError> {
        let mut line = Vec::new();
        loop {
            let buf = self.io.fill_buf().await?;
            if buf.is_empty() {
                return Err(SmtpError::Closed);
            }
            let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            if line.len() + chunk.len() > MAX_LINE {
                return Err(SmtpError::TooLong);
            }
            line.extend_from_slice(chunk);
            let n = chunk.len();
            self.io.consume(n);
            if done {
                break;
            }
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    /// Reads one (possibly multi-line) reply.
    pub async fn read_reply(&mut self) -> Result<Reply, SmtpError> {
        let mut lines = Vec::new();
        loop {
            let line = self.read_line().await?;
            let (_, last, _) = parse_line(&line)?;
            lines.push(line);
            if last {
                return Reply::from_lines(&lines);
            }
            if lines.len() >= MAX_LINES {
                return Err(SmtpError::TooLong);
            }
        }
    }

    async fn send_line(&mut self, line: &str) -> Result<(), SmtpError> {
        // One write per command: split writes wait on Nagle's algorithm. The buffer may hold a
        // login, so it is wiped afterwards.
        let mut buf = Vec::with_capacity(line.len() + 2);
        buf.extend_from_slice(line.as_bytes());
        buf.extend_from_slice(b"\r\n");
        let stream = self.io.get_mut();
        let result = async {
            stream.write_all(&buf).await?;
            stream.flush().await
        }
        .await;
        crate::secret::wipe(&mut buf);
        result.map_err(SmtpError::from)
    }

    /// Sends several commands in one write and reads their replies in order (RFC 2920
    /// PIPELINING; only when the server offers it). Replies read before a failure are kept:
    /// a server may say 421 and hang up in the middle.
    pub async fn pipeline(&mut self, lines: &[String]) -> (Vec<Reply>, Option<SmtpError>) {
        let mut buf = Vec::new();
        for line in lines {
            buf.extend_from_slice(line.as_bytes());
            buf.extend_from_slice(b"\r\n");
        }
        let stream = self.io.get_mut();
        if let Err(e) = async {
            stream.write_all(&buf).await?;
            stream.flush().await
        }
        .await
        {
            return (vec![], Some(e.into()));
        }
        let mut replies = Vec::with_capacity(lines.len());
        for _ in lines {
            match self.read_reply().await {
                Ok(r) => replies.push(r),
                Err(e) => return (replies, Some(e)),
            }
        }
        (replies, None)
    }

    /// Sends a command (without CRLF) and reads the reply.
    pub async fn command(&mut self, line: &str) -> Result<Reply, SmtpError> {
        self.send_line(line).await?;
        self.read_reply().await
    }

    /// Sends EHLO and reads the capabilities; any reply other than 250 is an error.
    pub async fn ehlo(&mut self, client_name: &str) -> Result<Capabilities, SmtpError> {
        let reply = self.command(&format!("EHLO {client_name}")).await?;
        if reply.code != 250 {
            return Err(SmtpError::Reply(reply));
        }
        Ok(Capabilities::from_ehlo(&reply))
    }

    /// Sends STARTTLS; a reply other than 220 is an error, as is any byte sent after it.
    pub async fn starttls_command(&mut self) -> Result<Reply, SmtpError> {
        let reply = self.command("STARTTLS").await?;
        if reply.code != 220 {
            return Err(SmtpError::Reply(reply));
        }
        if !self.io.buffer().is_empty() {
            return Err(SmtpError::Pipelined);
        }
        Ok(reply)
    }

    /// Upgrades a plain connection after [`Self::starttls_command`] succeeded.
    pub async fn upgrade(
        self,
        server_name: &str,
        config: Arc<rustls::ClientConfig>,
    ) -> Result<SmtpConn, io::Error> {
        match self.io.into_inner() {
            Stream::Plain(tcp) => Ok(SmtpConn::tls(
                tls_handshake(tcp, server_name, config).await?,
            )),
            Stream::Tls(_) => Err(io::Error::other("the connection is already encrypted")),
        }
    }

    /// Logs in with `mechanism`. Returns the final reply (235 on success).
    pub async fn auth(
        &mut self,
        mechanism: Mechanism,
        username: &str,
        secret: &Secret,
    ) -> Result<Reply, SmtpError> {
        let encode = |s: &str| Secret::new(BASE64.encode(s.as_bytes()));
        let mut reply = match mechanism {
            Mechanism::Plain => {
                let token = encode(&format!("\0{username}\0{}", secret.expose()));
                self.command(&format!("AUTH PLAIN {}", token.expose()))
                    .await?
            }
            Mechanism::Xoauth2 => {
                let token = encode(&format!(
                    "user={username}\x01auth=Bearer {}\x01\x01",
                    secret.expose()
                ));
                self.command(&format!("AUTH XOAUTH2 {}", token.expose()))
                    .await?
            }
            Mechanism::Login => {
                let mut reply = self.command("AUTH LOGIN").await?;
                for answer in [encode(username), encode(secret.expose())] {
                    if reply.code != 334 {
                        break;
                    }
                    reply = self.command(answer.expose()).await?;
                }
                reply
            }
        };
        // A 334 now is a server's error detail (XOAUTH2) or a further challenge: cancel it.
        if reply.code == 334 {
            reply = self.command("").await?;
            if reply.code == 334 {
                reply = self.command("*").await?;
            }
        }
        Ok(reply)
    }

    /// Sends the message as DATA content: dot-stuffed, CRLF line ends, ending with "."
    /// Returns once the final "." is written; read the reply with [`Self::read_reply`].
    pub async fn send_data(&mut self, message: &[u8]) -> Result<(), SmtpError> {
        let mut out = Vec::with_capacity(message.len() + message.len() / 50 + 8);
        let mut at_line_start = true;
        let mut prev = 0u8;
        for &b in message {
            if at_line_start && b == b'.' {
                out.push(b'.');
            }
            if b == b'\n' && prev != b'\r' {
                out.push(b'\r');
            }
            out.push(b);
            at_line_start = b == b'\n';
            prev = b;
        }
        if !at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
        let stream = self.io.get_mut();
        stream.write_all(&out).await?;
        stream.flush().await?;
        Ok(())
    }

    /// Sends QUIT and reads the reply.
    pub async fn quit(&mut self) -> Result<Reply, SmtpError> {
        self.command("QUIT").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, lines: &[&str]) -> Reply {
        Reply {
            code,
            enhanced: None,
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[tokio::test]
    async fn data_is_dot_stuffed_with_crlf_line_ends() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut s, &mut buf)
                .await
                .unwrap();
            buf
        });
        let mut conn = SmtpConn::plain(TcpStream::connect(addr).await.unwrap());
        conn.send_data(b"Subject: x\n\n.hidden\r\n..two\nend")
            .await
            .unwrap();
        drop(conn);
        let got = server.await.unwrap();
        assert_eq!(got, b"Subject: x\r\n\r\n..hidden\r\n...two\r\nend\r\n.\r\n");
    }

    #[test]
    fn reply_lines_parse_with_continuation() {
        assert_eq!(
            parse_line("250-SIZE 100").unwrap(),
            (250, false, "SIZE 100")
        );
        assert_eq!(parse_line("250 OK").unwrap(), (250, true, "OK"));
        assert_eq!(parse_line("220").unwrap(), (220, true, ""));
        assert!(parse_line("25O OK").is_err());
        assert!(parse_line("999 what").is_err());
        assert!(parse_line("250_x").is_err());
    }

    #[test]
    fn multi_line_replies_must_agree_and_end_once() {
        let r: Reply = "250-mail.example.org\r\n250-SIZE 10\r\n250 AUTH PLAIN"
            .parse()
            .unwrap();
        assert_eq!(r.lines, ["mail.example.org", "SIZE 10", "AUTH PLAIN"]);
        assert!(r.enhanced.is_none());
        assert!("250-a\n251 b".parse::<Reply>().is_err());
        assert!("250 a\n250 b".parse::<Reply>().is_err());
        assert!("".parse::<Reply>().is_err());
        let r: Reply = "451 4.7.1 Try later".parse().unwrap();
        assert!(r.is_transient());
        // An enhanced code of the wrong class is text, not a code.
        let r: Reply = "550 2.0.0 odd".parse().unwrap();
        assert!(r.enhanced.is_none());
    }

    #[test]
    fn enhanced_codes_are_read_only_when_well_formed() {
        let (code, rest) = EnhancedCode::parse_prefix("5.7.8 Authentication failed").unwrap();
        assert_eq!(code.to_string(), "5.7.8");
        assert_eq!(rest, "Authentication failed");
        assert!(EnhancedCode::parse_prefix("1.2.3 no").is_none());
        assert!(EnhancedCode::parse_prefix("5.7 no").is_none());
        assert!(EnhancedCode::parse_prefix("Authentication failed").is_none());
    }

    #[test]
    fn ehlo_capabilities_are_read() {
        let caps = Capabilities::from_ehlo(&reply(
            250,
            &[
                "mail.example.org Hello",
                "SIZE 35882577",
                "8BITMIME",
                "AUTH LOGIN PLAIN XOAUTH2",
                "AUTH=LOGIN",
                "ENHANCEDSTATUSCODES",
                "PIPELINING",
                "SMTPUTF8",
                "STARTTLS",
            ],
        ));
        assert_eq!(caps.server_name, "mail.example.org");
        assert_eq!(caps.size, Some(35882577));
        assert_eq!(caps.auth, vec!["LOGIN", "PLAIN", "XOAUTH2"]);
        assert!(caps.starttls && caps.eight_bit_mime && caps.smtputf8 && caps.pipelining);
        assert!(caps.enhanced_status_codes);
        assert_eq!(
            caps.pick_mechanism(&[Mechanism::Plain, Mechanism::Login]),
            Some(Mechanism::Plain)
        );
    }

    #[test]
    fn no_common_mechanism_is_none() {
        let caps = Capabilities::from_ehlo(&reply(250, &["x", "AUTH CRAM-MD5"]));
        assert_eq!(
            caps.pick_mechanism(&[Mechanism::Plain, Mechanism::Login]),
            None
        );
    }

    #[test]
    fn replies_parse_and_display_code_enhanced_code_and_text() {
        let r: Reply = "535 5.7.8 Authentication credentials invalid"
            .parse()
            .unwrap();
        assert_eq!(r.enhanced.map(|e| e.to_string()).as_deref(), Some("5.7.8"));
        assert_eq!(
            r.to_string(),
            "535 5.7.8 Authentication credentials invalid"
        );
        assert!(r.is_permanent() && !r.is_transient() && !r.is_positive());
    }
}
