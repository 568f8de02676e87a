//! Accounts other mail programs on this computer already send with: their sending settings
//! read (never written) from Thunderbird, Evolution, KMail, msmtp, git and mutt/neomutt, each
//! saying where it was found. Passwords are never copied out of files (msmtp's
//! `passwordeval` is not run): the person types theirs, then the usual check runs.

mod evolution;
mod git;
mod goa;
mod ini;
mod kmail;
mod model;
mod msmtp;
mod mutt;
mod reader;
mod thunderbird;

pub use model::{Found, Note, Places, Program, Scan};
use reader::Reader;
pub use thunderbird::profile_dirs as thunderbird_profiles;

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
            Program::Goa => goa::read(&mut r, places),
        }
    }
    scan
}
