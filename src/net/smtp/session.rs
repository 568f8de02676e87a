//! One SMTP connection, plain or encrypted: reading replies within limits, sending typed
//! commands (one write each, or several at once with PIPELINING), STARTTLS, AUTH, and the
//! message as DATA. Each call does one exchange; callers put their own timeout around each.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::command::Command;
use super::error::SmtpError;
use super::extension::{Capabilities, Mechanism};
use super::reply::{Reply, parse_line};
use super::transcript::{self, Transcript};
use crate::secret::Secret;

/// Longest reply line accepted (RFC 5321 allows 512; servers send longer EHLO lines).
pub const MAX_LINE: usize = 4096;
/// Most lines accepted in one reply.
pub const MAX_LINES: usize = 256;

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

/// One SMTP connection, plain or encrypted.
pub struct SmtpConn {
    io: BufReader<Stream>,
    /// The conversation, when one is being written down.
    transcript: Option<Transcript>,
}

impl SmtpConn {
    /// An unencrypted connection.
    pub fn plain(tcp: TcpStream) -> Self {
        // Without it replies wait on Nagle's algorithm; a socket that refuses it still works.
        tcp.set_nodelay(true).ok();
        Self {
            io: BufReader::new(Stream::Plain(tcp)),
            transcript: None,
        }
    }

    /// A connection encrypted from its first byte.
    pub fn tls(tls: TlsStream<TcpStream>) -> Self {
        Self {
            io: BufReader::new(Stream::Tls(Box::new(tls))),
            transcript: None,
        }
    }

    /// Writes the conversation into `transcript` from now on (when given), secrets hidden.
    pub fn with_transcript(mut self, transcript: Option<Transcript>) -> Self {
        if let (Some(t), Some(version)) = (&transcript, self.tls_version()) {
            transcript::note(Some(t), &format!("{version} from the first byte"));
        }
        self.transcript = transcript;
        self
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

    /// The server's own certificate, on an encrypted connection.
    pub fn peer_certificate(&self) -> Option<rustls::pki_types::CertificateDer<'static>> {
        match self.io.get_ref() {
            Stream::Tls(s) => s.get_ref().1.peer_certificates()?.first().cloned(),
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
        let line = String::from_utf8_lossy(&line).into_owned();
        transcript::server(self.transcript.as_ref(), &line);
        Ok(line)
    }

    /// Reads one (possibly multi-line) reply.
    pub async fn read_reply(&mut self) -> Result<Reply, SmtpError> {
        let mut lines = Vec::new();
        loop {
            let line = self.read_line().await?;
            let (_, last, _) = parse_line(&line)?;
            lines.push(line);
            if last {
                return Ok(Reply::from_lines(&lines)?);
            }
            if lines.len() >= MAX_LINES {
                return Err(SmtpError::TooLong);
            }
        }
    }

    async fn send(&mut self, commands: &[Command<'_>]) -> Result<(), SmtpError> {
        // One write for the lot: split writes wait on Nagle's algorithm. The buffer may hold a
        // login, so it is wiped afterwards.
        let mut buf = Vec::with_capacity(64);
        for c in commands {
            c.write_to(&mut buf);
            transcript::client(self.transcript.as_ref(), &c.redacted());
        }
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
    pub async fn pipeline(&mut self, commands: &[Command<'_>]) -> (Vec<Reply>, Option<SmtpError>) {
        self.pipeline_meanwhile(commands, || ()).await
    }

    /// Like [`Self::pipeline`], running `meanwhile` once the commands are written, while the
    /// server answers them (work that would otherwise wait for the round trip).
    pub async fn pipeline_meanwhile(
        &mut self,
        commands: &[Command<'_>],
        meanwhile: impl FnOnce(),
    ) -> (Vec<Reply>, Option<SmtpError>) {
        if let Err(e) = self.send(commands).await {
            return (vec![], Some(e));
        }
        meanwhile();
        let mut replies = Vec::with_capacity(commands.len());
        for _ in commands {
            match self.read_reply().await {
                Ok(r) => replies.push(r),
                Err(e) => return (replies, Some(e)),
            }
        }
        (replies, None)
    }

    /// Sends a command and reads the reply.
    pub async fn command(&mut self, command: Command<'_>) -> Result<Reply, SmtpError> {
        self.send(&[command]).await?;
        self.read_reply().await
    }

    /// Sends EHLO and reads the capabilities; any reply other than 250 is an error.
    pub async fn ehlo(&mut self, client_name: &str) -> Result<Capabilities, SmtpError> {
        let reply = self.command(Command::Ehlo(client_name)).await?;
        if reply.code != 250 {
            return Err(SmtpError::Reply(reply));
        }
        Ok(Capabilities::from_ehlo(&reply))
    }

    /// Sends STARTTLS; a reply other than 220 is an error, as is any byte sent after it.
    pub async fn starttls_command(&mut self) -> Result<Reply, SmtpError> {
        let reply = self.command(Command::Starttls).await?;
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
        let transcript = self.transcript;
        match self.io.into_inner() {
            Stream::Plain(tcp) => {
                let tls = crate::net::tls::handshake(tcp, server_name, config).await?;
                let conn = SmtpConn::tls(tls);
                let version = conn.tls_version().unwrap_or("TLS");
                transcript::note(transcript.as_ref(), &format!("{version} began"));
                Ok(SmtpConn { transcript, ..conn })
            }
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
        let auth = |initial| Command::Auth { mechanism, initial };
        let mut reply = match mechanism {
            Mechanism::Plain => {
                let token = encode(&format!("\0{username}\0{}", secret.expose()));
                self.command(auth(Some(&token))).await?
            }
            Mechanism::Xoauth2 => {
                let token = encode(&format!(
                    "user={username}\x01auth=Bearer {}\x01\x01",
                    secret.expose()
                ));
                self.command(auth(Some(&token))).await?
            }
            Mechanism::Oauthbearer => {
                // RFC 7628 §3.1: a GS2 header naming the user (',' and '=' escaped), then
                // the bearer token.
                let user = username.replace('=', "=3D").replace(',', "=2C");
                let token = encode(&format!(
                    "n,a={user},\x01auth=Bearer {}\x01\x01",
                    secret.expose()
                ));
                self.command(auth(Some(&token))).await?
            }
            Mechanism::Login => {
                let mut reply = self.command(auth(None)).await?;
                for answer in [encode(username), encode(secret.expose())] {
                    if reply.code != 334 {
                        break;
                    }
                    reply = self.command(Command::Response(&answer)).await?;
                }
                reply
            }
        };
        // A 334 now is a server's error detail (XOAUTH2, OAUTHBEARER) or a further
        // challenge: answer it as the mechanism says (OAUTHBEARER: a single ^A, RFC 7628
        // §3.2.3), to get the final refusal.
        if reply.code == 334 {
            let answer = match mechanism {
                Mechanism::Oauthbearer => encode("\x01"),
                _ => Secret::default(),
            };
            reply = self.command(Command::Response(&answer)).await?;
            if reply.code == 334 {
                reply = self.command(Command::CancelAuth).await?;
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
        let said = format!("(the message, {} bytes)", message.len());
        transcript::client(self.transcript.as_ref(), &said);
        transcript::client(self.transcript.as_ref(), ".");
        let stream = self.io.get_mut();
        stream.write_all(&out).await?;
        stream.flush().await?;
        Ok(())
    }

    /// Sends QUIT and reads the reply.
    pub async fn quit(&mut self) -> Result<Reply, SmtpError> {
        self.command(Command::Quit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
