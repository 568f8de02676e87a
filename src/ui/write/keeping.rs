//! Keeping a draft: when to save what is being written so that a crash loses at most the
//! last moment of typing. A change is saved [`SAVE_AFTER`] after it was first seen unsaved
//! (so a person typing without pause is saved every second, not only when they stop); the
//! window closing saves what is left. A draft emptied by hand is let go, and the next words
//! start a new one.

use std::time::{Duration, Instant};

use crate::explain::Explanation;
use crate::message::{Unsent, new_key};

/// How long a change waits before it is saved.
pub const SAVE_AFTER: Duration = Duration::from_secs(1);

/// What [`Keeping::tick`] asks the core to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Save this.
    Save(Box<Unsent>),
    /// Let the draft with this key go (everything in it was deleted).
    LetGo(String),
}

/// The saving of one draft.
#[derive(Debug, Clone)]
pub struct Keeping {
    /// The draft's key in the outbox's database.
    key: String,
    /// The last revision sent to be saved.
    revision: u64,
    /// What was last sent to be saved (the writing only).
    saved: Option<Unsent>,
    /// Since when what is written differs from what was saved.
    unsaved_since: Option<Instant>,
    /// Why the last save failed, until one succeeds.
    pub problem: Option<Explanation>,
}

impl Default for Keeping {
    fn default() -> Self {
        Self::new(new_key())
    }
}

impl Keeping {
    fn new(key: String) -> Self {
        Self {
            key,
            revision: 0,
            saved: None,
            unsaved_since: None,
            problem: None,
        }
    }

    /// Keeping a draft restored from the database, as it was saved there.
    pub fn restored(draft: &Unsent) -> Self {
        Self {
            revision: draft.revision,
            saved: Some(draft.clone()),
            ..Self::new(draft.key.clone())
        }
    }

    /// The draft's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What to do now that `now` is `writing` (its key, revision and time are filled here):
    /// nothing, save it, or let it go; the time until something is due, to look again.
    pub fn tick(&mut self, mut writing: Unsent, now: Instant) -> (Option<Keep>, Option<Duration>) {
        let same = match &self.saved {
            Some(saved) => saved.same_writing(&writing),
            None => writing.is_empty(),
        };
        if same {
            self.unsaved_since = None;
            return (None, None);
        }
        let since = *self.unsaved_since.get_or_insert(now);
        let due = since + SAVE_AFTER;
        if now < due {
            return (None, Some(due - now));
        }
        self.unsaved_since = None;
        if writing.is_empty() {
            let gone = std::mem::take(self);
            return (Some(Keep::LetGo(gone.key)), None);
        }
        (Some(self.stamp(&mut writing)), None)
    }

    /// `writing` to be saved now, whatever the time (the window is closing), if it is not
    /// saved already.
    pub fn now(&mut self, mut writing: Unsent) -> Option<Unsent> {
        let saved = self
            .saved
            .as_ref()
            .is_some_and(|s| s.same_writing(&writing));
        (!saved && !writing.is_empty()).then(|| {
            self.stamp(&mut writing);
            writing
        })
    }

    /// Fills `writing`'s key, next revision and time, and remembers it as saved.
    fn stamp(&mut self, writing: &mut Unsent) -> Keep {
        self.revision += 1;
        writing.key = self.key.clone();
        writing.revision = self.revision;
        writing.saved = crate::clock::now_ms();
        self.saved = Some(writing.clone());
        Keep::Save(Box::new(writing.clone()))
    }

    /// The core saved revision `revision` of draft `key`, or could not; true when this is
    /// the draft meant.
    pub fn saved(&mut self, key: &str, revision: u64, result: &Result<(), Explanation>) -> bool {
        if key != self.key {
            return false;
        }
        match result {
            Ok(()) => self.problem = None,
            Err(e) if revision == self.revision => {
                self.problem = Some(e.clone());
                // Try again at the next change, or the next tick.
                self.saved = None;
            }
            Err(_) => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writing(body: &str) -> Unsent {
        Unsent {
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_change_is_saved_a_second_after_it_was_first_seen_even_while_typing_goes_on() {
        let mut k = Keeping::default();
        let t0 = Instant::now();
        assert_eq!(k.tick(writing(""), t0), (None, None), "nothing written");
        let (keep, wait) = k.tick(writing("H"), t0);
        assert_eq!((keep, wait), (None, Some(SAVE_AFTER)));
        let (keep, _) = k.tick(writing("Hel"), t0 + Duration::from_millis(600));
        assert_eq!(keep, None);
        let (keep, _) = k.tick(writing("Hello"), t0 + Duration::from_millis(1000));
        let Some(Keep::Save(saved)) = keep else {
            panic!("saved after a second: {keep:?}")
        };
        assert_eq!((saved.body.as_str(), saved.revision), ("Hello", 1));
        assert_eq!(saved.key, k.key());
        assert_eq!(k.tick(writing("Hello"), t0 + SAVE_AFTER * 3), (None, None));
        let (keep, _) = k.tick(writing("Hello!"), t0 + SAVE_AFTER * 3);
        assert_eq!(keep, None);
        let (keep, _) = k.tick(writing("Hello!"), t0 + SAVE_AFTER * 4);
        assert!(matches!(keep, Some(Keep::Save(u)) if u.revision == 2));
    }

    #[test]
    fn a_draft_emptied_by_hand_is_let_go_and_the_next_words_are_a_new_one() {
        let mut k = Keeping::default();
        let t0 = Instant::now();
        k.tick(writing("Hi"), t0);
        k.tick(writing("Hi"), t0 + SAVE_AFTER);
        let first = k.key().to_string();
        k.tick(writing(""), t0 + SAVE_AFTER * 2);
        let (keep, _) = k.tick(writing(""), t0 + SAVE_AFTER * 3);
        assert_eq!(keep, Some(Keep::LetGo(first.clone())));
        assert_ne!(k.key(), first);
        assert_eq!(k.tick(writing(""), t0 + SAVE_AFTER * 4), (None, None));
    }

    #[test]
    fn closing_saves_what_is_not_saved_yet() {
        let mut k = Keeping::default();
        assert_eq!(k.now(writing("")), None);
        let saved = k.now(writing("Bye")).unwrap();
        assert_eq!(saved.revision, 1);
        assert_eq!(k.now(writing("Bye")), None, "saved already");
    }

    #[test]
    fn a_failed_save_is_said_and_tried_again() {
        let mut k = Keeping::default();
        let saved = k.now(writing("Hi")).unwrap();
        let e = Explanation::new("The disk is full.", "Make room.");
        assert!(k.saved(&saved.key, 1, &Err(e.clone())));
        assert_eq!(k.problem, Some(e));
        assert!(k.now(writing("Hi")).is_some(), "tried again");
        assert!(k.saved(&saved.key, 2, &Ok(())));
        assert_eq!(k.problem, None);
        assert!(!k.saved("another", 1, &Ok(())));
    }
}
