//! The addresses Write suggests as a person types a recipient: those Outpost has sent to
//! (most used, then most recent, first), the person's own addresses (identities), and the
//! address books other programs keep on this computer (`books`, `vcard`). Read here, never
//! sent anywhere. [`suggest`] is fast enough to run on every keystroke for tens of thousands
//! of addresses (see `cargo bench --bench suggest`).

mod books;
mod known;
mod vcard;

pub use books::read as address_books;
pub use known::{Contact, Origin, merge, suggest};
