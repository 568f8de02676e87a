//! What Outpost must refuse, proven against real servers and an attacker in the middle:
//! STARTTLS stripped or refused, bad certificates, outdated TLS; hostile sizes, times and
//! files; and no secret anywhere it should not be.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::hostile::{HostileSmtp, Misbehaviour};
use support::proxy::{Attack, StripProxy};
use support::{DnsServer, Outpost, PASSWORD, Smtpd, TestCa};

use support::MailLab as Lab;

fn lab() -> Lab {
    Lab::start()
}

fn add(op: &Outpost, port: u16, security: &str) {
    let (code, v) = op.add(
        "mail.example.test",
        Some(port),
        security,
        &["--session-keyring"],
        PASSWORD,
    );
    assert_eq!(code, 0, "{v}");
}

fn account_test(op: &Outpost) -> Value {
    let (code, v) = op.json(&["account", "check", support::USER], "");
    assert_ne!(code, 0, "the check must fail: {v}");
    v
}

fn error_text(v: &Value) -> String {
    format!("{} {}", v["error"]["message"], v["error"]["advice"])
}

/// Queues one message and lets the worker try it once; returns the message as `queue show`
/// reports it.
fn send_once(op: &Outpost) -> Value {
    let id = op.send_to_bob(&["--subject", "Secret plans"]);
    let (_, _) = op.json(&["run", "--until-empty", "--timeout", "20"], "");
    let (code, v) = op.json(&["queue", "show", &id.to_string()], "");
    assert_eq!(code, 0, "{v}");
    v["message"].clone()
}

fn stripped(attack: Attack, kind: &str) {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let proxy = StripProxy::start(smtpd.port, attack);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, proxy.port, "starttls");

    let v = account_test(&op);
    assert_eq!(v["failed_step"], "starttls", "{v}");
    assert_eq!(v["error"]["kind"], kind, "{v}");
    let m = send_once(&op);
    assert_ne!(m["state"], "sent", "{m}");
    assert!(
        m["last_reply"].as_str().unwrap_or("").contains("STARTTLS"),
        "the outbox says why: {m}"
    );
    for command in ["AUTH", "MAIL", "RCPT", "DATA"] {
        assert!(
            !proxy.client_sent(command),
            "{command} crossed the network in the clear: {:?}",
            proxy.client_lines.lock().unwrap()
        );
    }
    assert!(smtpd.received().is_empty());
}

#[test]
fn starttls_hidden_by_an_attacker_stops_everything_before_the_login() {
    stripped(Attack::HideStarttls, "starttls_not_offered");
}

#[test]
fn starttls_refused_by_an_attacker_stops_everything_before_the_login() {
    stripped(Attack::RefuseStarttls, "starttls_refused");
}

fn certificate_refused(cert: &(std::path::PathBuf, std::path::PathBuf), lab: &Lab) -> String {
    let smtpd = Smtpd::start("tls", Some(cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, smtpd.port, "tls");
    let v = account_test(&op);
    assert_eq!(v["failed_step"], "tls", "{v}");
    assert_eq!(v["error"]["kind"], "certificate", "{v}");
    let m = send_once(&op);
    assert_ne!(m["state"], "sent", "{m}");
    assert!(smtpd.received().is_empty());
    error_text(&v)
}

/// A certificate valid only between two dates (years) is refused, saying `says`.
fn out_of_dates(from: i32, to: i32, says: &str) {
    let lab = lab();
    let cert = lab.ca.issue_with("dated", &["mail.example.test"], |p| {
        p.not_before = rcgen::date_time_ymd(from, 1, 1);
        p.not_after = rcgen::date_time_ymd(to, 1, 1);
    });
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains(says), "{text}");
}

#[test]
fn an_expired_certificate_is_refused_and_says_so() {
    out_of_dates(2020, 2021, "expired");
}

#[test]
fn a_certificate_not_valid_yet_is_refused_and_says_so() {
    out_of_dates(2090, 2091, "not valid before");
}

#[test]
fn a_self_signed_certificate_is_refused_and_names_itself() {
    let lab = lab();
    let cert = lab.ca.self_signed("self", &["mail.example.test"]);
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains("not issued by a trusted authority"), "{text}");
    assert!(
        text.contains("mail.example.test"),
        "the certificate's names: {text}"
    );
}

#[test]
fn a_self_signed_authority_certificate_is_refused_in_plain_words() {
    // What `openssl req -x509` makes: CA:TRUE, used as the server's own certificate, here
    // with 80 names as the one tried in the wild had.
    let lab = lab();
    let mut names: Vec<String> = (1..80).map(|i| format!("host{i}.example.test")).collect();
    names.insert(0, "mail.example.test".into());
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let cert = lab.ca.self_signed_authority("snakeoil", &names);
    let text = certificate_refused(&cert, &lab);
    assert!(text.contains("issued by itself"), "{text}");
    assert!(
        text.contains("and 76 more"),
        "the names are shortened: {text}"
    );
    for debug in ["CaUsedAsEndEntity", "Other(", "OtherError"] {
        assert!(!text.contains(debug), "library text shown: {text}");
    }
}

#[test]
fn tls_older_than_1_2_is_refused() {
    let lab = lab();
    let smtpd = Smtpd::start_with("tls", Some(&lab.cert), &["--tls-max", "1.1"]);
    let op = Outpost::new(&lab.dns, &lab.ca);
    add(&op, smtpd.port, "tls");
    let v = account_test(&op);
    assert_eq!(v["failed_step"], "tls", "{v}");
    let text = error_text(&v);
    assert!(text.contains("older than 1.2"), "{text}");
    assert!(smtpd.received().is_empty());
}

fn timed_test(op: &Outpost, limit: Duration) -> Value {
    let started = Instant::now();
    let (code, v) = op.json(&["account", "check", support::USER, "--timeout", "2"], "");
    assert_ne!(code, 0, "{v}");
    assert!(
        started.elapsed() < limit,
        "took {:?}, more than {limit:?}",
        started.elapsed()
    );
    v
}

/// The account test against a misbehaving server: it must end within 8 s.
fn against(how: Misbehaviour) -> Value {
    let lab = lab();
    let server = HostileSmtp::start(how);
    let op = Outpost::new(&lab.dns, &lab.ca);
    op.add_without_login(support::USER, "mail.example.test", server.port);
    timed_test(&op, Duration::from_secs(8))
}

#[test]
fn a_server_that_sends_one_byte_a_second_is_given_up_on_time() {
    let v = against(Misbehaviour::Trickle);
    assert_eq!(v["failed_step"], "greeting", "{v}");
    assert!(error_text(&v).contains("2 s"), "{v}");
}

#[test]
fn an_endless_reply_line_is_cut_off() {
    let v = against(Misbehaviour::EndlessLine);
    assert_eq!(v["failed_step"], "ehlo", "{v}");
    assert!(error_text(&v).contains("overlong"), "{v}");
}

#[test]
fn a_dns_answer_with_a_thousand_addresses_stays_bounded() {
    let ca = TestCa::new();
    let dns = DnsServer::start("hostile.test");
    let op = Outpost::new(&dns, &ca);
    let closed = support::free_port();
    op.add_without_login(support::USER, "many.hostile.test", closed);
    let v = timed_test(&op, Duration::from_secs(15));
    assert_eq!(v["failed_step"], "connect", "{v}");
    let resolved = v["steps"][0]["detail"].as_str().unwrap_or_default();
    assert!(resolved.ends_with("and 996 more"), "{resolved}");
}

fn lab_outbox() -> (Lab, Outpost) {
    let lab = lab();
    let op = Outpost::new(&lab.dns, &lab.ca);
    op.add_without_login(support::USER, "mail.example.test", 9);
    (lab, op)
}

fn queue_ids(op: &Outpost) -> Vec<i64> {
    let (code, v) = op.json(&["queue", "list"], "");
    assert_eq!(code, 0, "{v}");
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_2_gb_attachment_is_refused_at_once_and_nothing_is_queued() {
    let (_lab, op) = lab_outbox();
    let big = op.home.path().join("film.mkv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let started = Instant::now();
    let (code, v) = op.json(
        &[
            "send",
            "--from",
            support::USER,
            "--to",
            "bob@example.net",
            "--subject",
            "Film",
            "--body",
            "here",
            "--attach",
            big.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 2, "{v}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(error_text(&v).contains("share large files by link"), "{v}");
    assert!(queue_ids(&op).is_empty());
}

#[test]
fn a_full_disk_while_queueing_is_reported_and_the_queue_stays_intact() {
    let (_lab, op) = lab_outbox();
    let first = op.send_to_bob(&["--subject", "Before the disk filled up"]);
    let attachment = op.home.path().join("scan.pdf");
    std::fs::write(&attachment, vec![0x25u8; 8 << 20]).unwrap();
    // No file may grow past 4 MiB (ulimit -f counts 1 KiB blocks): writes fail as on a full
    // disk. SIGXFSZ is ignored so that the write fails instead of killing the process.
    let exe = env!("CARGO_BIN_EXE_outpost");
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4096; exec \"$0\" \"$@\"")
        .arg(exe)
        .args([
            "--json",
            "send",
            "--from",
            support::USER,
            "--to",
            "bob@example.net",
            "--subject",
            "Scan",
            "--body",
            "attached",
            "--attach",
        ])
        .arg(&attachment);
    for (k, v) in &op.env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("free disk space"), "{text}");
    assert_eq!(queue_ids(&op), vec![first], "the queue holds what it held");
}

#[test]
fn a_damaged_queue_is_reported_and_left_as_it_is() {
    let (_lab, op) = lab_outbox();
    op.send_to_bob(&["--subject", "Kept"]);
    let db = op.home.path().join("data/outbox.sqlite");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..100].copy_from_slice(&[0x5a; 100]);
    std::fs::write(&db, &bytes).unwrap();
    for args in [
        &["queue", "list"][..],
        &[
            "send",
            "--from",
            support::USER,
            "--to",
            "bob@example.net",
            "--subject",
            "x",
            "--body",
            "y",
        ][..],
    ] {
        let (code, v) = op.json(args, "");
        assert_eq!(code, 1, "{v}");
        let text = error_text(&v);
        assert!(text.contains("outbox.sqlite"), "names the file: {text}");
        assert_eq!(v["error"]["kind"], "outbox_damaged", "{v}");
        assert!(text.contains("move the file aside"), "a way out: {text}");
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "nothing was reset or overwritten"
    );
}

#[test]
fn line_breaks_cannot_make_headers_or_recipients() {
    let lab = lab();
    let smtpd = Smtpd::start("starttls", Some(&lab.cert));
    let op = Outpost::new(&lab.dns, &lab.ca);
    let (code, v) = op.add(
        "mail.example.test",
        Some(smtpd.port),
        "starttls",
        &[
            "--session-keyring",
            "--name",
            "Ann\r\nBcc: evil@example.net",
        ],
        PASSWORD,
    );
    assert_eq!(code, 2, "a name with a line break is refused: {v}");
    op.add_starttls(smtpd.port, PASSWORD, &[]);
    // A file whose name carries a header.
    let evil = op
        .home
        .path()
        .join("report\r\nBcc: evil@example.net\r\nX-Evil: 1.txt");
    std::fs::write(&evil, "numbers").unwrap();
    op.send_to_bob(&["--subject", "Report", "--attach", evil.to_str().unwrap()]);
    // sendmail -t: recipients come from the headers only; a bare CR does not end a header,
    // and a Bcc line in the body is text.
    let raw = "From: ann@example.test\nTo: carol@example.net\nSubject: hi\rBcc: evil@example.net\n\nBcc: evil@example.net\nhello\n";
    let out = op.run(&["sendmail", "-t", "-i"], raw);
    assert!(out.status.success(), "{out:?}");
    let (code, v) = op.json(&["run", "--until-empty"], "");
    assert_eq!(code, 0, "{v}");
    let received = smtpd.received_text();
    assert_eq!(received.len(), 2, "{received:?}");
    for text in &received {
        let (envelope, message): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|l| l.starts_with("X-Envelope-"));
        assert!(
            !envelope.iter().any(|l| l.contains("evil@")),
            "an injected recipient: {text}"
        );
        let headers: Vec<&&str> = message.iter().take_while(|l| !l.is_empty()).collect();
        assert!(
            !headers
                .iter()
                .any(|l| l.starts_with("Bcc:") || l.starts_with("X-Evil:")),
            "an injected header: {text}"
        );
    }
}

#[test]
fn no_password_or_token_anywhere_after_the_whole_flow() {
    const TOKEN: &str = "ya29.secret-oauth-token-for-the-test";
    let lab = lab();
    let smtpd = Smtpd::start_with(
        "starttls",
        Some(&lab.cert),
        &["--refuse-rcpt", "nobody@example.net"],
    );
    let op = Outpost::new(&lab.dns, &lab.ca);
    let mut outputs = Vec::new();
    let mut run = |args: &[&str], stdin: &str| {
        let out = op.run(args, stdin);
        outputs.push(out.stdout);
        outputs.push(out.stderr);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let mut argv = Vec::new();
    argv.extend(run(&["detect", support::USER, "--no-online"], ""));
    let port = smtpd.port.to_string();
    // One account logs in with the password, one with an OAuth token; both on standard input.
    for (email, auth, secret) in [
        (support::USER, "password", PASSWORD),
        ("token@example.test", "oauth2", TOKEN),
    ] {
        argv.extend(run(
            &[
                "account",
                "add",
                "--email",
                email,
                "--host",
                "mail.example.test",
                "--port",
                &port,
                "--security",
                "starttls",
                "--auth",
                auth,
                "--password-stdin",
                "--session-keyring",
            ],
            &format!("{secret}\n"),
        ));
    }
    argv.extend(run(&["account", "check", support::USER], ""));
    argv.extend(run(&["account", "check", "token@example.test"], ""));
    for (from, to) in [
        (support::USER, "bob@example.net"),
        (support::USER, "nobody@example.net"),
        ("token@example.test", "bob@example.net"),
    ] {
        argv.extend(run(
            &["send", "--from", from, "--to", to, "--body", "hi"],
            "",
        ));
    }
    // A worker that runs a while: its command line and environment are visible to others.
    let mut worker = op
        .command(&["run"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Running: it says so once it holds the outbox.
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(worker.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    let proc = format!("/proc/{}", worker.id());
    let read = |what: &str| {
        std::fs::read(format!("{proc}/{what}"))
            .unwrap_or_else(|e| panic!("the worker's {what} cannot be read ({e}): nothing checked"))
    };
    let visible = [read("cmdline"), read("environ")];
    worker.kill().unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut rest).unwrap();
    let out = worker.wait_with_output().unwrap();
    let worker_output = [first.into_bytes(), rest, out.stderr];
    argv.extend(run(&["queue", "retry", "2"], ""));
    argv.extend(run(&["run", "--until-empty"], ""));
    argv.extend(run(&["--json", "queue", "list"], ""));
    assert!(!smtpd.received().is_empty(), "the flow really sent");

    let mut places: Vec<(String, Vec<u8>)> = support::all_files(op.home.path())
        .into_iter()
        .map(|(p, b)| (p.display().to_string(), b))
        .collect();
    places.extend(
        outputs
            .into_iter()
            .chain(worker_output)
            .map(|b| ("a command's output".to_string(), b)),
    );
    places.extend(
        visible
            .into_iter()
            .map(|b| ("the worker's /proc entry".to_string(), b)),
    );
    places.push(("the arguments".into(), argv.join(" ").into_bytes()));
    for (place, bytes) in places {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PASSWORD), "the password in {place}");
        assert!(!text.contains(TOKEN), "the token in {place}");
    }
}

#[test]
fn the_account_file_and_the_queue_are_for_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (_lab, op) = lab_outbox();
    op.send_to_bob(&["--subject", "Private"]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let home = op.home.path();
    for file in [
        "config/accounts.json",
        "data/outbox.sqlite",
        "data/outbox.sqlite-wal",
    ] {
        let path = home.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    for dir in ["config", "data"] {
        assert_eq!(mode(&home.join(dir)), 0o700, "{dir}");
    }
}
