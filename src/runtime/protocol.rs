//! What the window and the core say to each other: [`Command`]s in, [`Event`]s out.

use std::path::PathBuf;
use std::sync::Arc;

use super::outbox::OutboxView;
use crate::account::check::{Progress, Report};
use crate::account::store::Accounts;
use crate::account::{Account, AccountId};
use crate::detect::config_xml::OAuth2Issuer;
use crate::detect::{self, Detection, Options};
use crate::explain::Explanation;
use crate::fonts::FontFile;
use crate::message::{Draft, Unsent};
use crate::oauth::Issuers;
use crate::outbox::Summary;
use crate::outbox::retention::Keep;
use crate::outbox::store::{Pruned, Space};
use crate::outbox::worker::WorkerEvent;
use crate::secret::Secret;
use crate::usecases::account::{Removed, Waiting};
use crate::usecases::import::Offer;
use crate::usecases::queue::{MessageAction, MessageDetail, Queued};
use crate::usecases::writing::Kept;

/// Identifies one request (a check, a detection, a sign-in, a message queued), so that its
/// answer finds the screen that asked, and late events of a cancelled one can be ignored.
pub type Ticket = u64;

/// What the window asks of the core.
#[derive(Debug)]
pub enum Command {
    /// Read the account file again.
    Reload,
    /// Save an account; `secret` replaces the stored one when given.
    Save {
        /// The account.
        account: Account,
        /// Its new password or token.
        secret: Option<Secret>,
    },
    /// Remove an account and its secret; its messages still waiting are cancelled or kept.
    Remove {
        /// Its address.
        email: String,
        /// What becomes of its waiting messages.
        waiting: Waiting,
    },
    /// Make an account the default.
    SetDefault {
        /// Its id.
        id: AccountId,
    },
    /// Check a connection; without `secret`, the stored one is used.
    Check {
        /// Names the check in its events.
        ticket: Ticket,
        /// The settings to check (possibly not saved yet).
        account: Account,
        /// A password typed but not saved yet.
        secret: Option<Secret>,
    },
    /// Find the settings for an address.
    Detect {
        /// Names the detection in its events.
        ticket: Ticket,
        /// The address.
        email: String,
        /// Deadline and sources.
        options: Options,
        /// The SOCKS5 proxy to look through (the account's own, as typed), if any.
        proxy: Option<crate::net::Proxy>,
    },
    /// Look at the outbox now (a message was queued, or a retry asked for).
    WakeWorker,
    /// Queue a message.
    Queue {
        /// Names the request in its [`Event::Queued`].
        ticket: Ticket,
        /// The sending account.
        account: Box<Account>,
        /// What to send.
        draft: Box<Draft>,
        /// Not before this moment (send later; the time to undo), or at once.
        not_before: Option<crate::clock::Millis>,
        /// The saved draft it was written in (its key): it goes as the message is queued.
        saved: Option<String>,
    },
    /// Save a message being written (answered with [`Event::DraftSaved`] and, when the
    /// drafts changed, [`Event::Drafts`]).
    SaveDraft(Box<Unsent>),
    /// Let a saved draft go (answered with [`Event::Drafts`]).
    DiscardDraft {
        /// Its key.
        key: String,
    },
    /// Read the drafts kept (answered with [`Event::Drafts`]).
    Drafts,
    /// Read the addresses to suggest in To, Cc and Bcc, with the address books in these
    /// places (answered with [`Event::Contacts`]).
    Contacts(Option<crate::import::Places>),
    /// Look for the installed dictionaries, in these folders or the usual places (answered
    /// with [`Event::Dictionaries`]).
    Dictionaries(Option<Vec<PathBuf>>),
    /// Read a dictionary (answered with [`Event::Dictionary`]).
    LoadDictionary(crate::spelling::Installed),
    /// Add a word to the person's words (a failure is answered with [`Event::Bug`]-like
    /// [`Event::WordNotAdded`]).
    AddWord(String),
    /// Do something to one queued message.
    Act {
        /// Its queue id.
        id: i64,
        /// What.
        action: MessageAction,
    },
    /// Read these messages for the outbox table (answered with [`Event::Rows`]).
    Rows(Vec<i64>),
    /// Read one message's details and history.
    Detail {
        /// Its queue id.
        id: i64,
    },
    /// Read a queued message back as a draft, for "edit & resend".
    Reopen {
        /// Its queue id.
        id: i64,
    },
    /// Take back a message before it leaves: it comes back as a draft (in
    /// [`Event::Reopened`]) and leaves the outbox.
    Undo {
        /// Its queue id.
        id: i64,
    },
    /// Ask the account's server how large a message it accepts (EHLO SIZE).
    ServerSize {
        /// The account (its stored password is used to log in).
        account: Account,
    },
    /// Read the system's fallback fonts (answered with [`Event::SystemFonts`]).
    SystemFonts,
    /// Look for the accounts other mail programs send with, in these places (answered with
    /// [`Event::FoundElsewhere`]).
    FindElsewhere(crate::import::Places),
    /// Read the sizes of files being attached (answered with [`Event::FileSizes`]).
    FileSizes(Vec<PathBuf>),
    /// Whether to show a desktop notification when a message is refused for good.
    Notifications(bool),
    /// Read what the outbox holds and how long sent messages keep their text (answered with
    /// [`Event::Space`]).
    Space,
    /// Set how long sent messages keep their text, letting go at once of what it no longer
    /// keeps (answered with [`Event::Space`]).
    KeepText(Keep),
    /// Let go now of the texts the setting no longer keeps (answered with [`Event::Space`]).
    PruneNow,
    /// Sign in through the browser with the provider of `host` (answered with
    /// [`Event::SignIn`]); stopped with [`Command::Cancel`].
    SignIn {
        /// Names the sign-in in its events.
        ticket: Ticket,
        /// The address signing in.
        email: String,
        /// The SMTP server whose provider signs in.
        host: String,
        /// Where to sign in as the domain's own configuration said, when detection found it.
        discovered: Option<OAuth2Issuer>,
    },
    /// Save a sign-in provider's client id and secret (blank removes them).
    SetClient {
        /// The provider's id.
        provider: String,
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// Stop a running check, detection or sign-in.
    Cancel {
        /// The request to stop.
        ticket: Ticket,
    },
}

/// What the outbox holds, for Settings.
#[derive(Debug, Clone)]
pub struct SpaceView {
    /// Messages, texts and the file's size.
    pub space: Space,
    /// How long sent messages keep their text, or why the setting cannot be read.
    pub keep: Result<Keep, Explanation>,
    /// What the command let go of, when it did.
    pub pruned: Option<Pruned>,
}

/// What the core tells the window.
#[derive(Debug)]
pub enum Event {
    /// The accounts as they are now on disk.
    Accounts(Result<Accounts, Explanation>),
    /// A save finished.
    Saved(Result<Account, SaveFailure>),
    /// What other mail programs on this computer send with.
    FoundElsewhere(Vec<Offer>),
    /// A removal finished: what remains of the account's secret and its waiting messages.
    Removed(Result<Removed, Explanation>),
    /// A step of a check started or finished.
    CheckProgress {
        /// The check.
        ticket: Ticket,
        /// What happened.
        progress: Progress,
    },
    /// A check finished (successfully or at a failed step).
    CheckDone {
        /// The check.
        ticket: Ticket,
        /// Every step.
        report: Report,
    },
    /// A detection source started or ended.
    DetectProgress {
        /// The detection.
        ticket: Ticket,
        /// What happened.
        progress: detect::Progress,
    },
    /// A detection finished.
    DetectDone {
        /// The detection.
        ticket: Ticket,
        /// The settings found, or what was tried.
        result: Box<Result<Detection, detect::Failure>>,
    },
    /// After a detection finished, a better-ranked source answered (before the deadline):
    /// the detection with its answer chosen, for the window to offer.
    DetectBetter {
        /// The detection.
        ticket: Ticket,
        /// The settings found, the better answer chosen.
        detection: Box<Detection>,
    },
    /// The background sender did something.
    Worker(WorkerEvent),
    /// What the window's sender waits for before it sends, for the status line.
    SenderNote(String),
    /// The background sender cannot run in this window (another Outpost sends, or the
    /// outbox cannot be opened); the explanation says why.
    WorkerStopped(Explanation),
    /// The outbox as it is now; sent again whenever it changes.
    Outbox(Arc<OutboxView>),
    /// Messages asked for with [`Command::Rows`] (those that still exist).
    Rows(Vec<Summary>),
    /// The outbox cannot be read.
    OutboxUnreadable(Explanation),
    /// A [`Command::Queue`] finished.
    Queued {
        /// The request.
        ticket: Ticket,
        /// The queued message, or why it was refused (nothing was stored then).
        result: Result<Queued, Explanation>,
    },
    /// A [`Command::SaveDraft`] finished: the draft and revision saved, or why not.
    DraftSaved {
        /// The draft's key.
        key: String,
        /// The revision saved.
        revision: u64,
        /// Saved, or why not.
        result: Result<(), Explanation>,
    },
    /// The dictionaries installed.
    Dictionaries(Vec<crate::spelling::Installed>),
    /// A dictionary read, or why not.
    Dictionary {
        /// Its language code.
        code: String,
        /// The checker, or why it could not be made.
        result: Result<Arc<crate::spelling::Speller>, Explanation>,
    },
    /// A word could not be added to the person's words.
    WordNotAdded(Explanation),
    /// The addresses to suggest, best first.
    Contacts(Vec<crate::contacts::Contact>),
    /// The drafts kept, the last saved first (at start, and after a draft came or went).
    Drafts(Result<Vec<Kept>, Explanation>),
    /// A [`Command::Act`] finished: what happened, or why not.
    Acted(Result<String, Explanation>),
    /// A [`Command::Detail`] finished.
    Detail(Result<MessageDetail, Explanation>),
    /// A [`Command::Reopen`] finished.
    Reopened(Result<Draft, Explanation>),
    /// A [`Command::ServerSize`] finished: the limit in bytes (0: the server names none),
    /// `None` when the server does not say.
    ServerSize {
        /// The account asked about.
        account: AccountId,
        /// The limit, or why it is unknown.
        result: Result<Option<u64>, Explanation>,
    },
    /// The system's fallback fonts, read.
    SystemFonts(Vec<FontFile>),
    /// The sizes of files asked for with [`Command::FileSizes`], or why each cannot be
    /// attached.
    FileSizes(Vec<(PathBuf, Result<u64, String>)>),
    /// The sign-in providers and their client ids, at start and after a change.
    Issuers(Result<Issuers, Explanation>),
    /// A [`Command::SetClient`] finished.
    ClientSaved(Result<String, Explanation>),
    /// What the outbox holds, after a [`Command::Space`], [`Command::KeepText`] or
    /// [`Command::PruneNow`].
    Space(Result<SpaceView, Explanation>),
    /// A sign-in progressed or ended.
    SignIn {
        /// The sign-in.
        ticket: Ticket,
        /// Where it is.
        state: SignInState,
    },
    /// A bug stopped a task of the core; the request it served was answered with this too.
    /// Nothing was lost; for the status line.
    Bug(Explanation),
    /// The core has stopped (a bug ended it): nothing more will be answered. What to do.
    CoreStopped(Explanation),
    /// A check or a detection could not start (no password stored, keyring locked, no
    /// network stack).
    NotStarted {
        /// The check or detection.
        ticket: Ticket,
        /// Why.
        error: Explanation,
    },
}

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFailure {
    /// What happened and what to do.
    pub explanation: Explanation,
    /// No keyring service runs: the session keyring is the way out.
    pub keyring_unavailable: bool,
}

/// Where a sign-in is.
#[derive(Debug)]
pub enum SignInState {
    /// The browser was sent to the provider; `browser` says why it could not be opened.
    Waiting {
        /// The provider's name.
        provider: String,
        /// The address to open by hand.
        url: String,
        /// Why no browser opened, if none did.
        browser: Result<(), String>,
    },
    /// Signed in (what the keyring is to keep), or why not.
    Done(Result<Secret, Explanation>),
}
