//! The outbox screen, driven by label against the lab server: the table fills from the real
//! queue, filters by status, shows a message's history and the server's words, and its
//! actions (retry now, cancel, edit & resend, delete) change the real queue, as the command
//! line sees it.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::ui::OutpostApp;
use support::USER;
use support::ui::{Lab, WindowSetup, open_outbox, wait_for, window_with_account};

fn select(harness: &mut Harness<'_, OutpostApp>, subject: &str) {
    wait_for(harness, "the message in the table", |h| {
        h.query_by_label(subject).is_some()
    });
    harness.get_by_label(subject).click();
    harness.step();
    wait_for(harness, "its details", |h| {
        h.query_by_label("History").is_some()
    });
}

fn state(lab: &Lab, id: i64) -> serde_json::Value {
    let (code, v) = lab.outpost().json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v["message"]["state"].clone()
}

/// Points the lab account at a port where nothing listens: its messages wait and retry. The
/// server is named by its address, so no lookup can time out and make an attempt last (a
/// message being sent cannot be cancelled).
fn unreachable_server(lab: &Lab) {
    let closed = support::free_port().to_string();
    server_at(lab, "127.0.0.1", &closed);
}

/// Points the lab account at `host`, port `port`.
fn server_at(lab: &Lab, host: &str, port: &str) {
    let (code, v) = lab.outpost().json(
        &[
            "account",
            "add",
            "--email",
            "ann@example.test",
            "--host",
            host,
            "--port",
            port,
            "--security",
            "starttls",
            "--password-stdin",
            "--session-keyring",
            "--replace",
        ],
        "pw\n",
    );
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_refused_message_shows_the_servers_words_and_can_be_retried_and_deleted() {
    let mut setup = WindowSetup::new("example.test");
    setup.smtpd_args = vec!["--refuse-rcpt".into(), "nobody@example.net".into()];
    let (mut harness, lab) = window_with_account(setup);
    let op = lab.outpost();
    let id = op.send(&[
        "--to",
        "nobody@example.net",
        "--subject",
        "Lost letter",
        "--body",
        "hello",
    ]);
    open_outbox(&mut harness);
    wait_for(&mut harness, "the refusal", |h| {
        h.query_by_label("Failed (1)").is_some()
    });
    harness.get_by_label("Failed (1)").click();
    harness.step();
    select(&mut harness, "Lost letter");
    assert!(
        harness
            .query_all_by_label_contains("550 5.1.1 <nobody@example.net>")
            .count()
            >= 2,
        "the server's own words, in the table and the history"
    );
    // Tab goes from the filters to the table, then to the details under it.
    harness.get_by_label("Failed (1)").focus();
    harness.run();
    let mut order = vec![];
    for _ in 0..3 {
        harness.key_press(egui::Key::Tab);
        harness.run();
        let focused = harness
            .query_by(|n| n.is_focused())
            .expect("a focused control");
        order.push(focused.accesskit_node().label().unwrap_or_default());
    }
    assert_eq!(order[..2], ["Cancelled (0)", "Lost letter"], "{order:?}");
    // The ids for experts, one click away; actions that cannot apply are not offered.
    assert!(harness.query_by_label_contains("@example.test>").is_none());
    harness.get_by_label("Technical details").click();
    harness.run();
    assert!(
        harness.query_by_label_contains("@example.test>").is_some(),
        "Message-ID"
    );

    harness.get_by_label("Retry now").click();
    harness.step();
    wait_for(&mut harness, "the retry in the history", |h| {
        h.query_by_label("retry requested").is_some()
    });
    wait_for(&mut harness, "the second refusal", |h| {
        // History entries start with "failed: " (the status line says "… failed: …" too).
        h.query_all_by_label_contains("failed: ")
            .filter(|n| {
                n.accesskit_node()
                    .value()
                    .is_some_and(|v| v.starts_with("failed: "))
            })
            .count()
            >= 2
    });

    harness.get_by_label("Delete…").click();
    harness.step();
    wait_for(&mut harness, "the question", |h| {
        h.query_by_label("Delete message").is_some()
    });
    // Escape keeps the message.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Delete message").is_none());
    assert_eq!(state(&lab, id), "failed");
    harness.get_by_label("Delete…").click();
    harness.step();
    wait_for(&mut harness, "the question again", |h| {
        h.query_by_label("Delete message").is_some()
    });
    harness.get_by_label("Delete message").click();
    harness.step();
    wait_for(&mut harness, "the deletion", |h| {
        h.query_by_label_contains(&format!("Message #{id} deleted"))
            .is_some()
    });
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_ne!(code, 0);
    assert_eq!(v["error"]["kind"], "not_found", "{v}");
}

#[test]
fn a_waiting_message_counts_down_can_be_cancelled_and_edited_to_send_again() {
    // The account's server does not answer: messages wait and retry.
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    let op = lab.outpost();
    let attachment = lab.home.path().join("minutes.txt");
    std::fs::write(&attachment, "minutes of the meeting").unwrap();
    unreachable_server(&lab);
    let id = op.send(&[
        "--to",
        "bob@example.net",
        "--cc",
        "carol@example.net",
        "--subject",
        "Minutes",
        "--body",
        "See the minutes.",
        "--attach",
        &attachment.display().to_string(),
    ]);
    open_outbox(&mut harness);
    wait_for(&mut harness, "the retry", |h| {
        h.query_by_label("will retry").is_some()
    });
    assert!(harness.query_by_label_contains("Waiting (1)").is_some());
    let countdown = |h: &Harness<'_, OutpostApp>| {
        h.query_all_by_label_contains("in ").any(|n| {
            let v = n.accesskit_node().value().unwrap_or_default();
            v.starts_with("in ") && (v.ends_with(" s") || v.ends_with(" min"))
        })
    };
    // The row's state is known first; its details (the countdown) arrive a moment later.
    wait_for(&mut harness, "the next try counting down", countdown);
    select(&mut harness, "Minutes");
    wait_for(&mut harness, "Cancel sending to be offered", |h| {
        h.query_by_label("Cancel sending").is_some()
    });
    harness.get_by_label("Cancel sending").click();
    harness.step();
    wait_for(&mut harness, "the cancellation", |h| {
        h.query_by_label_contains("cancelled; it will not be sent")
            .is_some()
    });
    assert_eq!(state(&lab, id), "cancelled");
    wait_for(
        &mut harness,
        "only what applies to a cancelled message",
        |h| {
            h.query_by_label("Retry now").is_none()
                && h.query_by_label("Cancel sending").is_none()
                && h.query_by_label("Edit & resend").is_some()
        },
    );

    harness.get_by_label("Edit & resend").click();
    harness.step();
    wait_for(&mut harness, "compose with the content", |h| {
        h.query_by_label("Subject").is_some()
    });
    // A field's value, from whichever node carries the label (a frame laid out twice may
    // briefly hold two).
    let has = |h: &Harness<'_, OutpostApp>, label: &str, want: &str| {
        h.query_all_by_label(label)
            .any(|n| n.value().is_some_and(|v| v.contains(want)))
    };
    wait_for(&mut harness, "the message's content in compose", |h| {
        has(h, "To", "bob@example.net")
            && has(h, "Cc", "carol@example.net")
            && has(h, "Subject", "Minutes")
            && has(h, "Message", "See the minutes.")
            && h.query_all_by_label("minutes.txt").next().is_some()
    });
}

/// A message waiting for the lab account, the account opened and "Remove account…" asked:
/// the window, the lab and the message's queue id.
fn asked_to_remove_with_a_message_waiting(
    subject: &str,
) -> (Harness<'static, OutpostApp>, Lab, i64) {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    unreachable_server(&lab);
    let id = lab.outpost().send_to_bob(&["--subject", subject]);
    open_outbox(&mut harness);
    wait_for(&mut harness, "the message waiting", |h| {
        h.query_by_label("Waiting (1)").is_some()
    });
    harness.get_by_label("Accounts").click();
    harness.step();
    harness.get_by_label(&format!("{USER} (default)")).click();
    harness.step();
    wait_for(&mut harness, "the account's form", |h| {
        h.query_by_label("Remove account…").is_some()
    });
    harness.get_by_label("Remove account…").click();
    harness.step();
    wait_for(&mut harness, "the question", |h| {
        h.query_by_label_contains("One message from this account is still waiting")
            .is_some()
    });
    (harness, lab, id)
}

#[test]
fn removing_an_account_says_how_many_messages_wait_and_cancels_them() {
    let (mut harness, lab, id) = asked_to_remove_with_a_message_waiting("Still waiting");
    let op = lab.outpost();
    harness
        .get_by_label("Remove and cancel the message")
        .click();
    harness.step();
    wait_for(&mut harness, "the removal", |h| {
        h.query_by_label(&format!("Removed {USER}.")).is_some()
    });
    assert_eq!(state(&lab, id), "cancelled");
    let (_, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert!(
        v["history"].to_string().contains("its account was removed"),
        "{v}"
    );
}

#[test]
fn removing_an_account_can_keep_its_waiting_messages_and_says_so() {
    let (mut harness, lab, id) = asked_to_remove_with_a_message_waiting("Keep me");
    // Escape keeps the account.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_label("Remove, keep the messages")
            .is_none()
    );
    assert!(
        harness
            .query_by_label(&format!("{USER} (default)"))
            .is_some()
    );
    harness.get_by_label("Remove account…").click();
    harness.step();
    wait_for(&mut harness, "the question again", |h| {
        h.query_by_label("Remove, keep the messages").is_some()
    });
    harness.get_by_label("Remove, keep the messages").click();
    harness.step();
    wait_for(
        &mut harness,
        "the removal, and what became of the message",
        |h| {
            h.query_by_label(&format!("Removed {USER}.")).is_some()
                && h.query_by_label_contains("One waiting message kept")
                    .is_some()
        },
    );
    let (_, v) = lab.outpost().json(&["account", "list"], "");
    assert_eq!(v["accounts"], serde_json::json!([]), "{v}");
    let state = state(&lab, id);
    assert!(
        state == "queued" || state == "retry",
        "still waiting: {state}"
    );
}

/// The row (a table row to a screen reader) whose cells hold `subject`.
fn row_of<'t>(
    harness: &'t Harness<'_, OutpostApp>,
    subject: &str,
) -> Option<egui_kittest::Node<'t>> {
    harness
        .query_all_by_role(Role::Row)
        .find(|r| r.query_by_label(subject).is_some())
}

fn selected_subject(harness: &Harness<'_, OutpostApp>) -> Vec<String> {
    harness
        .query_all_by_role(Role::Row)
        .filter(|r| r.accesskit_node().is_selected() == Some(true))
        .filter_map(|r| {
            ["First", "Second", "Third"]
                .into_iter()
                .find(|s| r.query_by_label(s).is_some())
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn the_outbox_is_a_table_whose_rows_select_by_click_and_by_keyboard() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    let op = lab.outpost();
    unreachable_server(&lab);
    for (subject, to) in [
        ("First", "one@example.net"),
        ("Second", "two@example.net"),
        ("Third", "three@example.net"),
    ] {
        op.send(&["--to", to, "--subject", subject, "--body", "hello"]);
    }
    open_outbox(&mut harness);
    wait_for(&mut harness, "the three rows", |h| {
        ["First", "Second", "Third"]
            .iter()
            .all(|s| row_of(h, s).is_some())
    });
    // To a screen reader: a named table, a header row of column headers, a row per message
    // with a cell per column.
    let table = harness.get_by_role_and_label(Role::Table, "Messages in the outbox");
    assert_eq!(table.query_all_by_role(Role::Row).count(), 4, "header + 3");
    let headers: Vec<_> = table.query_all_by_role(Role::ColumnHeader).collect();
    let names: Vec<_> = headers
        .iter()
        .filter_map(|h| h.accesskit_node().label())
        .collect();
    assert!(
        names.contains(&"Subject".to_string()) && names.contains(&"Status".to_string()),
        "{names:?}"
    );
    let second = row_of(&harness, "Second").unwrap();
    assert_eq!(
        second.query_all_by_role(Role::Cell).count(),
        headers.len(),
        "a cell under each column header"
    );
    assert!(second.query_by_label("two@example.net").is_some());
    // A click on any cell selects the whole row, not only one on its subject.
    harness.get_by_label("two@example.net").click();
    harness.step();
    wait_for(&mut harness, "the row selected", |h| {
        selected_subject(h) == ["Second"] && h.query_by_label("History").is_some()
    });
    // The keyboard stops once in the table, on the selected row; the arrows, Home and End
    // move the selection and the focus together.
    harness.get_by_label("Second").focus();
    harness.run();
    let focused = |h: &Harness<'_, OutpostApp>| {
        h.query_by(|n| n.is_focused())
            .and_then(|n| n.accesskit_node().label())
            .unwrap_or_default()
    };
    assert_eq!(focused(&harness), "Second");
    let order: Vec<String> = harness
        .query_all_by_role(Role::Row)
        .skip(1)
        .filter_map(|r| {
            ["First", "Second", "Third"]
                .into_iter()
                .find(|s| r.query_by_label(s).is_some())
                .map(str::to_string)
        })
        .collect();
    let at = order.iter().position(|s| s == "Second").unwrap();
    for (key, want) in [
        (egui::Key::ArrowDown, order[(at + 1).min(2)].as_str()),
        (egui::Key::Home, order[0].as_str()),
        (egui::Key::End, order[2].as_str()),
        (egui::Key::ArrowUp, order[1].as_str()),
        (egui::Key::PageUp, order[0].as_str()),
        (egui::Key::PageDown, order[2].as_str()),
    ] {
        harness.key_press(key);
        harness.run();
        wait_for(&mut harness, "the selection to follow the key", |h| {
            selected_subject(h) == [want] && focused(h) == want
        });
    }
}

/// Where `node` ends: its right and bottom edges.
fn ends(node: &egui_kittest::Node<'_>) -> (f64, f64) {
    let b = node.accesskit_node().bounding_box().unwrap();
    (b.x1, b.y1)
}

#[test]
fn the_details_take_the_room_there_is_and_keep_the_size_they_were_given() {
    let size = [1280.0, 780.0];
    let (mut harness, lab) = window_with_account(WindowSetup {
        size,
        ..WindowSetup::new("example.test")
    });
    unreachable_server(&lab);
    let id = lab.outpost().send(&[
        "--to",
        "bob@example.net",
        "--subject",
        "Minutes",
        "--body",
        "hello",
    ]);
    open_outbox(&mut harness);
    select(&mut harness, "Minutes");
    wait_for(&mut harness, "the first attempt in the history", |h| {
        h.query_all_by_label_contains("refused the connection")
            .count()
            >= 2
    });
    harness.get_by_label("Technical details").click();
    harness.run();
    // With one row, the details have the room under it: the whole history shows, and the
    // Message-ID wraps within the window instead of running past it.
    let (_, history_end) = ends(&harness.get_by_label("History"));
    let last = harness
        .query_all_by_label_contains("refused the connection")
        .map(|n| ends(&n).1)
        .fold(0.0, f64::max);
    assert!(history_end < last, "the history is under its heading");
    assert!(
        last <= f64::from(size[1]),
        "the history ends at {last}, below the window's {}",
        size[1]
    );
    let (code, v) = lab.outpost().json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    let message_id = v["message"]["message_id"].as_str().unwrap().to_string();
    let (right, _) = ends(&harness.get_by_label(&message_id));
    assert!(
        right <= f64::from(size[0]),
        "the Message-ID ends at {right}"
    );
    let details_top = |h: &Harness<'_, OutpostApp>| {
        h.get_by_label("Resize the message's details")
            .accesskit_node()
            .bounding_box()
            .unwrap()
            .y0
    };
    // Made smaller by the keyboard (the divider takes the arrows; the table above has the
    // least it keeps), and as small at the next start.
    let before = details_top(&harness);
    harness.get_by_label("Resize the message's details").focus();
    harness.run();
    for _ in 0..3 {
        harness.key_press(egui::Key::ArrowDown);
        harness.run();
    }
    let after = details_top(&harness);
    assert!(
        after > before + 30.0,
        "the divider moved down: {before} -> {after}"
    );
    let remembered = harness.state().remembered();
    assert!(remembered.outbox_details_height > 0.0);
    drop(harness);
    let mut again = lab.window_restored(remembered, size);
    open_outbox(&mut again);
    select(&mut again, "Minutes");
    let top = details_top(&again);
    assert!((top - after).abs() < 2.0, "kept: {after}, now {top}");
}

/// The nodes that show the lab server's refusal, and whether each is in a table cell.
fn refusals<'t>(h: &'t Harness<'_, OutpostApp>) -> Vec<(egui_kittest::Node<'t>, bool)> {
    h.query_all_by(|n| {
        n.value()
            .is_some_and(|v| v.contains("refused the connection on port"))
    })
    .map(|n| {
        let in_cell = std::iter::successors(n.parent(), |p| p.parent())
            .any(|p| p.accesskit_node().role() == Role::Cell);
        (n, in_cell)
    })
    .collect()
}

#[test]
fn cut_text_shows_whole_in_one_tooltip() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    unreachable_server(&lab);
    lab.outpost()
        .send(&["--to", "bob@example.net", "--subject", "Hi", "--body", "hi"]);
    open_outbox(&mut harness);
    // The last reply is longer than its column: cut, whole on hover.
    wait_for(&mut harness, "the refusal in the table", |h| {
        refusals(h).iter().any(|(_, in_cell)| *in_cell)
    });
    let before = refusals(&harness).len();
    let (cell, _) = refusals(&harness)
        .into_iter()
        .find(|(_, in_cell)| *in_cell)
        .unwrap();
    cell.hover();
    for _ in 0..90 {
        harness.step();
    }
    assert_eq!(
        refusals(&harness).len(),
        before + 1,
        "one tooltip with the whole reply"
    );
}

#[test]
fn an_account_that_has_not_found_its_server_for_a_day_offers_to_find_its_settings_again() {
    let (mut harness, lab) = window_with_account(WindowSetup::new("example.test"));
    // Its server's name is gone from the DNS.
    server_at(&lab, "moved.example.test", "587");
    let id = lab
        .outpost()
        .send(&["--to", "bob@example.net", "--subject", "Hi", "--body", "hi"]);
    open_outbox(&mut harness);
    wait_for(&mut harness, "the retry", |h| {
        h.query_by_label("will retry").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("has not reached its server")
            .is_none(),
        "not after one failure"
    );
    drop(harness);
    // A day and more of the same.
    let path = outpost::paths::Paths::under(lab.home.path()).outbox_file();
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute(
        "UPDATE history SET at = at - 2 * 86400000 WHERE message = ?1",
        [id],
    )
    .unwrap();
    drop(db);
    // The command line says so too, with the way to find the settings again.
    let (code, v) = lab.outpost().json(&["queue", "list"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["unreachable"][0]["email"], "ann@example.test", "{v}");
    assert_eq!(v["unreachable"][0]["reason"], "dns_not_found", "{v}");
    let out = lab.outpost().command(&["queue", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("outpost detect ann@example.test"), "{text}");
    let mut harness = lab.window_again();
    open_outbox(&mut harness);
    wait_for(&mut harness, "the offer", |h| {
        h.query_by_label_contains(
            "has not reached its server for a day: the server's name is not found",
        )
        .is_some()
    });
    harness
        .get_by_label("Find the settings of ann@example.test again")
        .click();
    harness.step();
    // The account opens, and its settings are looked for again.
    wait_for(
        &mut harness,
        "the account's settings being found again",
        |h| {
            h.query_by_label("Finding settings").is_some()
                && h.query_by_label("E-mail address")
                    .and_then(|n| n.value())
                    .is_some_and(|v| v == "ann@example.test")
        },
    );
}
