//! The outbox: a durable queue, the policy that reads server replies, and the worker that
//! sends in the background.

pub mod autostart;
pub mod background;
mod describe;
mod explain;
pub mod filing;
pub mod history;
pub mod notice;
pub mod policy;
pub mod retention;
pub mod send;
pub mod sendmail;
pub mod store;
pub mod wake;
pub mod worker;

pub use store::{Outbox, OutboxError, State, Summary};
