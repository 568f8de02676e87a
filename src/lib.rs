//! Outpost: outgoing mail for the desktop.
//!
//! The library holds everything the window and the command line share: the words in the
//! person's language ([`i18n`]), where data lives ([`paths`]), the network stack ([`net`]),
//! accounts with their keyring secrets and the live connection check ([`account`]), the
//! error explanations ([`explain`]), the durable outbox and its sender ([`outbox`]), one
//! entry point per use case for both front ends ([`usecases`]) and the background runtime
//! the window talks to ([`runtime`]).

// First: its `tr!` macro is used by every module after it.
#[macro_use]
pub mod i18n;

pub mod account;
pub mod address;
pub mod blocking;
pub mod cli;
pub mod clock;
pub mod contacts;
pub mod detect;
pub mod explain;
pub mod fault;
pub mod fonts;
pub mod import;
pub mod instance;
pub mod log;
pub mod mailto;
pub mod message;
pub mod net;
pub mod notify;
pub mod oauth;
pub mod outbox;
pub mod paths;
pub mod runtime;
pub mod secret;
pub mod spelling;
#[cfg(feature = "gui")]
pub mod ui;
pub mod usecases;

/// The reverse-DNS application id used for the window, the desktop file and the keyring.
pub const APP_ID: &str = "io.github.outpostmail.Outpost";
