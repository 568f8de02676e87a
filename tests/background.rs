//! The sender that runs with no window: started by queueing when nobody sends, detached from
//! its caller, gone when nothing waits; started again by the login entry, by the next
//! queueing after a kill -9; the way git send-email and cron hand mail over. Every sender a
//! test causes is ended by its process id ([`KillPid`]), whatever the test's outcome.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::netns::inside_namespace;
use support::postfix::Postfix;
use support::{KillPid, MailLab, Outpost, PASSWORD, SendLab, USER};

/// Waits up to `limit` for `done`; how long it took, or `None`.
fn within(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let began = Instant::now();
    while began.elapsed() < limit {
        if done() {
            return Some(began.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// The state of message `id`, as `queue show --json` says.
fn state(op: &Outpost, id: i64) -> String {
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v["message"]["state"].as_str().unwrap().to_string()
}

/// `outpost send --json` to bob with `subject`; the queue id and the sender it says runs.
fn send(op: &Outpost, subject: &str) -> (i64, serde_json::Value) {
    send_with(op, &["--subject", subject, "--body", "hi"])
}

/// `outpost send --json` to bob with `args`; the queue id and the sender it says runs.
fn send_with(op: &Outpost, args: &[&str]) -> (i64, serde_json::Value) {
    let mut all = vec!["--to", "bob@example.net"];
    all.extend_from_slice(args);
    let (code, v) = op.send_as(USER, &all);
    assert_eq!(code, 0, "{v}");
    (v["id"].as_i64().unwrap(), v["sender"].clone())
}

fn pid_of(sender: &serde_json::Value) -> KillPid {
    KillPid(sender["pid"].as_u64().expect("a sender's process id") as u32)
}

#[test]
fn queueing_with_nobody_sending_starts_a_sender_that_sends_and_then_ends() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let op = lab.op.background();
    let began = Instant::now();
    let (id, sender) = send(&op, "first");
    assert_eq!(sender["started"], true, "{sender}");
    assert_eq!(sender["role"], "background", "{sender}");
    let pid = pid_of(&sender);
    let took = within(Duration::from_secs(5), || state(&op, id) == "sent");
    assert!(took.is_some(), "not sent: {}", state(&op, id));
    eprintln!("queued → accepted: {:?}", began.elapsed());
    assert_eq!(lab.smtpd.received().len(), 1);
    // Nothing waits: it ends by itself, and says nothing on the way (no terminal).
    assert!(pid.ends_within(Duration::from_secs(5)), "it keeps running");
    assert_eq!(op.sender()["running"], false);
    // The next message starts a new one.
    let (id, sender) = send(&op, "second");
    let _second = pid_of(&sender);
    assert_eq!(sender["started"], true, "{sender}");
    assert!(within(Duration::from_secs(5), || state(&op, id) == "sent").is_some());
}

#[test]
fn a_sender_stays_while_a_message_waits_for_its_time_and_wakes_for_new_ones() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let op = lab.op.background();
    let (_, sender) = send_with(&op, &["--body", "later", "--delay", "3600"]);
    let sender = pid_of(&sender);
    std::thread::sleep(Duration::from_millis(500));
    assert!(sender.alive(), "it waits for the message's time");
    // A second message: the running sender is told, and sends it at once.
    let (id, said) = send(&op, "now");
    assert_eq!(said["started"], false, "{said}");
    assert_eq!(said["pid"].as_u64(), Some(u64::from(sender.0)), "{said}");
    assert!(within(Duration::from_secs(3), || state(&op, id) == "sent").is_some());
    assert!(sender.alive(), "the later message still waits");
    let list = op.sender();
    assert_eq!(list["running"], true, "{list}");
    assert_eq!(list["role"], "background", "{list}");
    // `outpost run --stop` ends it; the later message waits for the next sender.
    let (code, v) = op.json(&["run", "--stop"], "");
    assert_eq!(code, 0, "{v}");
    assert!(sender.ends_within(Duration::from_secs(5)));
}

#[test]
fn two_programs_at_once_start_one_sender_and_both_messages_leave() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let op = lab.op.background();
    let senders: Vec<serde_json::Value> = std::thread::scope(|s| {
        let a = s.spawn(|| send(&op, "a"));
        let b = s.spawn(|| send(&op, "b"));
        [a.join().unwrap(), b.join().unwrap()]
            .into_iter()
            .map(|(_, sender)| sender)
            .collect()
    });
    let _ends: Vec<KillPid> = senders.iter().map(pid_of).collect();
    assert!(
        within(Duration::from_secs(5), || lab.smtpd.received().len() == 2).is_some(),
        "{senders:?}"
    );
    // However many were started, one sent: each message once.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(lab.smtpd.received().len(), 2);
}

#[test]
fn the_login_entry_is_valid_and_its_command_sends_what_waits_then_ends_at_once_when_nothing_does() {
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let op = lab.op.background();
    let (id, sender) = send(&op, "writes the entry");
    let first = pid_of(&sender);
    let entry = op
        .home
        .path()
        .join("autostart/io.github.outpostmail.Outpost.Sender.desktop");
    let text = std::fs::read_to_string(&entry).expect("the login entry is written");
    let out = Command::new("desktop-file-validate")
        .arg(&entry)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "desktop-file-validate: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "Type=Application",
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}:\n{text}");
    }
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .unwrap()
        .to_string();
    assert!(exec.ends_with(" run --background"), "{exec}");
    assert!(within(Duration::from_secs(5), || state(&op, id) == "sent").is_some());
    assert!(first.ends_within(Duration::from_secs(5)));
    // As after a restart: a message waits, and nothing sends.
    let mut queue = op.command(&[
        "--json",
        "send",
        "--from",
        USER,
        "--to",
        "bob@example.net",
        "--body",
        "after login",
    ]);
    queue.env("OUTPOST_BACKGROUND", "off");
    let out = support::run_with_stdin(queue, "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sender"]["started"], false, "{v}");
    let waiting = v["id"].as_i64().unwrap();
    assert_eq!(op.sender()["running"], false);
    // The login runs the entry's command in the session's environment (the test's DNS
    // server and CA, here). Nothing in it is quoted here: its words are the arguments.
    let login = || {
        let words: Vec<&str> = exec.split(' ').collect();
        let mut cmd = Command::new(words[0]);
        cmd.args(&words[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (k, v) in op.env.iter().filter(|(k, _)| k != "OUTPOST_HOME") {
            cmd.env(k, v);
        }
        cmd
    };
    let mut run = login().spawn().unwrap();
    let _run = KillPid(run.id());
    assert!(
        within(Duration::from_secs(10), || run
            .try_wait()
            .unwrap()
            .is_some())
        .is_some(),
        "the login's sender ends once nothing waits"
    );
    assert!(run.wait().unwrap().success());
    assert_eq!(state(&op, waiting), "sent");
    assert_eq!(lab.smtpd.received().len(), 2);
    // Nothing waits: it ends at once, and makes no outbox where there was none.
    let began = Instant::now();
    assert!(login().status().unwrap().success());
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "an empty outbox ends it at once: {:?}",
        began.elapsed()
    );
}

/// Runs `ip` with `args`; it must succeed.
fn ip(args: &[&str]) {
    let status = Command::new("ip")
        .args(args)
        .status()
        .expect("ip runs (iproute2)");
    assert!(status.success(), "ip {args:?}");
}

#[test]
fn a_message_waiting_for_the_network_leaves_within_a_second_of_its_return() {
    if !inside_namespace("a_message_waiting_for_the_network_leaves_within_a_second_of_its_return") {
        return;
    }
    ip(&["link", "set", "lo", "up"]);
    let lab = SendLab::start(&[], PASSWORD, &[]);
    let op = lab.op.background();
    // No route anywhere: the sender finds the network gone.
    ip(&["link", "set", "lo", "down"]);
    let (id, sender) = send(&op, "offline");
    let pid = pid_of(&sender);
    let offline = || {
        let (_, v) = op.json(&["queue", "show", &id.to_string()], "");
        v["message"]["state"] == "retry" && v["history"].to_string().contains("\"offline\"")
    };
    assert!(
        within(Duration::from_secs(15), offline).is_some(),
        "it waits as offline: {}",
        state(&op, id)
    );
    assert!(pid.alive(), "the sender waits for the network");
    // Its first retry would be a minute away: the network's return is what sends it.
    let back = Instant::now();
    ip(&["link", "set", "lo", "up"]);
    let took = within(Duration::from_secs(5), || state(&op, id) == "sent");
    let took =
        took.unwrap_or_else(|| panic!("not sent after the network returned: {}", state(&op, id)));
    eprintln!("network back → accepted: {:?}", back.elapsed());
    assert!(
        took < Duration::from_secs(1),
        "accepted {took:?} after the network returned"
    );
    assert!(pid.ends_within(Duration::from_secs(5)));
}

/// Message-IDs of what the server took, each as often as it took it.
fn message_ids(received: &[Vec<u8>]) -> Vec<String> {
    received
        .iter()
        .filter_map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_string))
        })
        .collect()
}

#[test]
fn a_sender_killed_while_it_drains_is_replaced_by_the_next_queueing_and_nothing_is_lost() {
    // Each message takes the server a while: the sender is killed in the middle.
    let lab = SendLab::start(&["--data-delay", "0.05"], PASSWORD, &[]);
    const QUEUED: usize = 30;
    for n in 0..QUEUED {
        lab.op.send(&[
            "--to",
            "bob@example.net",
            "--subject",
            &n.to_string(),
            "--body",
            "hi",
        ]);
    }
    let op = lab.op.background();
    let (_, sender) = send(&op, "starts the sender");
    let first = pid_of(&sender);
    assert!(within(Duration::from_secs(10), || lab.smtpd.received().len() >= 5).is_some());
    let killed = Command::new("kill")
        .args(["-9", &first.0.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(first.ends_within(Duration::from_secs(2)));
    let taken = lab.smtpd.received().len();
    assert!(taken < QUEUED, "killed before the end ({taken} taken)");
    // Nothing sends now; the next queueing starts another sender, which sends the rest.
    assert_eq!(op.sender()["running"], false);
    let (_, sender) = send(&op, "the next one");
    assert_eq!(sender["started"], true, "{sender}");
    let second = pid_of(&sender);
    let all = QUEUED + 2;
    let ids = || {
        let mut ids = message_ids(&lab.smtpd.received());
        ids.sort();
        ids.dedup();
        ids.len()
    };
    assert!(
        within(Duration::from_secs(20), || ids() == all).is_some(),
        "{} of {all} arrived",
        ids()
    );
    assert!(second.ends_within(Duration::from_secs(5)));
    // Sent twice at most: the one message per lane (connection) in flight at the kill.
    let twice = lab.smtpd.received().len() - all;
    assert!(
        twice <= outpost::outbox::worker::LANES_PER_ACCOUNT,
        "{twice} messages sent twice"
    );
}

/// Postfix (submission with SASL, as a provider runs it) and Ann's account on it; queueing
/// starts the background sender.
fn postfix_lab() -> (MailLab, Postfix, Outpost) {
    let lab = MailLab::start();
    let postfix = Postfix::start(&lab.cert, &[(USER, PASSWORD)], &[(USER, USER)]);
    let op = Outpost::new(&lab.dns, &lab.ca);
    op.add_starttls(postfix.port, PASSWORD, &[]);
    (lab, postfix, op.background())
}

/// The one message in the outbox, once Postfix accepted it (its queue id is known); how
/// long after `handed` that was.
fn accepted_by_postfix(op: &Outpost, postfix: &Postfix, handed: Instant) -> Duration {
    let accepted = within(Duration::from_secs(10), || {
        let (_, v) = op.json(&["queue", "list"], "");
        v["messages"][0]["state"] == "sent"
    });
    assert!(accepted.is_some(), "not accepted:\n{}", postfix.log());
    let (_, v) = op.json(&["queue", "list"], "");
    let m = &v["messages"][0];
    assert!(m["server_queue_id"].is_string(), "Postfix's queue id: {m}");
    // Ended by itself: nothing waits.
    if let Some(pid) = op.sender()["pid"].as_u64() {
        assert!(KillPid(pid as u32).ends_within(Duration::from_secs(5)));
    }
    handed.elapsed()
}

/// A folder with `sendmail`, a link to Outpost, as distributions install it.
fn sendmail_link() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("sendmail");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_outpost"), &link).unwrap();
    (dir, link)
}

#[test]
fn cron_hands_a_message_to_sendmail_t_and_postfix_accepts_it_with_no_window_open() {
    let (_lab, postfix, op) = postfix_lab();
    let (_dir, sendmail) = sendmail_link();
    // As cron does: the job's output piped to `sendmail -t`, whose own output cron reads to
    // its end before it goes on.
    let mut cmd = Command::new(&sendmail);
    cmd.args(["-t", "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &op.env {
        cmd.env(k, v);
    }
    let handed = Instant::now();
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        format!(
            "From: {USER}\nTo: bob@example.net\nSubject: Cron <ann@host> backup\n\n\
             backup done\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut said = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut said).unwrap();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut said).unwrap();
    assert!(child.wait().unwrap().success(), "{said}");
    assert!(said.is_empty(), "silent, like sendmail: {said}");
    // The pipes closed with sendmail: the sender it started holds none of them.
    assert!(
        handed.elapsed() < Duration::from_secs(1),
        "cron waited {:?} for the pipes",
        handed.elapsed()
    );
    let took = accepted_by_postfix(&op, &postfix, handed);
    eprintln!("cron → accepted by Postfix: {took:?}");
    assert!(took < Duration::from_secs(2), "accepted after {took:?}");
}

#[test]
fn git_send_email_hands_a_patch_over_and_postfix_accepts_it_with_no_window_open() {
    let (_lab, postfix, op) = postfix_lab();
    let (_dir, sendmail) = sendmail_link();
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let mut cmd = Command::new("/usr/bin/git");
        cmd.current_dir(repo.path())
            .args(["-c", "user.name=Ann", "-c", &format!("user.email={USER}")])
            .args(args)
            .env("HOME", repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null());
        for (k, v) in &op.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    git(&["init", "-q"]);
    std::fs::write(repo.path().join("README"), "hello\n").unwrap();
    git(&["add", "README"]);
    git(&["commit", "-q", "-m", "Say hello"]);
    let patch = git(&["format-patch", "-1", "-o", "out"]);
    let handed = Instant::now();
    git(&[
        "send-email",
        &format!("--sendmail-cmd={}", sendmail.display()),
        &format!("--from=Ann <{USER}>"),
        "--to=bob@example.net",
        "--confirm=never",
        "--suppress-cc=all",
        "--quiet",
        patch.trim(),
    ]);
    let took = accepted_by_postfix(&op, &postfix, handed);
    eprintln!("git send-email → accepted by Postfix: {took:?}");
    assert!(took < Duration::from_secs(2), "accepted after {took:?}");
    let (_, v) = op.json(&["queue", "list"], "");
    assert!(
        v["messages"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("[PATCH] Say hello"),
        "{v}"
    );
}

#[test]
fn the_window_takes_over_from_the_background_sender_once_its_message_in_flight_is_done() {
    use outpost::runtime::{Core, Event};
    // The server takes a second over each message: the window opens in the middle of one.
    let lab = SendLab::start(&["--data-delay", "1"], PASSWORD, &[]);
    let op = lab.op.background();
    let (id, sender) = send(&op, "in flight");
    let background = pid_of(&sender);
    assert!(within(Duration::from_secs(5), || state(&op, id) == "sending").is_some());
    let paths = outpost::paths::Paths::under(op.home.path());
    let net = outpost::net::NetConfig {
        dns_server: Some(lab.lab.dns.addr),
        extra_roots: Some(lab.lab.ca.ca_pem.clone()),
        ..Default::default()
    };
    let core = Core::start(&paths, Ok(net), || {});
    // The window says whom it waits for, the message in flight is finished (once), and the
    // background sender ends.
    let mut notes = vec![];
    let window_sends = within(Duration::from_secs(10), || {
        while let Some(e) = core.try_recv() {
            if let Event::SenderNote(note) = e {
                notes.push(note);
            }
        }
        op.sender()["role"] == "window"
    });
    assert!(window_sends.is_some(), "{:?}", op.sender());
    assert!(
        notes.iter().any(|n| n.contains(&background.0.to_string())),
        "the status line names the background sender: {notes:?}"
    );
    assert!(!background.alive());
    assert_eq!(state(&op, id), "sent");
    assert_eq!(lab.smtpd.received().len(), 1);
    assert_eq!(
        op.sender()["pid"].as_u64(),
        Some(u64::from(std::process::id()))
    );
    // Queued now, the window's sender sends it; no other is started.
    let (id, sender) = send(&op, "the window sends");
    assert_eq!(sender["started"], false, "{sender}");
    assert_eq!(sender["role"], "window", "{sender}");
    assert!(within(Duration::from_secs(5), || state(&op, id) == "sent").is_some());
    drop(core);
}
