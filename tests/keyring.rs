//! Passwords in a real Secret Service (GNOME Keyring on a private D-Bus session bus started
//! by the test), never in a file; and a clear error when no keyring service runs.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{DnsServer, Outpost, PASSWORD, SecretService, Smtpd, TestCa, USER};

const APP_ID: &str = "io.github.outpostmail.Outpost";

fn outpost_on(ss: &SecretService, dns: &DnsServer, ca: &TestCa) -> Outpost {
    let mut op = Outpost::new(dns, ca);
    op.env.extend(ss.env());
    op
}

#[test]
fn password_round_trips_through_the_secret_service_and_no_file() {
    let ss = SecretService::start();
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let op = outpost_on(&ss, &dns, &ca);

    let (code, v) = op.add(
        "mail.example.test",
        Some(smtpd.port),
        "starttls",
        &[],
        PASSWORD,
    );
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["secret_backend"], "system");
    let id = v["account"]["id"].as_str().unwrap().to_string();
    assert_eq!(ss.count_items(APP_ID, &id), 1, "one item in the keyring");

    // The login succeeds with the password read back from the keyring.
    let (code, v) = op.json(&["account", "check", USER], "");
    assert_eq!(code, 0, "{v}");

    for (path, bytes) in support::all_files(op.home.path()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "password found in {}",
            path.display()
        );
    }

    let (code, v) = op.json(&["account", "remove", USER], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["warning"], serde_json::Value::Null);
    assert_eq!(
        ss.count_items(APP_ID, &id),
        0,
        "the secret left with the account"
    );
}

fn add_fails(op: &Outpost, kind: &str) -> String {
    let (code, v) = op.add("mail.example.test", None, "tls", &[], "pw");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], kind, "{v}");
    let (_, list) = op.json(&["account", "list"], "");
    assert_eq!(
        list["accounts"],
        serde_json::Value::Array(vec![]),
        "nothing saved"
    );
    v["error"]["advice"].as_str().unwrap().to_string()
}

#[test]
fn no_keyring_service_is_explained_and_nothing_is_saved() {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let dir = tempfile::tempdir().unwrap();
    let mut op = Outpost::new(&dns, &ca);
    let no_bus = format!("unix:path={}/no-bus-here", dir.path().display());
    op.env.push(("DBUS_SESSION_BUS_ADDRESS".into(), no_bus));
    let advice = add_fails(&op, "keyring_unavailable");
    assert!(advice.contains("--session-keyring"), "{advice}");
    assert!(
        advice.contains("never writes passwords to a file"),
        "{advice}"
    );
}

#[test]
fn a_locked_keyring_is_explained_and_nothing_is_saved() {
    let ss = SecretService::locked();
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let op = outpost_on(&ss, &dns, &ca);
    let advice = add_fails(&op, "keyring_locked");
    assert!(advice.contains("Unlock"), "{advice}");
}
