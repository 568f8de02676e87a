//! The use cases: what a person can do, each doing all of its own side effects (account
//! file, keyring, outbox, waking the worker), so that the window and the command line only
//! call one and present its result — the same outcome whichever front end asked.
//!
//! Above `account`, `detect`, `message`, `oauth` and `outbox`; below `runtime`, `cli`, `ui`.

pub mod account;
pub mod certificate;
pub mod check;
pub mod contacts;
pub mod detect;
pub mod draft;
pub mod identity;
pub mod import;
pub mod queue;
pub mod signin;
pub mod spelling;
pub mod writing;
