//! The language messages are made in: the process's (from the system locale, or chosen), or
//! for a moment on one thread, another ([`in_language`]).

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

use super::lang::Language;

thread_local! {
    /// While set, this thread's messages are made in this language ([`in_language`]).
    static OVERRIDE: Cell<Option<Language>> = const { Cell::new(None) };
}

/// The language in use, as its index in [`Language::ALL`]; `u8::MAX` until chosen.
static CURRENT: AtomicU8 = AtomicU8::new(u8::MAX);

/// The language messages are shown in: chosen once from the system locale, unless
/// [`use_language`] chose first.
pub fn language() -> Language {
    if let Some(lang) = OVERRIDE.with(Cell::get) {
        return lang;
    }
    match CURRENT.load(Ordering::Relaxed) {
        u8::MAX => {
            let chosen = super::lang::from_system();
            // Another thread may have chosen meanwhile; its choice stands.
            let _ = CURRENT.compare_exchange(
                u8::MAX,
                chosen.index(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            Language::ALL[usize::from(CURRENT.load(Ordering::Relaxed))]
        }
        i => Language::ALL[usize::from(i)],
    }
}

/// Shows every message from now on in `lang` (tests, and English for JSON output).
pub fn use_language(lang: Language) {
    CURRENT.store(lang.index(), Ordering::Relaxed);
}

/// What `say` returns with every message it makes on this thread in `lang`.
pub fn in_language<T>(lang: Language, say: impl FnOnce() -> T) -> T {
    let before = OVERRIDE.with(|o| o.replace(Some(lang)));
    let said = say();
    OVERRIDE.with(|o| o.set(before));
    said
}
