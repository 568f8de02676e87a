//! What can go wrong in an SMTP exchange.

use std::io;

use super::reply::{Malformed, Reply};

/// What went wrong in an SMTP exchange.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// Reading or writing failed.
    #[error("{}", tr!("smtp-io", error = .0.to_string()))]
    Io(#[from] io::Error),
    /// The server closed the connection.
    #[error("{}", tr!("smtp-closed"))]
    Closed,
    /// The server sent something that is not an SMTP reply.
    #[error("{}", tr!("smtp-malformed", text = format!("{:?}", .0)))]
    Malformed(String),
    /// A reply was longer than Outpost accepts.
    #[error("{}", tr!("smtp-too-long"))]
    TooLong,
    /// The server sent bytes after its STARTTLS reply, before TLS began (an injection attempt).
    #[error("{}", tr!("smtp-pipelined"))]
    Pipelined,
    /// The server answered with an unexpected reply.
    #[error("{}", tr!("smtp-reply", reply = .0.to_string()))]
    Reply(Reply),
}

impl From<Malformed> for SmtpError {
    fn from(m: Malformed) -> Self {
        SmtpError::Malformed(m.0)
    }
}
