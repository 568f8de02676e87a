//! Accounts other mail programs on this computer send with, read from settings files written
//! in each program's documented format (tests/data/import/home): the exact settings found,
//! where, notes for what cannot be read, and one added as an Outpost account.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{DnsServer, Outpost, TestCa};

struct Lab {
    _dns: DnsServer,
    _ca: TestCa,
    op: Outpost,
    repo: tempfile::TempDir,
}

fn lab() -> Lab {
    let dns = DnsServer::start("example.test");
    let ca = TestCa::new();
    let mut op = Outpost::new(&dns, &ca);
    let home = support::data("import/home");
    op.env.push(("HOME".into(), home.display().to_string()));
    op.env.push((
        "XDG_CONFIG_HOME".into(),
        home.join(".config").display().to_string(),
    ));
    // A repository of one's own project, with its own sending settings (git cannot keep a
    // `.git` folder as test data: it is made here).
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    std::fs::write(
        repo.path().join(".git/config"),
        "[core]\n\trepositoryformatversion = 0\n[sendemail]\n\tsmtpServer = smtp.project.example\n\tsmtpEncryption = tls\n",
    )
    .unwrap();
    Lab {
        _dns: dns,
        _ca: ca,
        op,
        repo,
    }
}

fn list(lab: &Lab) -> Value {
    let mut cmd = lab.op.command(&["--json", "account", "import", "--list"]);
    cmd.current_dir(lab.repo.path());
    let out = support::run_with_stdin(cmd, "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The found account `id`: (host, port, security, username, auth, email).
fn settings(v: &Value, id: &str) -> (String, u64, String, String, String, String) {
    let f = v["found"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} not found: {v}"));
    let s = &f["smtp"];
    (
        s["host"].as_str().unwrap().into(),
        s["port"].as_u64().unwrap(),
        s["security"].as_str().unwrap().into(),
        s["username"].as_str().unwrap().into(),
        s["auth"].as_str().unwrap().into(),
        f["email"].as_str().unwrap_or_default().into(),
    )
}

fn t(
    host: &str,
    port: u64,
    sec: &str,
    user: &str,
    auth: &str,
    email: &str,
) -> (String, u64, String, String, String, String) {
    (
        host.into(),
        port,
        sec.into(),
        user.into(),
        auth.into(),
        email.into(),
    )
}

#[test]
fn every_programs_sending_settings_are_found_exactly() {
    let lab = lab();
    let v = list(&lab);
    let expected = [
        (
            "thunderbird:default/smtp1",
            t(
                "smtp.example.org",
                587,
                "starttls",
                "ann@example.org",
                "password",
                "ann@example.org",
            ),
        ),
        (
            "thunderbird:default/smtp2",
            t(
                "smtp.gmail.com",
                465,
                "tls",
                "ann@gmail.com",
                "oauth2",
                "ann@gmail.com",
            ),
        ),
        (
            "thunderbird:work/smtp1",
            t(
                "mail.work.example",
                465,
                "tls",
                "ann",
                "password",
                "ann@work.example",
            ),
        ),
        (
            "evolution:ann@example.net",
            t(
                "smtp.example.net",
                465,
                "tls",
                "ann@example.net",
                "password",
                "ann@example.net",
            ),
        ),
        (
            "kmail:KDE mail",
            t(
                "smtp.kde.example",
                587,
                "starttls",
                "ann@kde.example",
                "password",
                "ann@kde.example",
            ),
        ),
        (
            "msmtp:work",
            t(
                "smtp.msmtp.example",
                587,
                "starttls",
                "ann",
                "password",
                "ann@msmtp.example",
            ),
        ),
        (
            "msmtp:personal",
            t(
                "mail.personal.example",
                465,
                "tls",
                "ann",
                "password",
                "ann@personal.example",
            ),
        ),
        (
            "msmtp:plain",
            t(
                "relay.lan.example",
                25,
                "none",
                "",
                "none",
                "ann@lan.example",
            ),
        ),
        (
            "git:sendemail",
            t(
                "smtp.git.example",
                465,
                "tls",
                "ann@git.example",
                "password",
                "ann@git.example",
            ),
        ),
        (
            "git:sendemail.lkml",
            t("smtp.lkml.example", 587, "starttls", "ann", "password", ""),
        ),
        (
            "mutt:muttrc",
            t(
                "smtp.mutt.example",
                465,
                "tls",
                "ann@mutt.example",
                "password",
                "ann@mutt.example",
            ),
        ),
    ];
    for (id, want) in expected {
        assert_eq!(settings(&v, id), want, "{id}");
    }
    // The project's own settings count too, from the repository it is run in.
    let project = v["found"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["smtp"]["host"] == "smtp.project.example");
    assert!(project.is_some(), "{v}");
    // Names and where each was found.
    let kmail = v["found"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "kmail:KDE mail")
        .unwrap();
    assert_eq!(kmail["display_name"], "Ann KMail");
    assert!(
        kmail["place"]
            .as_str()
            .unwrap()
            .ends_with(".config/mailtransports")
    );
    // A port that is no port: a note, not a crash and not a silent skip.
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("account 'broken': 'abc' is not a port"),
        "{notes}"
    );
    // Passwords are never read: msmtp's passwordeval is not run, nothing carries one.
    assert!(!v.to_string().contains("gpg"), "{v}");
}

#[test]
fn a_found_account_is_added_with_the_password_typed_and_then_known() {
    let lab = lab();
    let mut cmd = lab.op.command(&[
        "--json",
        "account",
        "import",
        "msmtp:work",
        "--password-stdin",
        "--session-keyring",
    ]);
    cmd.current_dir(lab.repo.path());
    let out = support::run_with_stdin(cmd, "secret\n");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{v}");
    assert_eq!(v["account"]["email"], "ann@msmtp.example");
    assert_eq!(v["account"]["smtp"]["host"], "smtp.msmtp.example");
    assert_eq!(v["account"]["smtp"]["username"], "ann");
    let v = list(&lab);
    let work = v["found"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "msmtp:work")
        .unwrap();
    assert_eq!(work["in_outpost"], true, "{v}");

    // One without an address needs --email; an unknown name lists those there are.
    let (code, v) = lab.op.json(
        &[
            "account",
            "import",
            "git:sendemail.lkml",
            "--password-stdin",
        ],
        "x\n",
    );
    assert_eq!(code, 2, "{v}");
    assert!(
        v["error"]["advice"].as_str().unwrap().contains("--email"),
        "{v}"
    );
    let (code, v) = lab.op.json(&["account", "import", "msmtp:nope"], "");
    assert_eq!(code, 2, "{v}");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("msmtp:personal"),
        "{v}"
    );
}
