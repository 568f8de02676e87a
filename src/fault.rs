//! Faults on purpose, for tests: a named point in the code panics when it is armed, so that
//! a test can prove that Outpost survives its own bugs (the window gets an answer, a lane
//! fails alone). Armed by [`arm`] in a test's own process, or for a whole run of the binary
//! by `OUTPOST_FAULT=point[,point…]` (a debugging aid; nothing sets it in normal use).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Whether any point is armed: the one check a point costs in normal use.
static ANY: AtomicBool = AtomicBool::new(false);

/// The points armed, first from `OUTPOST_FAULT`.
fn armed() -> &'static Mutex<Vec<String>> {
    static ARMED: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    ARMED.get_or_init(|| {
        let from_env = std::env::var("OUTPOST_FAULT").unwrap_or_default();
        ANY.store(!from_env.trim().is_empty(), Ordering::Relaxed);
        Mutex::new(
            from_env
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        )
    })
}

/// Makes `point` panic from now on.
pub fn arm(point: &str) {
    ANY.store(true, Ordering::Relaxed);
    armed()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(point.to_string());
}

/// Panics when `point` is armed: a bug, on purpose.
pub fn point(point: &str) {
    if !ready() {
        return;
    }
    let hit = armed()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .any(|p| p == point);
    if hit {
        panic!("a fault injected at {point}");
    }
}

/// Panics when `point:of` is armed (a point for one account, say), naming it only then.
pub fn point_of(point: &str, of: &str) {
    if ready() {
        self::point(&format!("{point}:{of}"));
    }
}

/// Whether a point may be armed: the environment read once, then one atomic load.
fn ready() -> bool {
    armed();
    ANY.load(Ordering::Relaxed)
}
