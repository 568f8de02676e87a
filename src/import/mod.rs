//! Accounts other mail programs on this computer already send with: their sending settings
//! read (never written) from Thunderbird, Evolution, KMail, msmtp, git and mutt/neomutt, each
//! saying where it was found. Passwords are never copied out of files (msmtp's
//! `passwordeval` is not run): the person types theirs, then the usual check runs.

mod evolution;
mod git;
mod ini;
mod kmail;
mod msmtp;
mod mutt;
mod thunderbird;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::account::{AuthMethod, Security, SmtpSettings};

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
}

impl Program {
    /// Every program, in the order they are listed.
    pub const ALL: [Program; 6] = [
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

/// Collects what one program's reader found and could not read.
struct Reader<'a> {
    program: Program,
    scan: &'a mut Scan,
}

impl Reader<'_> {
    /// The file's text; `None` when it does not exist (nothing to say) or cannot be read (a
    /// note says why).
    fn read(&mut self, place: &Path) -> Option<String> {
        match std::fs::read(place) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                self.note(place, format!("it cannot be read ({e})"));
                None
            }
        }
    }

    fn note(&mut self, place: &Path, problem: String) {
        self.scan.notes.push(Note {
            program: self.program,
            place: place.to_path_buf(),
            problem,
        });
    }

    fn found(&mut self, found: Found) {
        self.scan.found.push(found);
    }
}

/// A port as written, or `None` with a note when it is not one.
fn port(text: Option<&str>) -> Result<Option<u16>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match t.parse::<u16>() {
            Ok(p) if p > 0 => Ok(Some(p)),
            _ => Err(format!("'{t}' is not a port")),
        },
    }
}

/// A sender as programs write it, `Ann Example <ann@example.org>` or a bare address: the
/// name and the address.
fn sender(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    match text.rsplit_once('<') {
        Some((name, rest)) => {
            let email = rest.trim_end_matches('>').trim();
            let name = name.trim().trim_matches('"').trim();
            (
                Some(name.to_string()).filter(|n| !n.is_empty()),
                Some(email.to_string()).filter(|e| e.contains('@')),
            )
        }
        None => (None, Some(text.to_string()).filter(|e| e.contains('@'))),
    }
}

/// Settings as found, with the defaults a program uses when it does not say.
fn settings(
    host: &str,
    port: Option<u16>,
    security: Security,
    username: Option<&str>,
    auth: AuthMethod,
) -> SmtpSettings {
    SmtpSettings {
        host: host.trim().to_ascii_lowercase(),
        port: port.unwrap_or(security.default_port()),
        security,
        username: username.unwrap_or_default().trim().to_string(),
        auth,
    }
}

/// Looks in every place every program keeps its sending settings.
pub fn scan(places: &Places) -> Scan {
    let mut scan = Scan::default();
    for program in Program::ALL {
        let mut r = Reader {
            program,
            scan: &mut scan,
        };
        match program {
            Program::Thunderbird => thunderbird::read(&mut r, places),
            Program::Evolution => evolution::read(&mut r, places),
            Program::Kmail => kmail::read(&mut r, places),
            Program::Msmtp => msmtp::read(&mut r, places),
            Program::Git => git::read(&mut r, places),
            Program::Mutt => mutt::read(&mut r, places),
        }
    }
    scan
}
