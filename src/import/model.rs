//! What is found in other programs' settings: the program, the account found, a note for
//! what could not be read, and where to look.

use std::fmt;
use std::path::PathBuf;

use crate::account::SmtpSettings;

/// A mail program whose settings are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Program {
    /// Mozilla Thunderbird (also its Flatpak and Snap).
    Thunderbird,
    /// GNOME Evolution.
    Evolution,
    /// KDE's KMail.
    Kmail,
    /// msmtp.
    Msmtp,
    /// git send-email.
    Git,
    /// mutt or neomutt.
    Mutt,
    /// GNOME Online Accounts (GNOME Settings → Online Accounts).
    Goa,
}

impl Program {
    /// Every program, in the order they are listed.
    pub const ALL: [Program; 7] = [
        Program::Goa,
        Program::Thunderbird,
        Program::Evolution,
        Program::Kmail,
        Program::Msmtp,
        Program::Git,
        Program::Mutt,
    ];

    /// The name in `SOURCE:NAME` and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Program::Thunderbird => "thunderbird",
            Program::Evolution => "evolution",
            Program::Kmail => "kmail",
            Program::Msmtp => "msmtp",
            Program::Git => "git",
            Program::Mutt => "mutt",
            Program::Goa => "goa",
        }
    }

    /// The name for people.
    pub fn label(self) -> &'static str {
        match self {
            Program::Thunderbird => "Thunderbird",
            Program::Evolution => "Evolution",
            Program::Kmail => "KMail",
            Program::Msmtp => "msmtp",
            Program::Git => "git send-email",
            Program::Mutt => "mutt",
            Program::Goa => "GNOME Online Accounts",
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Sending settings found in another program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The program.
    pub program: Program,
    /// Its name for the account (a server key, an account or identity name).
    pub name: String,
    /// The file it was read from.
    pub place: PathBuf,
    /// The address mail is sent from, when the program says.
    pub email: Option<String>,
    /// The sender's name, when the program says.
    pub display_name: Option<String>,
    /// The server settings (the user name is the program's; the password is never read).
    pub smtp: SmtpSettings,
    /// The GNOME Online Accounts account that keeps its credential, for GOA's accounts.
    pub goa_id: Option<String>,
    /// The IMAP server copies of sent messages go to, when the program says (host, port,
    /// security).
    pub imap: Option<(String, u16, crate::account::Security)>,
}

impl Found {
    /// `program:name`, as `outpost account import` takes it.
    pub fn id(&self) -> String {
        format!("{}:{}", self.program.as_str(), self.name)
    }
}

/// A settings file that could not be read, or read only in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The program.
    pub program: Program,
    /// The file.
    pub place: PathBuf,
    /// What is wrong, in words.
    pub problem: String,
}

/// Everything found, and what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The accounts found, program by program.
    pub found: Vec<Found>,
    /// Files that could not be read, or held something unusable.
    pub notes: Vec<Note>,
}

/// Where to look: the home folder, the XDG config folder, and the folder of a git repository
/// whose own settings count too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// `$HOME`.
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, usually `~/.config`.
    pub config: PathBuf,
    /// A git repository (the current folder on the command line), if any.
    pub repository: Option<PathBuf>,
}

impl Places {
    /// From the environment: `$HOME`, `$XDG_CONFIG_HOME`, and the current folder.
    pub fn from_env() -> Option<Self> {
        let home = std::env::var_os("HOME").map(PathBuf::from)?;
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        Some(Self {
            home,
            config,
            repository: std::env::current_dir().ok(),
        })
    }
}
