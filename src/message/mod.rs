//! Drafts → RFC 5322 bytes (lettre's builder): Date, a Message-ID made once, the text as
//! `format=flowed` (`flowed`), MIME multipart for attachments with guessed content types,
//! encoded non-ASCII headers, IDN domains in their ASCII form. Bad input is refused with a
//! clear error before anything is queued. What a server without SMTPUTF8 or 8BITMIME needs
//! is made when it is sent (`downgrade`, `seven_bit`).

mod compose;
pub mod downgrade;
mod explain;
pub mod flowed;
mod header;
pub mod mend;
mod reopen;
pub mod seven_bit;
mod unsent;

pub use compose::{
    Composed, Draft, MAX_MESSAGE_BYTES, MessageError, Splice, compose, file_size, new_message_id,
    parse_address, parse_mailbox, split_addresses,
};
pub use reopen::{header_recipients, reopen};
pub use unsent::{FileChange, Unsent, UnsentFile, new_key};
