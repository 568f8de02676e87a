//! The queue's behaviour: durability, leases, history as data, recipients, migrations.

use std::time::Duration;

use rusqlite::{Connection, params};

use super::db::Outbox;
use super::error::OutboxError;
use super::schema::{SCHEMA_V1, SCHEMA_VERSION};
use super::state::{RetryKind, State};
use crate::clock::now_ms;
use crate::message::Composed;
use crate::outbox::history::{Cause, Delivery, Field, Happening};

fn composed(n: u8) -> Composed {
    Composed {
        message_id: format!("<m{n}@example.org>"),
        envelope_from: "ann@example.org".into(),
        recipients: vec!["bob@example.net".into(), "carol@example.net".into()],
        bytes: format!("Subject: {n}\r\n\r\nbody\r\n").into_bytes(),
        files: vec![],
    }
}

fn open(dir: &tempfile::TempDir) -> Outbox {
    Outbox::open(&dir.path().join("data/outbox.sqlite")).unwrap()
}

#[test]
fn a_queued_message_survives_reopening_and_is_claimed_once() {
    let dir = tempfile::tempdir().unwrap();
    let id = open(&dir)
        .enqueue("acc", &composed(1), "bob@example.net", "Hi")
        .unwrap();
    let mut q = open(&dir);
    let lease = Duration::from_secs(60);
    let c = q.claim_due(lease, None, &[]).unwrap().unwrap();
    assert_eq!((c.id, c.recipients.len()), (id, 2));
    assert_eq!(c.bytes, composed(1).bytes);
    assert!(
        q.claim_due(lease, None, &[]).unwrap().is_none(),
        "leased: not claimed twice"
    );
    assert_eq!(q.list().unwrap()[0].state, State::Sending);
}

#[test]
fn a_message_for_later_waits_and_says_when_it_was_sent_late() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let lease = Duration::from_secs(60);
    let later = now_ms() + 3_600_000;
    let id = q
        .enqueue_at("acc", &composed(1), "bob", "Hi", Some(later), None)
        .unwrap();
    assert!(
        q.claim_due(lease, None, &[]).unwrap().is_none(),
        "not early"
    );
    assert_eq!(q.list().unwrap()[0].next_attempt_ms, Some(later));
    // As if it had been queued an hour ago for two minutes ago, and Outpost had not run
    // since.
    let now = now_ms();
    q.conn
        .execute(
            "UPDATE messages SET created = ?2, next_attempt = ?3 WHERE id = ?1",
            params![id, now - 3_600_000, now - 120_000],
        )
        .unwrap();
    assert!(q.claim_due(lease, None, &[]).unwrap().is_some());
    let history: Vec<String> = (q.get(id).unwrap().1.into_iter())
        .map(|e| e.what.in_words())
        .collect();
    assert!(history[0].starts_with("queued, to be sent "), "{history:?}");
    assert!(
        history[1].contains("Outpost was not running then, so it is sent now"),
        "{history:?}"
    );
}

#[test]
fn a_lapsed_lease_makes_the_message_due_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    q.enqueue("acc", &composed(1), "bob", "Hi").unwrap();
    q.claim_due(Duration::ZERO, None, &[]).unwrap().unwrap();
    std::thread::sleep(Duration::from_millis(5));
    assert!(
        q.claim_due(Duration::from_secs(60), None, &[])
            .unwrap()
            .is_some()
    );
}

#[test]
fn busy_accounts_are_skipped_so_no_lane_blocks_another() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    q.enqueue("a", &composed(1), "bob", "1").unwrap();
    let b = q.enqueue("b", &composed(2), "bob", "2").unwrap();
    let c = q
        .claim_due(Duration::from_secs(60), None, &["a".into()])
        .unwrap()
        .unwrap();
    assert_eq!(c.id, b);
}

#[test]
fn states_and_history_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let id = q.enqueue("acc", &composed(1), "bob", "Hi").unwrap();
    q.claim_due(Duration::from_secs(60), None, &[]).unwrap();
    let later = Cause::Reply {
        reply: "451 4.3.0 later".into(),
    };
    q.mark_retry(id, now_ms() + 60_000, &later, RetryKind::Counted)
        .unwrap();
    assert!(
        q.claim_due(Duration::from_secs(60), None, &[])
            .unwrap()
            .is_none(),
        "not due yet"
    );
    q.retry_now(id).unwrap();
    q.claim_due(Duration::from_secs(60), None, &[])
        .unwrap()
        .unwrap();
    q.mark_sent(id, "250 2.0.0 Ok: queued as X1", Some("X1"))
        .unwrap();
    let (s, events) = q.get(id).unwrap();
    assert_eq!((s.state, s.attempts), (State::Sent, 2));
    assert_eq!(s.server_queue_id.as_deref(), Some("X1"));
    let texts: Vec<_> = events.iter().map(|e| e.what.in_words()).collect();
    assert_eq!(texts[0], "queued");
    assert!(texts.iter().any(|t| t.contains("451 4.3.0")));
    assert!(
        matches!(&events[1].what, Happening::Retry { cause, .. } if *cause == later),
        "stored as data: {:?}",
        events[1]
    );
    assert!(s.recipients.iter().all(|r| r.state == Delivery::Accepted));
    assert_eq!(s.last_reply.as_deref(), Some("250 2.0.0 Ok: queued as X1"));
    assert!(q.cancel(id).is_err(), "a sent message cannot be cancelled");
    assert!(matches!(q.get(99), Err(OutboxError::NotFound(99))));
}

#[test]
fn deleting_counting_and_noticing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let reader = open(&dir);
    let before = reader.data_version().unwrap();
    let a = q.enqueue("acc", &composed(1), "bob", "1").unwrap();
    let b = q.enqueue("acc", &composed(2), "bob", "2").unwrap();
    assert_ne!(
        reader.data_version().unwrap(),
        before,
        "another connection wrote"
    );
    q.cancel(b).unwrap();
    let mut counts = reader.counts().unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, vec![(State::Cancelled, 1), (State::Queued, 1)]);
    let (bytes, rcpts) = reader.content(a).unwrap();
    assert_eq!((bytes, rcpts.len()), (composed(1).bytes, 2));
    q.claim_due(Duration::from_secs(60), None, &[])
        .unwrap()
        .unwrap();
    assert!(q.delete(a).is_err(), "a message being sent stays");
    q.delete(b).unwrap();
    assert!(matches!(q.get(b), Err(OutboxError::NotFound(_))));
    assert_eq!(reader.index().unwrap(), vec![(a, State::Sending)]);
    assert!(reader.next_due(true).unwrap().is_some());
    let login = Cause::Login {
        reply: "535 5.7.8 no".into(),
    };
    q.mark_paused(a, "acc", &login).unwrap();
    assert!(reader.paused().unwrap()[0].1.contains("535 5.7.8"));
    assert_eq!(
        reader.next_due(true).unwrap(),
        None,
        "a paused account's messages are not due (the worker would spin)"
    );
    q.resume("acc").unwrap();
    assert_eq!(reader.summaries(&[a, 999]).unwrap()[0].id, a);
    assert_eq!(
        reader.waiting_by_account().unwrap(),
        vec![("acc".into(), 1)]
    );
    let c = q.enqueue("other", &composed(3), "bob", "3").unwrap();
    assert_eq!(q.cancel_account("other").unwrap(), 1);
    assert_eq!(q.get(c).unwrap().0.state, State::Cancelled);
}

#[test]
fn an_outbox_of_the_first_schema_keeps_its_messages_and_deletes_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(SCHEMA_V1).unwrap();
    old.pragma_update(None, "user_version", 1).unwrap();
    let m = composed(1);
    for subject in ["kept", "deleted"] {
        old.execute(
            "INSERT INTO messages (account, message_id, envelope_from, recipients,
                display_to, subject, bytes, state, next_attempt, created)
             VALUES ('acc', ?1, ?2, '[\"bob@example.net\"]', 'bob', ?3, ?4, 'queued', 0, 0)",
            params![m.message_id, m.envelope_from, subject, m.bytes],
        )
        .unwrap();
    }
    drop(old);
    let mut q = Outbox::open(&path).unwrap();
    let version: i64 = q
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let (bytes, rcpts) = q.content(1).unwrap();
    assert_eq!(
        (bytes, rcpts),
        (m.bytes.clone(), vec!["bob@example.net".into()])
    );
    q.delete(2).unwrap();
    let bodies: i64 = q
        .conn
        .query_row("SELECT count(*) FROM bodies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bodies, 1, "a deleted message's bytes go with it");
    let c = q.claim_due(Duration::from_secs(60), None, &[]).unwrap();
    assert_eq!(c.map(|c| c.bytes), Some(m.bytes));
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    Outbox::open(&path).unwrap();
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 9)
        .unwrap();
    assert!(matches!(
        Outbox::open(&path),
        Err(OutboxError::TooNew { found: 9, .. })
    ));
}

#[test]
fn each_recipient_has_its_field_state_and_reply() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let m = Composed {
        recipients: vec![
            "bob@example.net".into(),
            "carol@example.net".into(),
            "dave@example.net".into(),
        ],
        bytes: b"To: Bob <Bob@Example.net>\r\nCc: carol@example.net\r\nSubject: x\r\n\r\nbody\r\n"
            .to_vec(),
        ..composed(1)
    };
    let id = q.enqueue("acc", &m, "bob, carol, dave", "x").unwrap();
    q.claim_due(Duration::from_secs(60), None, &[]).unwrap();
    q.recipient_result(id, "carol@example.net", "550 5.1.1 no such user", true)
        .unwrap();
    q.recipient_result(id, "dave@example.net", "450 4.2.1 mailbox busy", false)
        .unwrap();
    q.mark_retry(
        id,
        now_ms(),
        &Cause::Reply {
            reply: "450 4.2.1 mailbox busy".into(),
        },
        RetryKind::Counted,
    )
    .unwrap();
    let c = q
        .claim_due(Duration::from_secs(60), None, &[])
        .unwrap()
        .unwrap();
    assert_eq!(
        c.recipients,
        vec![
            "bob@example.net".to_string(),
            "dave@example.net".to_string()
        ],
        "a refused recipient is not tried again; a deferred one is"
    );
    q.mark_sent(id, "250 2.0.0 Ok", None).unwrap();
    let (s, history) = q.get(id).unwrap();
    let fields: Vec<_> = s.recipients.iter().map(|r| (r.field, r.state)).collect();
    assert_eq!(
        fields,
        vec![
            (Field::To, Delivery::Accepted),
            (Field::Cc, Delivery::Refused),
            (Field::Bcc, Delivery::Accepted),
        ]
    );
    assert_eq!(
        s.recipients[1].reply.as_deref(),
        Some("550 5.1.1 no such user")
    );
    assert_eq!(s.in_words(now_ms()), "sent, 1 refused");
    assert!(history.iter().any(|e| e.what
        == Happening::RecipientRefused {
            recipient: "carol@example.net".into(),
            reply: "550 5.1.1 no such user".into()
        }));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["recipients"][1]["state"], "refused");
    assert_eq!(json["recipients"][1]["field"], "cc");
}

#[test]
fn an_unknown_value_in_the_database_is_an_error_that_says_which_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let id = q.enqueue("acc", &composed(1), "bob", "Hi").unwrap();
    q.conn
        .execute(
            "UPDATE messages SET state = 'teleported' WHERE id = ?1",
            [id],
        )
        .unwrap();
    let err = q.list().unwrap_err();
    assert!(
        matches!(&err, OutboxError::Unreadable { source, .. }
            if source.message == Some(id) && source.found == "teleported"),
        "{err:?}"
    );
    let words = err.to_string();
    assert!(
        words.contains(&format!("#{id}")) && words.contains("teleported"),
        "{words}"
    );
    assert!(
        q.index().is_err() && q.counts().is_err(),
        "never mapped silently"
    );
    q.conn
        .execute("UPDATE messages SET state = 'queued' WHERE id = ?1;", [id])
        .unwrap();
    q.conn
        .execute(
            "UPDATE history SET data = '{\"kind\":\"abducted\"}' WHERE message = ?1",
            [id],
        )
        .unwrap();
    assert!(matches!(
        q.get(id),
        Err(OutboxError::Unreadable { source, .. }) if source.what == "history"
    ));
    q.conn
        .execute(
            "UPDATE recipients SET state = 'lost' WHERE message = ?1",
            [id],
        )
        .unwrap();
    assert!(matches!(
        q.list(),
        Err(OutboxError::Unreadable { source, .. }) if source.what == "recipient state"
    ));
}

/// An outbox as the release before history became data (schema 2) left it: sentences in the
/// history (English and German), a sent message whose reply names a refused recipient, a
/// failed one, a paused account.
#[test]
fn an_outbox_of_schema_2_keeps_its_history_as_notes_and_its_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(SCHEMA_V1).unwrap();
    old.execute_batch(super::schema::SCHEMA_V2).unwrap();
    old.pragma_update(None, "user_version", 2).unwrap();
    let bytes = b"To: bob@example.net\r\nSubject: x\r\n\r\nbody\r\n".to_vec();
    let rows = [
        (
            "sent",
            "[\"bob@example.net\",\"eve@example.net\"]",
            Some("250 2.0.0 Ok (refused: eve@example.net)"),
        ),
        (
            "failed",
            "[\"bob@example.net\"]",
            Some("550 5.7.1 relay denied"),
        ),
        ("retry", "[\"bob@example.net\"]", None),
    ];
    for (state, rcpts, last) in rows {
        old.execute(
            "INSERT INTO messages (account, message_id, envelope_from, recipients, display_to,
                subject, state, next_attempt, created, last_reply)
             VALUES ('acc', '<m@x>', 'ann@example.org', ?1, 'bob', 'x', ?2, 0, 0, ?3)",
            params![rcpts, state, last],
        )
        .unwrap();
        let id = old.last_insert_rowid();
        old.execute(
            "INSERT INTO bodies (message, bytes) VALUES (?1, ?2)",
            params![id, bytes],
        )
        .unwrap();
        for text in ["queued", "wird wiederholt: 451 4.3.0 später"] {
            old.execute(
                "INSERT INTO events (message, at, text) VALUES (?1, 7, ?2)",
                params![id, text],
            )
            .unwrap();
        }
    }
    old.execute(
        "INSERT INTO paused (account, reason, since) VALUES ('acc', 'log in again', 1)",
        [],
    )
    .unwrap();
    drop(old);
    let q = Outbox::open(&path).unwrap();
    let (sent, history) = q.get(1).unwrap();
    assert_eq!(
        history.iter().map(|e| &e.what).collect::<Vec<_>>(),
        vec![
            &Happening::Note {
                text: "queued".into()
            },
            &Happening::Note {
                text: "wird wiederholt: 451 4.3.0 später".into()
            }
        ],
        "nothing lost, nothing rewritten"
    );
    assert_eq!(history[0].at_ms, 7);
    let states: Vec<_> = sent.recipients.iter().map(|r| r.state).collect();
    assert_eq!(states, vec![Delivery::Accepted, Delivery::Refused]);
    assert_eq!(sent.recipients[0].field, Field::To);
    assert_eq!(sent.recipients[1].field, Field::Bcc);
    assert_eq!(sent.in_words(now_ms()), "sent, 1 refused");
    assert_eq!(
        sent.last_reply.as_deref(),
        Some("250 2.0.0 Ok (refused: eve@example.net)")
    );
    let (failed, _) = q.get(2).unwrap();
    assert_eq!(failed.recipients[0].state, Delivery::Waiting);
    assert_eq!(failed.last_reply.as_deref(), Some("550 5.7.1 relay denied"));
    assert_eq!(
        q.paused().unwrap(),
        vec![("acc".into(), "log in again".into())]
    );
}

/// The outbox the release before schema 3 left (`tests/data/outbox-v2.sh` says how it was
/// made): every message, every sentence of its history and the paused account come through,
/// and each recipient's fate is as the old release knew it.
#[test]
fn the_outbox_of_the_previous_release_opens_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/outbox-v2.sqlite");
    std::fs::copy(fixture, &path).unwrap();
    let q = Outbox::open(&path).unwrap();
    let all = q.list().unwrap();
    let states: Vec<_> = all
        .iter()
        .rev()
        .map(|m| (m.subject.as_str(), m.state))
        .collect();
    assert_eq!(
        states,
        vec![
            ("One refused", State::Sent),
            ("One deferred", State::Retry),
            ("Refused", State::Failed),
            ("Cancelled", State::Cancelled),
            ("Später", State::Queued),
            ("Paused", State::Retry),
        ]
    );
    let words = |id: i64| -> Vec<String> {
        let (_, history) = q.get(id).unwrap();
        history.iter().map(|e| e.what.in_words()).collect()
    };
    let one_refused = &all[5];
    assert_eq!(one_refused.in_words(now_ms()), "sent, 1 refused");
    let fates: Vec<_> = one_refused
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.state))
        .collect();
    assert_eq!(
        fates,
        vec![
            ("bob@example.net", Delivery::Accepted),
            ("nobody@example.net", Delivery::Refused)
        ]
    );
    assert!(
        words(1)
            .iter()
            .any(|w| w.starts_with("refused recipient nobody@example.net"))
    );
    // Bob had it; busy@ was deferred and waits.
    let deferred: Vec<_> = all[4]
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.field, r.state))
        .collect();
    assert_eq!(
        deferred,
        vec![
            ("bob@example.net", Field::To, Delivery::Accepted),
            ("busy@example.net", Field::Cc, Delivery::Waiting)
        ]
    );
    assert!(
        words(5)[0].starts_with("eingereiht, zu senden"),
        "kept as it was written: {:?}",
        words(5)
    );
    assert_eq!(q.paused().unwrap().len(), 1);
    assert!(q.paused().unwrap()[0].1.contains("530 5.7.0"));
    assert!(all[0].last_reply.as_deref().unwrap().contains("530 5.7.0"));
    // And it sends on: the waiting one is claimed with the recipient still to have it.
    let mut q = q;
    q.retry_now(2).unwrap();
    let c = q
        .claim_due(Duration::from_secs(60), Some(&all[4].account), &[])
        .unwrap()
        .unwrap();
    assert_eq!(c.recipients, vec!["busy@example.net".to_string()]);
}

/// A message with a body of `size` bytes, claimed (as the sender takes it).
fn claimed_of_size(q: &mut Outbox, n: u8, size: usize) -> i64 {
    let mut c = composed(n);
    c.bytes.extend(std::iter::repeat_n(b'x', size));
    let id = q.enqueue("acc", &c, "bob", "Hi").unwrap();
    q.claim_due(Duration::from_secs(60), None, &[])
        .unwrap()
        .unwrap();
    id
}

#[test]
fn sent_and_cancelled_texts_go_after_their_time_and_waiting_or_failed_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let sent = claimed_of_size(&mut q, 1, 100_000);
    q.mark_sent(sent, "250 ok", None).unwrap();
    let failed = claimed_of_size(&mut q, 2, 100_000);
    let refused = Cause::Reply {
        reply: "550 5.1.1 no such user".into(),
    };
    q.mark_failed(failed, &refused, None).unwrap();
    let waiting = claimed_of_size(&mut q, 3, 100_000);
    q.mark_retry(waiting, now_ms() + 60_000, &refused, RetryKind::Counted)
        .unwrap();
    let cancelled = q.enqueue("acc", &composed(4), "bob", "Hi").unwrap();
    q.cancel(cancelled).unwrap();
    let day = 86_400_000;
    // Time is given, not waited for: nothing finished before a day ago.
    assert_eq!(q.prune_bodies(now_ms() - day).unwrap().messages, 0);
    let before = q.space().unwrap();
    assert_eq!(before.bodies, 4);
    // A month and a day later.
    let pruned = q.prune_bodies(now_ms() + 31 * day).unwrap();
    assert_eq!(pruned.messages, 2, "the sent and the cancelled one");
    assert!(pruned.bytes >= 100_000);
    for id in [sent, cancelled] {
        assert!(matches!(q.content(id), Err(OutboxError::BodyGone(i)) if i == id));
        let (summary, history) = q.get(id).unwrap();
        assert!(!summary.kept);
        assert!(!history.is_empty(), "its history stays");
    }
    for id in [failed, waiting] {
        assert!(q.content(id).is_ok(), "message {id} keeps its text");
        assert!(q.get(id).unwrap().0.kept);
    }
    assert_eq!(
        q.get(sent).unwrap().0.recipients.len(),
        2,
        "its recipients stay"
    );
    // The space comes back to the file system.
    q.reclaim().unwrap();
    let after = q.space().unwrap();
    assert_eq!(after.bodies, 2);
    assert_eq!(after.free_bytes, 0);
    assert!(
        after.file_bytes + 90_000 < before.file_bytes,
        "{} → {}",
        before.file_bytes,
        after.file_bytes
    );
    assert!(matches!(q.content(99), Err(OutboxError::NotFound(99))));
}

#[test]
fn an_outbox_made_without_incremental_vacuum_is_rebuilt_with_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/outbox.sqlite");
    drop(open(&dir));
    let conn = Connection::open(&path).unwrap();
    let mode: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, 2, "a new outbox is made incremental");
    // As the previous release made them.
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA auto_vacuum = NONE; VACUUM;")
        .unwrap();
    drop(conn);
    let q = open(&dir);
    let mode: i64 = q
        .conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, 2);
}

fn unsent(key: &str, revision: u64, body: &str) -> crate::message::Unsent {
    crate::message::Unsent {
        key: key.into(),
        revision,
        saved: now_ms() + revision as i64,
        to: "bob@example.net".into(),
        body: body.into(),
        ..Default::default()
    }
}

#[test]
fn a_draft_survives_reopening_and_an_older_save_arriving_late_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    assert!(q.save_draft(&unsent("a", 1, "Hel")).unwrap());
    assert!(q.save_draft(&unsent("a", 3, "Hello wor")).unwrap());
    assert!(!q.save_draft(&unsent("a", 2, "Hello")).unwrap(), "older");
    let mut other = unsent("b", 1, "Other");
    other.saved += 60_000;
    assert!(q.save_draft(&other).unwrap());
    drop(q);
    let kept = open(&dir).drafts().unwrap();
    let bodies: Vec<_> = kept.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["Other", "Hello wor"], "the last saved first");
    assert_eq!(kept[1].revision, 3);
}

#[test]
fn a_draft_discarded_or_queued_stays_gone_when_a_save_arrives_after() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    q.save_draft(&unsent("a", 1, "Bye")).unwrap();
    q.save_draft(&unsent("b", 1, "Sent soon")).unwrap();
    q.discard_draft("a").unwrap();
    assert!(!q.save_draft(&unsent("a", 2, "Bye!")).unwrap());
    q.enqueue_at("acc", &composed(1), "bob", "Hi", None, Some("b"))
        .unwrap();
    assert!(!q.save_draft(&unsent("b", 2, "Sent soon!")).unwrap());
    assert!(q.drafts().unwrap().is_empty());
}

#[test]
fn a_message_that_cannot_be_queued_leaves_its_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    q.save_draft(&unsent("a", 1, "Attached")).unwrap();
    let mut message = composed(1);
    message.files = vec![crate::message::Splice {
        at: message.bytes.len(),
        path: dir.path().join("gone.pdf"),
        size: 100,
    }];
    assert!(
        q.enqueue_at("acc", &message, "bob", "Hi", None, Some("a"))
            .is_err()
    );
    assert_eq!(q.drafts().unwrap().len(), 1, "the draft is kept");
    assert!(q.list().unwrap().is_empty(), "nothing queued");
}

#[test]
fn an_account_that_has_not_found_its_server_for_a_day_is_told_apart() {
    use crate::outbox::history::Trouble;
    let dir = tempfile::tempdir().unwrap();
    let mut q = open(&dir);
    let network = |error: &str| Cause::Network(Trouble::new(error, || "failed".into()));
    let mut fail = |account: &str, n: u8, errors: &[&str]| {
        let id = q.enqueue(account, &composed(n), "bob", "Hi").unwrap();
        for e in errors {
            q.mark_retry(id, now_ms() + 60_000, &network(e), RetryKind::Counted)
                .unwrap();
        }
        id
    };
    let gone = fail("gone", 1, &["dns_not_found", "dns_not_found"]);
    let refused = fail("refused", 2, &["connection_refused"]);
    let mixed = fail("mixed", 3, &["dns_not_found", "timeout"]);
    let recent = fail("recent", 4, &["dns_not_found"]);
    // A name the DNS does not know pauses the account at once.
    let paused = q.enqueue("paused", &composed(5), "bob", "Hi").unwrap();
    let setup = Cause::Setup(Trouble::new("server_name", || "no such name".into()));
    q.mark_paused(paused, "paused", &setup).unwrap();
    // Backdated: three of them have failed since two days ago.
    let day = 24 * 3_600_000;
    for id in [gone, refused, mixed, paused] {
        q.conn
            .execute(
                "UPDATE history SET at = at - ?1 WHERE message = ?2",
                params![2 * day, id],
            )
            .unwrap();
    }
    let _ = recent;
    let found = q.unreachable_since(now_ms() - day).unwrap();
    let accounts: Vec<(&str, bool)> = found
        .iter()
        .map(|u| (u.account.as_str(), u.not_found))
        .collect();
    assert_eq!(
        accounts,
        [("gone", true), ("paused", true), ("refused", false)],
        "a day of nothing else; not a timeout among them, not a recent failure"
    );
}
