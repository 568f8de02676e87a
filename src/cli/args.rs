//! The command line as clap reads it.

use clap::{Args, Parser, Subcommand};

use super::outbox::{QueueCommand, SendArgs};
use crate::account::{AuthMethod, Security};

/// Outpost: outgoing mail that finds its own settings and never loses a message.
#[derive(Debug, Parser)]
#[command(name = "outpost", version, about)]
pub struct Cli {
    /// Print one JSON object on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do; without a command the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Write the manual pages into this folder (man1/, de/man1/) and stop: for packaging.
    #[arg(long, hide = true, value_name = "DIR")]
    pub manuals: Option<std::path::PathBuf>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, remove and check accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Find the SMTP settings for an address (provider list, autoconfig, DNS, probes).
    Detect(DetectArgs),
    /// Compose a message and put it in the outbox.
    Send(SendArgs),
    /// Look at and act on the outbox.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Queue a message read from standard input, as sendmail does (-t, -i, -f FROM).
    Sendmail {
        /// sendmail's options and recipients.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The OAuth2 sign-in providers and their client ids.
    #[command(subcommand)]
    Oauth2(Oauth2Command),
    /// Send what is in the outbox, without a window.
    Run {
        /// Stop when nothing is left that can be sent now.
        #[arg(long)]
        until_empty: bool,
        /// Ask the running sender (the window's or another `outpost run`) to finish what it
        /// is sending and stop; waits until it has.
        #[arg(long, conflicts_with_all = ["until_empty", "timeout", "background"])]
        stop: bool,
        /// Send while messages wait, then end: detached from the terminal, quietly (the log
        /// says what happened), giving way to the window. Queueing starts it by itself when
        /// nothing sends, and so does the login after a restart while messages wait.
        #[arg(long, conflicts_with = "until_empty")]
        background: bool,
        /// Limit for each network step, in seconds (default: 10 to connect, 120 per command,
        /// 300 for the message).
        #[arg(long, value_name = "SECS")]
        timeout: Option<f64>,
        /// Give up on a message after this many days of trying.
        #[arg(long, value_name = "DAYS", default_value_t = 5.0)]
        give_up_after: f64,
    },
}

/// Arguments of `outpost detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// The e-mail address.
    pub email: String,
    /// The limit for the whole detection, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub deadline: f64,
    /// Do not probe servers live.
    #[arg(long)]
    pub no_probe: bool,
    /// Do not ask Thunderbird's online database.
    #[arg(long)]
    pub no_online: bool,
    /// Send the address itself to autoconfig servers (some need it; off for privacy).
    #[arg(long)]
    pub share_address: bool,
}

/// `outpost account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account; the password goes to the keyring.
    Add(AddArgs),
    /// List the accounts.
    List,
    /// Change where copies of sent messages are filed, or stop filing them.
    Edit {
        /// The account's e-mail address.
        email: String,
        /// The IMAP server and the copies.
        #[command(flatten)]
        imap: ImapArgs,
    },
    /// Remove an account and its password; asks what becomes of its messages still waiting.
    Remove {
        /// The account's e-mail address.
        email: String,
        /// Cancel the account's messages still waiting: they are not sent.
        #[arg(long, conflicts_with = "keep_waiting")]
        cancel_waiting: bool,
        /// Keep the account's messages still waiting: they are sent once an account for the
        /// same address is added again.
        #[arg(long)]
        keep_waiting: bool,
    },
    /// Sign in again through the browser (accounts with login oauth2); sending resumes.
    Signin {
        /// The account's e-mail address.
        email: String,
        /// Print the address to open instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Use an account another mail program on this computer sends with (Thunderbird,
    /// Evolution, KMail, msmtp, git send-email, mutt): `--list` shows them; give one as
    /// SOURCE:NAME to add it (its password is asked for; none is read from other programs).
    Import(ImportArgs),
    /// Show the certificate the account's server presents and trust exactly its key for
    /// this account (a self-signed or private certificate of your own server).
    TrustCertificate {
        /// The account's e-mail address.
        email: String,
        /// The key's SHA-256 as shown (64 hex digits): trusted only if the server shows
        /// exactly it; without it, asks on the terminal.
        #[arg(long, value_name = "SHA256", conflicts_with = "remove")]
        fingerprint: Option<String>,
        /// Stop trusting the account's certificate: the usual authorities decide again.
        #[arg(long)]
        remove: bool,
    },
    /// The addresses an account sends as besides its own (aliases its provider allows),
    /// each with a name, Reply-To and signature.
    Identity {
        #[command(subcommand)]
        cmd: super::identity::IdentityCommand,
    },
    /// Check the connection step by step: DNS, TCP, TLS, EHLO, login.
    #[command(alias = "test")]
    Check {
        /// The account's e-mail address.
        email: String,
        /// Limit for each step, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 15.0)]
        timeout: f64,
        /// Print the conversation with the server, every password and token hidden: to hand
        /// to your provider's support.
        #[arg(long)]
        transcript: bool,
    },
}

/// `outpost oauth2 …`
#[derive(Debug, Subcommand)]
pub enum Oauth2Command {
    /// List the providers, the SMTP hosts they sign in for, and whether a client id is set.
    List,
    /// Set a provider's client id (and secret), other endpoints, or add a provider.
    Set(SetArgs),
    /// Remove your settings for a provider.
    Unset {
        /// The provider's id (see `outpost oauth2 list`).
        provider: String,
    },
}

/// Arguments of `outpost oauth2 set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The provider's id (google, microsoft, yahoo, aol, … or a new one).
    pub provider: String,
    /// The client id registered with the provider (a desktop / public client).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The client secret, for providers that give desktop apps one (Google does; it is not
    /// a secret of yours).
    #[arg(long, value_name = "S")]
    pub client_secret: Option<String>,
    /// The name on the sign-in button.
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// The authorization endpoint (https), e.g. a Microsoft 365 tenant's.
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    /// The token endpoint (https).
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// Scopes, space-separated.
    #[arg(long, value_name = "SCOPES")]
    pub scope: Option<String>,
    /// An SMTP host that takes this provider's tokens (repeatable).
    #[arg(long, value_name = "H")]
    pub host: Vec<String>,
}

/// Arguments of `outpost account import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The account to add, as `--list` names it (e.g. msmtp:work, thunderbird:default/smtp1).
    #[arg(required_unless_present = "list")]
    pub source: Option<String>,
    /// List what other programs send with, and what could not be read.
    #[arg(long, conflicts_with = "source")]
    pub list: bool,
    /// The address to send from, when the other program does not say.
    #[arg(long, value_name = "E")]
    pub email: Option<String>,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    /// Keep the password in the kernel keyring until logout or reboot.
    #[arg(long)]
    pub session_keyring: bool,
    /// Replace the settings of an existing account with the same address.
    #[arg(long)]
    pub replace: bool,
}

/// Arguments of `outpost account add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The address mail is sent from.
    #[arg(long, value_name = "E")]
    pub email: String,
    /// The name recipients see.
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// The submission server (found by --detect when not given).
    #[arg(long, value_name = "H", required_unless_present = "detect")]
    pub host: Option<String>,
    /// The port (default: 465 for tls, 587 for starttls, 25 for none).
    #[arg(long, value_name = "P")]
    pub port: Option<u16>,
    /// tls (implicit TLS), starttls, or none (found by --detect when not given).
    #[arg(long, value_name = "S", required_unless_present = "detect")]
    pub security: Option<Security>,
    /// Login name (default: the e-mail address).
    #[arg(long, value_name = "U")]
    pub username: Option<String>,
    /// password, oauth2 (sign in through the browser), or none (default: password, or what
    /// --detect found).
    #[arg(long, value_name = "A")]
    pub auth: Option<AuthMethod>,
    /// Find the server settings from the address; any option given overrides what is found.
    #[arg(long)]
    pub detect: bool,
    /// Read the password from standard input instead of prompting (with --auth oauth2: an
    /// access token obtained elsewhere, used instead of signing in through the browser).
    #[arg(long)]
    pub password_stdin: bool,
    /// With login oauth2: print the sign-in address instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Keep the password in the kernel keyring until logout or reboot, not the system keyring.
    #[arg(long)]
    pub session_keyring: bool,
    /// Confirm sending the password unencrypted (only with --security none).
    #[arg(long)]
    pub allow_plaintext_password: bool,
    /// Replace the settings of an existing account with the same address (a certificate
    /// trusted for the same server stays trusted).
    #[arg(long)]
    pub replace: bool,
    /// Connect through this SOCKS5 proxy (socks5h://host:port; names are looked up by the
    /// proxy) instead of ALL_PROXY's.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Where copies of sent messages are filed.
    #[command(flatten)]
    pub imap: ImapArgs,
}

/// The IMAP server copies of sent messages are filed on (`account add` and `account edit`).
#[derive(Debug, Args, Default)]
pub struct ImapArgs {
    /// The IMAP server copies of sent messages go to (found by --detect when not given).
    #[arg(long, value_name = "H")]
    pub imap_host: Option<String>,
    /// Its port (default: 993 for tls, 143 for starttls and none).
    #[arg(long, value_name = "P")]
    pub imap_port: Option<u16>,
    /// tls (implicit TLS), starttls or none (default: tls).
    #[arg(long, value_name = "S")]
    pub imap_security: Option<Security>,
    /// File no copy of sent messages in the Sent folder.
    #[arg(long, conflicts_with = "sent_copy")]
    pub no_sent_copy: bool,
    /// File a copy of each sent message in the Sent folder (the default, except where the
    /// provider files its own).
    #[arg(long)]
    pub sent_copy: bool,
    /// The folder copies go to (default: the one the server marks as Sent, else the usual
    /// name, made when there is none).
    #[arg(long, value_name = "NAME")]
    pub sent_folder: Option<String>,
}
