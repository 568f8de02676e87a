//! The IMAP client: one connection that logs in, finds the Sent folder and files a copy of a
//! sent message there. Built on `imap-next` and `imap-codec` (typed commands and responses).

mod conn;
mod error;
pub mod folders;

pub use conn::{Encryption, ImapConn, Login, Server, message_date};
pub use error::{ImapError, ResponseCode};
pub use folders::{Folder, SentFolder, find_sent, new_sent_name};
