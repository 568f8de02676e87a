//! What can go wrong in an SMTP exchange.

use std::io;

use super::reply::Reply;

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
