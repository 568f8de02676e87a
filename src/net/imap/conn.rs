//! One IMAP connection, plain or encrypted, driven by `imap-next`'s typed client (commands
//! and responses as `imap-types` values, never text put together by hand): the greeting,
//! STARTTLS, the login (SASL PLAIN, LOGIN, XOAUTH2, OAUTHBEARER or the LOGIN command), LIST,
//! CREATE and APPEND. Each call is one exchange under the connection's time limit.

use std::sync::Arc;
use std::time::Duration;

use imap_next::client::{Client, Event, Options};
use imap_next::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::{Literal, LiteralMode, Tag};
use imap_next::imap_types::datetime::DateTime;
use imap_next::imap_types::flag::Flag;
use imap_next::imap_types::mailbox::Mailbox;
use imap_next::imap_types::response::{
    Capability, Code, Data, GreetingKind, Status, StatusBody, StatusKind,
};
use imap_next::imap_types::secret::Secret as WireSecret;
use imap_next::{Interrupt, Io, State};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::error::{ImapError, ResponseCode};
use super::folders::Folder;
use crate::net::Net;
use crate::net::tls::{cert_problem, handshake};
use crate::secret::Secret;

/// How Outpost logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login<'a> {
    /// With a password.
    Password {
        /// The login name.
        user: &'a str,
        /// The password.
        password: &'a Secret,
    },
    /// With an OAuth2 access token (XOAUTH2, or OAUTHBEARER, RFC 7628).
    Token {
        /// The login name (the address).
        user: &'a str,
        /// The access token.
        token: &'a Secret,
    },
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// One IMAP connection.
pub struct ImapConn {
    stream: Stream,
    client: Client,
    tags: u32,
    capabilities: Vec<String>,
    limit: Duration,
}

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// TLS from the first byte (RFC 8314, usually port 993).
    Tls,
    /// Plain, then STARTTLS, which must be offered (usually port 143).
    Starttls,
    /// None at all.
    None,
}

/// Where to connect and how.
#[derive(Debug, Clone, Copy)]
pub struct Server<'a> {
    /// Host name or address.
    pub host: &'a str,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub security: Encryption,
}

/// The most a response may be: folder lists of big accounts fit.
const MAX_RESPONSE: u32 = 16 * 1024 * 1024;

fn client(after_starttls: bool) -> Client {
    let mut options = Options::default();
    options.crlf_relaxed = true;
    options.max_response_size = MAX_RESPONSE;
    // After STARTTLS there is no greeting; whatever came before the handshake is dropped with
    // the old client (a server cannot inject responses into the encrypted session).
    options.discard_greeting = after_starttls;
    Client::new(options)
}

impl ImapConn {
    /// Connects, encrypts as `server.security` says (with `tls`, which may accept only a
    /// pinned key) and reads the capabilities; each step within `limit`.
    pub async fn connect(
        net: &Net,
        server: Server<'_>,
        tls: Arc<rustls::ClientConfig>,
        limit: Duration,
    ) -> Result<Self, ImapError> {
        let port = net.port(server.port);
        let (tcp, _path) = net.dialer.open(server.host, port, limit).await?;
        let stream = match server.security {
            Encryption::Tls => Stream::Tls(Box::new(
                encrypt(tcp, server.host, tls.clone(), limit).await?,
            )),
            Encryption::Starttls | Encryption::None => Stream::Plain(tcp),
        };
        let mut conn = ImapConn {
            stream,
            client: client(false),
            tags: 0,
            capabilities: vec![],
            limit,
        };
        conn.greeting().await?;
        if conn.capabilities.is_empty() {
            conn.refresh_capabilities().await?;
        }
        if server.security == Encryption::Starttls {
            if !conn.offers("STARTTLS") {
                return Err(ImapError::NoStarttls);
            }
            if let Err(s) = conn.run(CommandBody::StartTLS).await? {
                return Err(refused("STARTTLS", s));
            }
            let Stream::Plain(tcp) = conn.stream else {
                unreachable!("STARTTLS is sent on plain connections only")
            };
            conn.stream = Stream::Tls(Box::new(encrypt(tcp, server.host, tls, limit).await?));
            conn.client = client(true);
            conn.refresh_capabilities().await?;
        }
        Ok(conn)
    }

    /// Whether the server offers this capability (`UIDPLUS`, `AUTH=PLAIN`, …).
    pub fn offers(&self, name: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    }

    /// The TLS version in use, if encrypted.
    pub fn tls_version(&self) -> Option<&'static str> {
        match &self.stream {
            Stream::Plain(_) => None,
            Stream::Tls(s) => s.get_ref().1.protocol_version().and_then(|v| v.as_str()),
        }
    }

    /// Logs in: SASL where offered (with the first response in the command where SASL-IR
    /// allows), else the LOGIN command for a password.
    pub async fn login(&mut self, login: Login<'_>) -> Result<(), ImapError> {
        let refused = |status: StatusBody<'_>| ImapError::LoginRefused {
            code: status.code.as_ref().map(code_name),
            text: status.text.to_string(),
        };
        let (mechanism, first): (AuthMechanism<'static>, Vec<u8>) = match login {
            Login::Password { user, password } if self.offers("AUTH=PLAIN") => (
                AuthMechanism::Plain,
                format!("\0{user}\0{}", password.expose()).into_bytes(),
            ),
            Login::Password { user, password } => {
                if self.offers("LOGINDISABLED") {
                    return Err(ImapError::NoLogin);
                }
                let body = CommandBody::login(user.to_string(), password.expose().to_string())
                    .map_err(|_| ImapError::NoLogin)?;
                return match self.run(body).await? {
                    Ok(_) => self.refresh_capabilities().await,
                    Err(status) => Err(refused(status)),
                };
            }
            Login::Token { user, token } if self.offers("AUTH=OAUTHBEARER") => (
                AuthMechanism::OAuthBearer,
                format!("n,a={user},\x01auth=Bearer {}\x01\x01", token.expose()).into_bytes(),
            ),
            Login::Token { user, token } if self.offers("AUTH=XOAUTH2") => (
                AuthMechanism::XOAuth2,
                format!("user={user}\x01auth=Bearer {}\x01\x01", token.expose()).into_bytes(),
            ),
            Login::Token { .. } => return Err(ImapError::NoLogin),
        };
        let body = if self.offers("SASL-IR") {
            CommandBody::authenticate_with_ir(mechanism, first.clone())
        } else {
            CommandBody::authenticate(mechanism)
        };
        let mut first = Some(first).filter(|_| !self.offers("SASL-IR"));
        let tag = self.tag();
        self.client.enqueue_command(Command { tag, body });
        loop {
            match self.next().await? {
                Event::AuthenticateContinuationRequestReceived { .. } => {
                    // The first response when it was not in the command; after it, a challenge
                    // is an error report (RFC 7628 §3.2.3): answered empty, the server then
                    // says no.
                    let data = first.take().unwrap_or_default();
                    let data = AuthenticateData::Continue(WireSecret::new(data.into()));
                    self.client.set_authenticate_data(data).ok();
                }
                Event::AuthenticateStatusReceived { status, .. } => {
                    return match status {
                        Status::Tagged(t) if t.body.kind == StatusKind::Ok => {
                            self.note_capabilities(t.body.code.as_ref());
                            if t.body.code.is_none() {
                                self.refresh_capabilities().await?;
                            }
                            Ok(())
                        }
                        Status::Tagged(t) => Err(refused(t.body)),
                        Status::Bye(b) => Err(ImapError::Bye(b.text.to_string())),
                        Status::Untagged(u) => Err(refused(u)),
                    };
                }
                other => self.take_untagged(other)?,
            }
        }
    }

    /// Every folder the account has (LIST "" "*"), with its special use where the server
    /// says it (RFC 6154).
    pub async fn folders(&mut self) -> Result<Vec<Folder>, ImapError> {
        let body = CommandBody::list("", "*").map_err(|_| ImapError::Malformed)?;
        let (data, status) = self.exchange(body).await?;
        if let Err(status) = status {
            return Err(refused("LIST", status));
        }
        Ok(data
            .into_iter()
            .filter_map(|d| match d {
                Data::List { items, mailbox, .. } => Some(Folder {
                    name: mailbox_name(&mailbox),
                    attributes: items.iter().map(ToString::to_string).collect(),
                }),
                _ => None,
            })
            .collect())
    }

    /// Makes a folder.
    pub async fn create(&mut self, name: &str) -> Result<(), ImapError> {
        let body = CommandBody::create(name.to_string()).map_err(|_| ImapError::Malformed)?;
        match self.run(body).await? {
            Ok(_) => Ok(()),
            // It is there already (made meanwhile by another app): fine.
            Err(s)
                if s.code
                    .as_ref()
                    .map(code_name)
                    .is_some_and(|c| c.is("ALREADYEXISTS")) =>
            {
                Ok(())
            }
            Err(s) => Err(refused("CREATE", s)),
        }
    }

    /// Files `message` in `folder` with `\Seen` and `date` as its arrival time; the UID the
    /// server gave it, where it says (UIDPLUS, RFC 4315). Sent as one literal, without
    /// waiting for the server's go-ahead where it allows (LITERAL+, RFC 7888; LITERAL- up to
    /// 4096 bytes).
    pub async fn append(
        &mut self,
        folder: &str,
        message: &[u8],
        date: Option<DateTime>,
    ) -> Result<Option<u32>, ImapError> {
        let mut literal = Literal::try_from(message.to_vec()).map_err(|_| ImapError::Malformed)?;
        if self.offers("LITERAL+") || (self.offers("LITERAL-") && message.len() <= 4096) {
            literal.set_mode(LiteralMode::NonSync);
        }
        let body = CommandBody::Append {
            mailbox: Mailbox::try_from(folder.to_string()).map_err(|_| ImapError::Malformed)?,
            flags: vec![Flag::Seen],
            date,
            message: imap_next::imap_types::extensions::binary::LiteralOrLiteral8::Literal(literal),
        };
        match self.run(body).await? {
            Ok(ok) => Ok(match ok.code {
                Some(Code::AppendUid { uid, .. }) => Some(uid.get()),
                _ => None,
            }),
            Err(s) => Err(refused("APPEND", s)),
        }
    }

    /// Says goodbye; a server that hangs up first is fine.
    pub async fn logout(mut self) {
        let _said = tokio::time::timeout(self.limit, self.run(CommandBody::Logout)).await;
    }

    fn tag(&mut self) -> Tag<'static> {
        self.tags += 1;
        #[expect(clippy::expect_used, reason = "A1, A2, … are valid tags")]
        Tag::try_from(format!("A{}", self.tags)).expect("a valid tag")
    }

    /// The next event, reading and writing as the client needs, within the time limit.
    async fn next(&mut self) -> Result<Event, ImapError> {
        let limit = self.limit;
        tokio::time::timeout(limit, self.next_unlimited())
            .await
            .unwrap_or(Err(ImapError::Timeout(limit)))
    }

    async fn next_unlimited(&mut self) -> Result<Event, ImapError> {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match self.client.next() {
                Ok(event) => return Ok(event),
                Err(Interrupt::Io(Io::Output(bytes))) => {
                    let io: &mut (dyn AsyncWrite + Unpin + Send) = match &mut self.stream {
                        Stream::Plain(s) => s,
                        Stream::Tls(s) => s.as_mut(),
                    };
                    io.write_all(&bytes).await.map_err(io_error)?;
                    io.flush().await.map_err(io_error)?;
                }
                Err(Interrupt::Io(Io::NeedMoreInput)) => {
                    let io: &mut (dyn AsyncRead + Unpin + Send) = match &mut self.stream {
                        Stream::Plain(s) => s,
                        Stream::Tls(s) => s.as_mut(),
                    };
                    let n = io.read(&mut buf).await.map_err(io_error)?;
                    if n == 0 {
                        return Err(ImapError::Closed);
                    }
                    self.client.enqueue_input(&buf[..n]);
                }
                Err(Interrupt::Error(_)) => return Err(ImapError::Malformed),
            }
        }
    }

    async fn greeting(&mut self) -> Result<(), ImapError> {
        loop {
            if let Event::GreetingReceived { greeting } = self.next().await? {
                return match greeting.kind {
                    GreetingKind::Bye => Err(ImapError::Bye(greeting.text.to_string())),
                    GreetingKind::Ok | GreetingKind::PreAuth => {
                        self.note_capabilities(greeting.code.as_ref());
                        Ok(())
                    }
                };
            }
        }
    }

    async fn refresh_capabilities(&mut self) -> Result<(), ImapError> {
        let (data, status) = self.exchange(CommandBody::Capability).await?;
        status.map_err(|s| refused("CAPABILITY", s))?;
        for d in data {
            if let Data::Capability(caps) = d {
                self.capabilities = caps.as_ref().iter().map(ToString::to_string).collect();
            }
        }
        Ok(())
    }

    fn note_capabilities(&mut self, code: Option<&Code<'_>>) {
        if let Some(Code::Capability(caps)) = code {
            self.capabilities = caps.as_ref().iter().map(Capability::to_string).collect();
        }
    }

    /// Sends `body` and waits for its tagged status; what came before it is dropped.
    async fn run(
        &mut self,
        body: CommandBody<'static>,
    ) -> Result<Result<StatusBody<'static>, StatusBody<'static>>, ImapError> {
        Ok(self.exchange(body).await?.1)
    }

    /// Sends `body`; the untagged data that came with it, and its tagged status (Ok or not).
    async fn exchange(
        &mut self,
        body: CommandBody<'static>,
    ) -> Result<
        (
            Vec<Data<'static>>,
            Result<StatusBody<'static>, StatusBody<'static>>,
        ),
        ImapError,
    > {
        let name = body.name();
        let tag = self.tag();
        self.client.enqueue_command(Command {
            tag: tag.clone(),
            body,
        });
        let mut data = vec![];
        loop {
            match self.next().await? {
                Event::DataReceived { data: d } => data.push(d),
                Event::StatusReceived {
                    status: Status::Tagged(t),
                } if t.tag == tag => {
                    return Ok((
                        data,
                        match t.body.kind {
                            StatusKind::Ok => Ok(t.body),
                            StatusKind::No | StatusKind::Bad => Err(t.body),
                        },
                    ));
                }
                Event::CommandRejected { status, .. } => {
                    let body = match status {
                        Status::Tagged(t) => t.body,
                        Status::Untagged(u) => u,
                        Status::Bye(b) => return Err(ImapError::Bye(b.text.to_string())),
                    };
                    return Ok((data, Err(body)));
                }
                other => {
                    tracing::trace!("IMAP {name}: {other:?}");
                    self.take_untagged(other)?
                }
            }
        }
    }

    /// What else may come at any time: BYE ends the work, the rest is informational.
    fn take_untagged(&mut self, event: Event) -> Result<(), ImapError> {
        match event {
            Event::StatusReceived {
                status: Status::Bye(b),
            } => Err(ImapError::Bye(b.text.to_string())),
            _ => Ok(()),
        }
    }
}

async fn encrypt(
    tcp: TcpStream,
    host: &str,
    tls: Arc<rustls::ClientConfig>,
    limit: Duration,
) -> Result<TlsStream<TcpStream>, ImapError> {
    match tokio::time::timeout(limit, handshake(tcp, host, tls)).await {
        Err(_) => Err(ImapError::Timeout(limit)),
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(match cert_problem(&e) {
            Some(problem) => ImapError::Certificate(problem),
            None => ImapError::Tls(e.to_string()),
        }),
    }
}

fn io_error(e: std::io::Error) -> ImapError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::BrokenPipe => ImapError::Closed,
        _ => ImapError::Io(e.to_string()),
    }
}

fn refused(command: &'static str, status: StatusBody<'_>) -> ImapError {
    ImapError::Refused {
        command,
        code: status.code.as_ref().map(code_name),
        text: status.text.to_string(),
    }
}

/// A response code's name, as the server wrote it.
fn code_name(code: &Code<'_>) -> ResponseCode {
    let name = match code {
        Code::Alert => "ALERT".into(),
        Code::Parse => "PARSE".into(),
        Code::TryCreate => "TRYCREATE".into(),
        Code::OverQuota => "OVERQUOTA".into(),
        Code::TooBig => "TOOBIG".into(),
        Code::ReadOnly => "READ-ONLY".into(),
        Code::Capability(_) => "CAPABILITY".into(),
        Code::Other(other) => String::from_utf8_lossy(other.inner())
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase(),
        other => format!("{other:?}")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase(),
    };
    ResponseCode(name)
}

/// A folder's name as text (`INBOX`, or the name as the server gave it).
fn mailbox_name(mailbox: &Mailbox<'_>) -> String {
    match mailbox {
        Mailbox::Inbox => "INBOX".into(),
        Mailbox::Other(other) => String::from_utf8_lossy(other.as_ref()).into_owned(),
    }
}

/// A message's own date (its `Date:` header) as IMAP's arrival time, so that the copy sorts
/// where the message was written; `None` when it has none that can be read.
pub fn message_date(message: &[u8]) -> Option<DateTime> {
    let parsed = mail_parser::MessageParser::new()
        .parse_headers(message)?
        .date()
        .cloned()?;
    let offset_secs = (i32::from(parsed.tz_hour) * 3600 + i32::from(parsed.tz_minute) * 60)
        * if parsed.tz_before_gmt { -1 } else { 1 };
    let offset = chrono::FixedOffset::east_opt(offset_secs)?;
    let utc = chrono::DateTime::from_timestamp(parsed.to_timestamp(), 0)?;
    DateTime::try_from(utc.with_timezone(&offset)).ok()
}
