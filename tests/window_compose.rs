//! Compose, driven by label against the lab server: addresses checked as you type, files from
//! the file chooser and dropped on the window, the size checked against the server's SIZE,
//! Ctrl+Enter to send, Esc asking before a draft is lost, and a way on when no file chooser
//! can be shown.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::ui::{OutpostApp, Picked};
use support::ui::{
    ScriptedPicker, WindowSetup, drop_file, type_into, wait_for, wait_received, window_with_account,
};

fn disabled(harness: &Harness<'_, OutpostApp>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().is_disabled()
}

fn write(harness: &mut Harness<'_, OutpostApp>) {
    harness.get_by_label("Write").click();
    harness.step();
    wait_for(harness, "compose", |h| {
        h.query_by_label("Subject").is_some()
    });
}

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn compose_checks_addresses_and_sends_chosen_and_dropped_files() {
    let files = tempfile::tempdir().unwrap();
    let chosen = file(&files, "notes.txt", b"chosen with the file dialog");
    let dropped = file(&files, "plan.pdf", b"%PDF-1.4 dropped on the window");
    let mut setup = WindowSetup::new("example.test");
    setup.picker = Some(Arc::new(ScriptedPicker(Picked::Files(vec![chosen]))));
    let (mut harness, lab) = window_with_account(setup);
    write(&mut harness);
    assert!(
        harness.get_by_label("To").accesskit_node().is_focused(),
        "compose opens with the cursor in To"
    );

    type_into(&mut harness, "To", "bob@");
    assert!(
        harness
            .query_by_label_contains("'bob@' is not an e-mail address")
            .is_some()
    );
    assert!(disabled(&harness, "Send"));
    type_into(
        &mut harness,
        "To",
        "\"Doe, Bob\" <bob@example.net>, carol@example.net",
    );
    type_into(&mut harness, "Bcc", "dave@example.net");
    type_into(&mut harness, "Subject", "Quarterly plan");
    type_into(&mut harness, "Message", "Both files attached.");
    assert!(!disabled(&harness, "Send"));

    harness.get_by_label("Attach files…").click();
    harness.step();
    wait_for(&mut harness, "the chosen file", |h| {
        h.query_by_label("notes.txt").is_some()
    });
    drop_file(&mut harness, &dropped);
    wait_for(
        &mut harness,
        "the dropped file and the server's limit",
        |h| {
            h.query_by_label("plan.pdf").is_some()
                && h.query_by_label_contains("the server accepts up to 33.6 MB")
                    .is_some()
        },
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    harness.step();
    wait_for(&mut harness, "the outbox", |h| {
        h.query_by_label_contains("Message #1 (").is_some()
    });
    wait_received(&mut harness, &lab, 1);
    // The notice follows the message: no "being sent" once it was.
    wait_for(&mut harness, "the notice to say it was sent", |h| {
        h.query_by_label_contains("was accepted by the server")
            .is_some()
    });
    let text = lab.smtpd.received_text().remove(0);
    for part in [
        "Subject: Quarterly plan",
        "<bob@example.net>, carol@example.net",
        "notes.txt",
        "plan.pdf",
    ] {
        assert!(text.contains(part), "{part} missing in {text}");
    }
    let (envelope, message): (Vec<&str>, Vec<&str>) =
        text.lines().partition(|l| l.starts_with("X-Envelope-"));
    assert!(
        envelope.contains(&"X-Envelope-To: dave@example.net"),
        "{text}"
    );
    assert!(
        !message.iter().any(|l| l.contains("dave@example.net")),
        "Bcc stays out of the headers: {text}"
    );
}

#[test]
fn a_message_larger_than_the_server_accepts_is_refused_before_queueing() {
    let files = tempfile::tempdir().unwrap();
    let big = file(&files, "big.bin", &vec![7u8; 20_000]);
    let mut setup = WindowSetup::new("example.test");
    setup.smtpd_args = vec!["--max-size".into(), "10000".into()];
    let (mut harness, _lab) = window_with_account(setup);
    write(&mut harness);
    type_into(&mut harness, "To", "bob@example.net");
    drop_file(&mut harness, &big);
    wait_for(&mut harness, "the size check", |h| {
        h.query_by_label_contains("more than the 10 kB the server accepts")
            .is_some()
    });
    assert!(disabled(&harness, "Send"));
    harness.get_by_label("Remove big.bin").click();
    harness.step();
    wait_for(&mut harness, "Send to be possible again", |h| {
        !h.get_by_label("Send").accesskit_node().is_disabled()
    });
}

#[test]
fn without_a_file_chooser_a_typed_path_still_attaches() {
    let files = tempfile::tempdir().unwrap();
    let path = file(&files, "typed.txt", b"typed by hand");
    let mut setup = WindowSetup::new("example.test");
    setup.picker = Some(Arc::new(ScriptedPicker(Picked::Unavailable(
        "No file chooser is available here.".into(),
    ))));
    let (mut harness, _lab) = window_with_account(setup);
    write(&mut harness);
    harness.get_by_label("Attach files…").click();
    harness.step();
    wait_for(&mut harness, "the explanation", |h| {
        h.query_by_label_contains("Drop files on the window, or type a path")
            .is_some()
    });
    type_into(&mut harness, "File path", &path.display().to_string());
    harness.get_by_label("Attach").click();
    harness.step();
    wait_for(&mut harness, "the typed file", |h| {
        h.query_by_label("typed.txt").is_some()
    });
    type_into(&mut harness, "File path", "/no/such/file.txt");
    harness.get_by_label("Attach").click();
    harness.step();
    wait_for(&mut harness, "the unreadable file", |h| {
        h.query_by_label_contains("cannot be read").is_some()
    });
}

/// A file chooser that takes its time (a desktop portal without a chooser of its own
/// answers only after its timeout), then is cancelled.
struct SlowPicker;

impl outpost::ui::FilePicker for SlowPicker {
    fn pick_files(&self) -> Picked {
        std::thread::sleep(std::time::Duration::from_secs(4));
        Picked::Cancelled
    }
}

#[test]
fn a_file_chooser_that_does_not_appear_is_said_within_a_second_with_the_way_on() {
    let files = tempfile::tempdir().unwrap();
    let path = file(&files, "typed.txt", b"typed while waiting");
    let mut setup = WindowSetup::new("example.test");
    setup.picker = Some(Arc::new(SlowPicker));
    let (mut harness, _lab) = window_with_account(setup);
    write(&mut harness);
    harness.get_by_label("Attach files…").click();
    harness.step();
    let asked = std::time::Instant::now();
    wait_for(&mut harness, "word of the waiting", |h| {
        h.query_by_label_contains("Waiting for the file chooser")
            .is_some()
    });
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(3),
        "said after {:?}",
        asked.elapsed()
    );
    // The typed path works meanwhile.
    type_into(&mut harness, "File path", &path.display().to_string());
    harness.get_by_label("Attach").click();
    harness.step();
    wait_for(&mut harness, "the typed file", |h| {
        h.query_by_label("typed.txt").is_some()
    });
}

#[test]
fn escape_asks_before_discarding_a_draft() {
    let (mut harness, _lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "Subject", "Half written");
    harness.key_press(Key::Escape);
    harness.step();
    wait_for(&mut harness, "the question", |h| {
        h.query_by_label("Discard this message?").is_some()
    });
    harness.get_by_label("Keep writing").click();
    harness.step();
    assert_eq!(
        harness.get_by_label("Subject").value().as_deref(),
        Some("Half written")
    );
    // Escape asks, in a dialog named by its question, the focus on the safe choice;
    // Escape again answers "keep writing", and the focus is back in the field it left.
    harness.get_by_label("Subject").focus();
    harness.run();
    harness.key_press(Key::Escape);
    harness.step();
    wait_for(&mut harness, "the question", |h| {
        h.query_by_label("Discard this message?").is_some()
    });
    harness.run();
    assert!(
        harness
            .query_by_role_and_label(egui::accesskit::Role::Dialog, "Discard this message?")
            .is_some(),
        "the dialog is named"
    );
    let focused = |h: &Harness<'_, OutpostApp>| {
        h.query_by(|n| n.is_focused())
            .and_then(|n| n.accesskit_node().label())
            .unwrap_or_default()
    };
    assert_eq!(focused(&harness), "Keep writing");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Discard this message?").is_none());
    assert_eq!(
        focused(&harness),
        "Subject",
        "the focus is back where it was"
    );
    assert_eq!(
        harness.get_by_label("Subject").value().as_deref(),
        Some("Half written")
    );
    harness.key_press(Key::Escape);
    harness.step();
    wait_for(&mut harness, "the question", |h| {
        h.query_by_label("Discard message").is_some()
    });
    harness.get_by_label("Discard message").click();
    harness.step();
    wait_for(&mut harness, "compose to close", |h| {
        h.query_by_label("Subject").is_none()
    });
    write(&mut harness);
    assert_eq!(harness.get_by_label("Subject").value().as_deref(), Some(""));
}

#[test]
fn a_mailto_link_opens_compose_and_sets_a_draft_aside() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut setup = WindowSetup::new("example.test");
    setup.requests = Some(rx);
    let (mut harness, _lab) = window_with_account(setup);
    write(&mut harness);
    type_into(&mut harness, "Subject", "My own draft");
    tx.send(outpost::instance::Request::Compose(
        "mailto:bob@example.net?cc=carol@example.net&subject=Tickets%20for%20Zo%C3%AB&body=Two%20seats%0D%0Aplease&attach=/etc/passwd"
            .into(),
    ))
    .unwrap();
    harness.step();
    wait_for(&mut harness, "the link's message", |h| {
        h.query_by_label("Subject")
            .is_some_and(|n| n.value().as_deref() == Some("Tickets for Zoë"))
    });
    let value = |h: &Harness<'_, OutpostApp>, label: &str| {
        h.get_by_label(label).value().unwrap_or_default()
    };
    assert_eq!(value(&harness, "To"), "bob@example.net");
    assert_eq!(value(&harness, "Cc"), "carol@example.net");
    assert_eq!(value(&harness, "Message"), "Two seats\nplease");
    assert!(
        harness
            .query_by_label_contains("The link also asked for attach; Outpost ignored it")
            .is_some()
    );
    assert!(harness.query_by_label("Discard").is_some());
    harness.get_by_label("Switch to the earlier draft").click();
    harness.step();
    wait_for(&mut harness, "the earlier draft", |h| {
        h.query_by_label("Subject")
            .is_some_and(|n| n.value().as_deref() == Some("My own draft"))
    });
}

#[test]
fn symbols_beyond_eguis_fonts_show_with_the_systems_fonts() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut setup = WindowSetup::new("example.test");
    setup.requests = Some(rx);
    let (mut harness, _lab) = window_with_account(setup);
    assert!(
        outpost::ui::fonts::install(&harness.ctx, outpost::fonts::system_fallbacks()) > 0,
        "a system font was found (scripts/test installs fonts-dejavu-core)"
    );
    // ✓ is in no font egui bundles: without the fallback, kittest fails on the missing glyph.
    tx.send(outpost::instance::Request::Compose(
        "mailto:bob@example.net?subject=Done%20%E2%9C%93".into(),
    ))
    .unwrap();
    harness.step();
    wait_for(&mut harness, "the subject with its symbol", |h| {
        h.query_by_label("Subject")
            .is_some_and(|n| n.value().as_deref() == Some("Done ✓"))
    });
}

#[test]
fn undo_takes_a_message_back_into_write_before_it_leaves() {
    let files = tempfile::tempdir().unwrap();
    let dropped = file(&files, "draft.txt", b"an attachment that comes back too");
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "To", "bob@example.net");
    type_into(&mut harness, "Subject", "Too soon");
    type_into(&mut harness, "Message", "Not ready yet.");
    drop_file(&mut harness, &dropped);
    wait_for(&mut harness, "the attachment", |h| {
        h.query_by_label("draft.txt").is_some()
    });
    harness.get_by_label("Send").click();
    harness.step();
    // The default time to undo is 5 s: the outbox counts down with Undo.
    wait_for(&mut harness, "the countdown", |h| {
        h.query_by_label_contains("will be sent in ").is_some()
    });
    harness.get_by_label("Undo sending message #1").click();
    harness.step();
    wait_for(&mut harness, "the message back in Write", |h| {
        h.query_by_label("Send").is_some() && h.query_by_label("draft.txt").is_some()
    });
    assert_eq!(
        harness.get_by_label("Subject").value().as_deref(),
        Some("Too soon")
    );
    // It never leaves, and the outbox keeps no trace of it.
    for _ in 0..70 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        harness.step();
    }
    assert!(
        lab.smtpd.received().is_empty(),
        "an undone message was sent"
    );
    let (_, list) = lab.outpost().json(&["queue", "list"], "");
    assert_eq!(list["messages"].as_array().map(Vec::len), Some(0), "{list}");
}

#[test]
fn send_later_schedules_the_message_and_send_now_sends_it() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    write(&mut harness);
    type_into(&mut harness, "To", "bob@example.net");
    type_into(&mut harness, "Subject", "For tomorrow");
    type_into(&mut harness, "Message", "See you then.");
    harness.get_by_label("Send later…").click();
    harness.run();
    // Offered: tomorrow at 09:00; a time that cannot be read is told and not scheduled.
    assert!(
        harness
            .get_by_label("Send at")
            .value()
            .is_some_and(|v| v.ends_with(" 09:00"))
    );
    // The calendar: the next month's 15th picked with the pointer, then the keyboard moves a
    // day and a week, and the hour goes up; the field says each moment.
    harness.get_by_label("Calendar").click();
    harness.run();
    harness.get_by_label("Next month").click();
    harness.run();
    let next = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date()
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap();
    let month = next.strftime("%B %Y").to_string();
    harness.get_by_label(&format!("15 {month}")).click();
    harness.run();
    let send_at = |h: &Harness<'_, OutpostApp>| h.get_by_label("Send at").value().unwrap();
    let on = |day: i8, time: &str| format!("{}-{day:02} {time}", next.strftime("%Y-%m"));
    assert_eq!(send_at(&harness), on(15, "09:00"));
    harness.get_by_label(&format!("15 {month}")).focus();
    harness.run();
    harness.key_press(Key::ArrowRight);
    harness.run();
    assert_eq!(send_at(&harness), on(16, "09:00"));
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert_eq!(send_at(&harness), on(23, "09:00"));
    let focused = harness
        .query_by(|n| n.is_focused())
        .and_then(|n| n.accesskit_node().label());
    assert_eq!(
        focused,
        Some(format!("23 {month}")),
        "the focus follows the day"
    );
    harness.get_by_label("Hour").focus();
    harness.run();
    harness.key_press(Key::ArrowUp);
    harness.run();
    assert_eq!(send_at(&harness), on(23, "10:00"));
    harness.get_by_label("Calendar").click();
    harness.run();
    assert!(harness.query_by_label("Next month").is_none(), "closed");
    type_into(&mut harness, "Send at", "next tuesday");
    assert!(
        harness
            .query_by_label_contains("is not a date and time")
            .is_some()
    );
    assert!(disabled(&harness, "Schedule"));
    let in_two_hours = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(2))
        .unwrap()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    type_into(&mut harness, "Send at", &in_two_hours);
    harness.get_by_label("Schedule").click();
    harness.step();
    wait_for(&mut harness, "the message scheduled", |h| {
        h.query_all_by_label("scheduled").next().is_some()
    });
    assert!(lab.smtpd.received().is_empty(), "sent before its time");
    harness.get_by_label("For tomorrow").click();
    harness.step();
    wait_for(&mut harness, "its details", |h| {
        h.query_by_label("Send now").is_some()
    });
    harness.get_by_label("Send now").click();
    harness.step();
    wait_received(&mut harness, &lab, 1);
    let text = lab.smtpd.received_text().remove(0);
    assert!(text.contains("Subject: For tomorrow"), "{text}");
}

#[test]
fn an_address_added_to_the_account_is_offered_in_write_and_sent_from() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    harness
        .get_by_label(&format!("{} (default)", support::USER))
        .click();
    harness.run();
    wait_for(&mut harness, "the account's settings", |h| {
        h.query_by_label("Add an address to send as").is_some()
    });
    harness.get_by_label("Add an address to send as").click();
    harness.run();
    type_into(&mut harness, "Address", "ann.work@");
    assert!(
        harness
            .query_by_label_contains("'ann.work@' is not an e-mail address")
            .is_some(),
        "a wrong address is told"
    );
    type_into(&mut harness, "Address", "ann.work@example.test");
    type_into(&mut harness, "Name", "Ann at Work");
    // Every field of "Send as" starts at one line, in each address's frame.
    let starts: Vec<(String, i64)> = ["Address", "Name", "Reply-To", "Signature"]
        .into_iter()
        .flat_map(|label| {
            harness
                .query_all_by_label(label)
                .filter(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
                .map(|n| {
                    let x = n.accesskit_node().bounding_box().unwrap().x0;
                    (label.to_string(), x.round() as i64)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(starts.len() >= 6, "{starts:?}");
    assert!(
        starts.iter().all(|(_, x)| (x - starts[0].1).abs() <= 1),
        "the fields start at different places: {starts:?}"
    );
    // Below the fold in this long form: pressed as the keyboard does (the harness does not
    // scroll).
    harness.get_by_label("Save changes").click_accesskit();
    harness.run();
    // No connection check ran in this form: saving asks first.
    harness.get_by_label("Save anyway").click_accesskit();
    harness.step();
    wait_for(&mut harness, "the address saved", |h| {
        h.query_by_label("Remove ann.work@example.test").is_some()
            && h.query_by_label_contains("Saved").is_some()
    });
    let (_, v) = lab.outpost().json(&["account", "identity", "list"], "");
    assert!(v.to_string().contains("ann.work@example.test"), "{v}");

    write(&mut harness);
    harness.get_by_label("From").click();
    harness.run();
    harness
        .get_by_label("Ann at Work <ann.work@example.test>")
        .click();
    harness.run();
    type_into(&mut harness, "To", "bob@example.net");
    type_into(&mut harness, "Subject", "From work");
    type_into(&mut harness, "Message", "Hello.");
    harness.get_by_label("Send").click();
    harness.step();
    wait_received(&mut harness, &lab, 1);
    let text = lab.smtpd.received_text().remove(0);
    assert!(
        text.contains("From: \"Ann at Work\" <ann.work@example.test>"),
        "{text}"
    );
    // The outbox says which address it went out as, and by which account.
    support::ui::open_outbox(&mut harness);
    wait_for(&mut harness, "the message in the outbox", |h| {
        h.query_by_label("From work").is_some()
    });
    harness.get_by_label("From work").click();
    harness.step();
    wait_for(
        &mut harness,
        "its details with the address it was sent as",
        |h| {
            h.query_by_label("ann.work@example.test (sent as, by the account ann@example.test)")
                .is_some()
        },
    );
}
