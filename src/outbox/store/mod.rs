//! The durable queue, one job per file: the database and its history writes (`db`), the
//! schema and its migrations (`schema`), putting messages in (`enqueue`), taking them for
//! sending (`claim`), what the sender learnt (`outcome`), each recipient's state
//! (`recipients`), the copies for the Sent folder (`copies`), messages being written
//! (`drafts`), the addresses it sent to (`sent_to`), what the person does
//! (`actions`), accounts' pauses and waits (`accounts`), what the lists and details read
//! (`read`), and the space it takes (`space`).

mod accounts;
mod actions;
mod claim;
mod copies;
mod db;
mod drafts;
mod enqueue;
mod error;
mod outcome;
mod read;
mod recipients;
mod schema;
mod sent_to;
mod space;
mod state;

pub use accounts::Unreachable;
pub use claim::Claimed;
pub use copies::{CopyJob, CopyState};
pub use db::{Outbox, locked};
pub use error::{OutboxError, Unreadable};
pub use read::Summary;
pub use schema::SCHEMA_VERSION;
pub use space::{Pruned, Space};
pub use state::{RetryKind, State};

#[cfg(test)]
mod tests;
