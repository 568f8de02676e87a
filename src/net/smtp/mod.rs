//! A small SMTP client, laid out like lettre's transport: typed [`command`]s, server
//! [`reply`]s with their enhanced codes, what a server offers ([`extension`]), and one
//! connection's [`session`].

pub mod command;
mod error;
pub mod extension;
pub mod meaning;
pub mod reply;
pub mod session;
pub mod transcript;

pub use command::Command;
pub use error::SmtpError;
pub use extension::{Capabilities, Mechanism};
pub use meaning::Meaning;
pub use reply::{EnhancedCode, Reply, parse_line};
pub use session::{MAX_LINE, MAX_LINES, SmtpConn};
pub use transcript::Transcript;
