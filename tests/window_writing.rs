//! Writing that survives and helps (issue 29). Drafts: what is typed in Write is saved a
//! moment later in the outbox's database; the next window brings the last draft back in
//! Write, said once, with its files checked; the Drafts screen lists every draft, opens each
//! in Write and discards one after asking; sending or discarding a draft lets it go.
//! Recipients: addresses sent to before are suggested as To, Cc and Bcc are typed, taken by
//! keyboard (↓, Enter, Tab) and closed with Esc. Spelling, with Debian's Hunspell
//! dictionaries (`hunspell-en-us`, `hunspell-de-de`, installed by `./scripts/test`):
//! misspelt words found as typed and said, the word menu by keyboard (Shift+F10) with
//! suggestions and "Add to the dictionary", the language per message, and no dictionary at
//! all said once with writing unaffected.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::message::{Unsent, UnsentFile};
use outpost::paths::Paths;
use outpost::ui::OutpostApp;
use outpost::usecases::writing;
use support::ui::{
    Lab, WindowSetup, open_tab, type_into, wait_for, wait_received, window_with_account,
};

/// The drafts the outbox keeps.
fn kept(lab: &Lab) -> Vec<Unsent> {
    writing::list(&Paths::under(lab.home.path()))
        .unwrap()
        .into_iter()
        .map(|k| k.draft)
        .collect()
}

/// Steps the window until the outbox keeps drafts for which `done` holds.
fn wait_kept(
    harness: &mut Harness<'_, OutpostApp>,
    lab: &Lab,
    what: &str,
    done: impl Fn(&[Unsent]) -> bool,
) {
    let start = Instant::now();
    while !done(&kept(lab)) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: {:?}",
            kept(lab)
        );
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
}

fn write(harness: &mut Harness<'_, OutpostApp>) {
    harness.get_by_label("Write").click();
    harness.step();
    wait_for(harness, "compose", |h| {
        h.query_by_label("Subject").is_some()
    });
}

fn saved(key: &str, subject: &str, saved: i64, files: Vec<UnsentFile>) -> Unsent {
    Unsent {
        key: key.into(),
        revision: 1,
        saved,
        to: "bob@example.net".into(),
        subject: subject.into(),
        body: format!("About {subject}."),
        files,
        ..Default::default()
    }
}

#[test]
fn what_is_typed_is_kept_and_back_in_write_at_the_next_start_then_sending_lets_it_go() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "To", "bob@example.net");
    type_into(&mut harness, "Subject", "Kept while typing");
    type_into(&mut harness, "Message", "Every word counts.");
    let typed = Instant::now();
    wait_kept(&mut harness, &lab, "the draft saved", |k| {
        k.len() == 1 && k[0].body == "Every word counts."
    });
    assert!(
        typed.elapsed() < Duration::from_secs(2),
        "saved within two seconds of the typing: {:?}",
        typed.elapsed()
    );
    let draft = &kept(&lab)[0];
    assert_eq!(draft.subject, "Kept while typing");
    assert_eq!(draft.to, "bob@example.net");
    assert!(draft.account.is_some(), "with its account");
    drop(harness);

    // The next start: back in Write, said once.
    let mut harness = lab.window_again();
    wait_for(&mut harness, "the draft back", |h| {
        h.query_by_label_contains("Your draft from today").is_some()
    });
    assert_eq!(
        harness.get_by_label("Subject").value().as_deref(),
        Some("Kept while typing")
    );
    assert_eq!(
        harness.get_by_label("Message").value().as_deref(),
        Some("Every word counts.")
    );
    assert!(harness.query_by_label("Drafts (1)").is_some());
    // Sent: the draft goes with it, in the same transaction.
    harness.get_by_label("Send").click();
    harness.step();
    wait_received(&mut harness, &lab, 1);
    assert!(kept(&lab).is_empty(), "{:?}", kept(&lab));
    wait_for(&mut harness, "the tab without a count", |h| {
        h.query_by_label("Drafts (1)").is_none()
    });
}

#[test]
fn the_drafts_screen_opens_each_draft_and_discards_one_after_asking() {
    let (harness, lab) = window_with_account(WindowSetup::new("example.test"));
    drop(harness);
    let files = tempfile::tempdir().unwrap();
    let plan = files.path().join("plan.pdf");
    std::fs::write(&plan, b"%PDF-1.4 first").unwrap();
    let paths = Paths::under(lab.home.path());
    let now = outpost::clock::now_ms();
    for d in [
        saved("old", "Oldest thoughts", now - 7_200_000, vec![]),
        saved(
            "plan",
            "The plan",
            now - 3_600_000,
            vec![UnsentFile::now(&plan)],
        ),
        saved("last", "Last words", now - 60_000, vec![]),
    ] {
        writing::save(&paths, &d).unwrap();
    }
    // Changed after the draft was saved: said when it comes back.
    std::fs::write(&plan, b"%PDF-1.4 second version, longer").unwrap();

    let mut harness = lab.window_again();
    wait_for(&mut harness, "the last draft back", |h| {
        h.query_by_label_contains("Your draft from today").is_some()
    });
    assert_eq!(
        harness.get_by_label("Subject").value().as_deref(),
        Some("Last words")
    );
    open_tab(&mut harness, "Drafts (3)");
    wait_for(&mut harness, "the list", |h| {
        h.query_by_label("The plan").is_some()
    });
    assert!(harness.query_by_label("Oldest thoughts").is_some());
    assert!(
        harness.query_by_label("Open in Write").is_some(),
        "the one in Write is said so"
    );
    assert!(
        harness
            .query_by_label("an attached file changed since")
            .is_some()
    );

    // Open "The plan": it comes to Write, the one there is set aside.
    let opens: Vec<_> = harness.query_all_by_label("Open").collect();
    assert_eq!(opens.len(), 2, "Open for each draft not in Write");
    opens[0].click();
    harness.step();
    wait_for(&mut harness, "the plan in Write", |h| {
        h.query_by_label("Subject")
            .is_some_and(|s| s.value().as_deref() == Some("The plan"))
    });
    assert!(
        harness
            .query_by_label_contains("was changed since; the new version is sent")
            .is_some()
    );
    assert!(harness.query_by_label("plan.pdf").is_some());
    assert!(
        harness
            .query_by_label("Your earlier draft is set aside.")
            .is_some()
    );

    // Discard the oldest from the list: asked first.
    open_tab(&mut harness, "Drafts (3)");
    harness.get_by_label("Discard…").click();
    harness.run();
    assert!(
        harness
            .query_by_label("Discard this draft? What you wrote will be lost.")
            .is_some()
    );
    assert_eq!(kept(&lab).len(), 3, "nothing gone before the answer");
    harness.get_by_label("Discard message").click();
    harness.step();
    wait_kept(&mut harness, &lab, "the oldest let go", |k| {
        k.len() == 2 && k.iter().all(|d| d.key != "old")
    });
    wait_for(&mut harness, "two drafts left", |h| {
        h.query_by_label("Drafts (2)").is_some()
    });
}

#[test]
fn escape_and_discard_in_write_lets_the_saved_draft_go() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "Subject", "Second thoughts");
    wait_kept(&mut harness, &lab, "saved", |k| k.len() == 1);
    harness.key_press_modifiers(Modifiers::NONE, Key::Escape);
    harness.step();
    harness.get_by_label("Discard message").click();
    harness.step();
    wait_kept(&mut harness, &lab, "let go", <[Unsent]>::is_empty);
}

fn value(harness: &Harness<'_, OutpostApp>, label: &str) -> String {
    harness.get_by_label(label).value().unwrap_or_default()
}

#[test]
fn addresses_sent_to_are_suggested_and_taken_by_keyboard() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    let op = lab.outpost();
    for to in ["Bob Baker <bob@example.net>", "bea@example.net"] {
        op.send(&["--to", to, "--body", "hi"]);
    }
    write(&mut harness);
    type_into(&mut harness, "To", "b");
    let bob = "Bob Baker <bob@example.net>";
    wait_for(&mut harness, "the suggestions", |h| {
        h.query_by_label(bob).is_some()
    });
    assert!(harness.query_by_label("bea@example.net").is_some());
    // The one sent to last comes first; ↓ ↓ ↑ to the second, Enter takes it; the cursor
    // stays in To.
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::ArrowUp);
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(value(&harness, "To"), format!("{bob}, "));
    assert!(harness.get_by_label("To").accesskit_node().is_focused());
    assert!(
        harness.query_by_label("bea@example.net").is_none(),
        "closed"
    );

    // Esc closes the list, and asks nothing about discarding.
    harness.get_by_label("To").type_text("be");
    harness.run();
    assert!(harness.query_by_label("bea@example.net").is_some());
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label("bea@example.net").is_none());
    assert!(harness.query_by_label("Discard this message?").is_none());

    // Tab takes the first and moves on.
    type_into(&mut harness, "Cc", "bea");
    wait_for(&mut harness, "the suggestion in Cc", |h| {
        h.query_by_label("bea@example.net").is_some()
    });
    harness.key_press(Key::Tab);
    harness.run();
    assert_eq!(value(&harness, "Cc"), "bea@example.net, ");
    assert!(!harness.get_by_label("Cc").accesskit_node().is_focused());
}

/// Puts the text cursor of Message `offset` characters from its start.
fn cursor_at(harness: &mut Harness<'_, OutpostApp>, offset: usize) {
    harness.get_by_label("Message").focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Home);
    for _ in 0..offset {
        harness.key_press(Key::ArrowRight);
    }
    harness.run();
}

#[test]
fn misspelt_words_are_said_and_mended_from_the_menu_by_keyboard() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "Message", "This sentense is from Outpostia.");
    wait_for(&mut harness, "the misspelt words", |h| {
        h.query_by_label("2 words not in the dictionary: sentense, Outpostia")
            .is_some()
    });
    assert_eq!(
        harness.get_by_label("Spelling").value().as_deref(),
        Some("English (US)"),
        "Outpost's language first"
    );
    // The cursor in "sentense", Shift+F10: its suggestions; the first one mends it.
    cursor_at(&mut harness, 7);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::F10);
    harness.run();
    wait_for(&mut harness, "the suggestions", |h| {
        h.query_by_label("sentence").is_some()
    });
    assert!(harness.query_by_label("Spelling of “sentense”").is_some());
    harness.get_by_label("sentence").click();
    harness.run();
    assert_eq!(
        value(&harness, "Message"),
        "This sentence is from Outpostia."
    );
    // "Outpostia" into the person's words: no longer marked, kept for next time.
    cursor_at(&mut harness, 25);
    harness.key_press(Key::Menu);
    harness.run();
    wait_for(&mut harness, "the menu", |h| {
        h.query_by_label("Add “Outpostia” to the dictionary")
            .is_some()
    });
    harness
        .get_by_label("Add “Outpostia” to the dictionary")
        .click();
    harness.run();
    wait_for(&mut harness, "no misspelt words", |h| {
        h.query_by_label("No misspelt words").is_some()
    });
    let list = Paths::under(lab.home.path()).config_dir.join("words.txt");
    let start = Instant::now();
    while !std::fs::read_to_string(&list).is_ok_and(|t| t.contains("Outpostia")) {
        assert!(start.elapsed() < Duration::from_secs(10), "word list");
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }

    // German for this message: the English words are marked now.
    harness.get_by_label("Spelling").click();
    harness.run();
    harness.get_by_label("Deutsch (DE)").click();
    harness.run();
    wait_for(&mut harness, "German spelling", |h| {
        h.query_by_label_contains("not in the dictionary: This")
            .is_some()
    });
}

#[test]
fn without_dictionaries_writing_works_and_it_is_said_once() {
    let empty = tempfile::tempdir().unwrap();
    let mut setup = WindowSetup::new("example.test");
    setup.dictionaries = Some(vec![empty.path().to_path_buf()]);
    let (mut harness, _lab) = window_with_account(setup);
    write(&mut harness);
    type_into(&mut harness, "Message", "Typos stay as typed: teh.");
    wait_for(&mut harness, "the word about dictionaries", |h| {
        h.query_by_label_contains("No spelling dictionaries are installed")
            .is_some()
    });
    assert_eq!(value(&harness, "Message"), "Typos stay as typed: teh.");
}
