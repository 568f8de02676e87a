//! GNOME Online Accounts against the real `goa-daemon` (Debian's gnome-online-accounts),
//! started by the test on a private D-Bus session with GNOME Keyring: an `imap_smtp` account
//! written into its accounts.conf, its password in the keyring as GOA keeps it; listed, added
//! without a password of Outpost's own, checked and sent with the password GOA hands out;
//! removed in GOA → Outpost says so.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, ImapUser};
use support::{DnsServer, Outpost, PASSWORD, SecretService, Smtpd, TestCa, USER};

const ID: &str = "account_1700000000_0";

/// `goa-daemon` on the test's bus; stopped when dropped.
struct Goa(Child);

impl Drop for Goa {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The IMAP password GOA keeps beside the SMTP one: another, so that using it is proven.
const IMAP_PASSWORD: &str = "imap horse battery staple";

fn start_goa(ss: &SecretService, smtp_port: u16, imap_port: u16) -> Goa {
    let home = ss.dir.path();
    let conf = home.join(".config/goa-1.0");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("accounts.conf"),
        format!(
            "[Account {ID}]\nProvider=imap_smtp\nIdentity={USER}\nPresentationIdentity={USER}\n\
             Enabled=true\nMailEnabled=true\nEmailAddress={USER}\nName=Ann GOA\n\
             ImapHost=mail.example.test:{imap_port}\nImapUserName={USER}\nImapUseSsl=true\n\
             ImapUseTls=false\n\
             ImapAcceptSslErrors=false\nSmtpHost=mail.example.test:{smtp_port}\nSmtpUseAuth=true\n\
             SmtpAuthLogin=false\nSmtpAuthPlain=true\nSmtpUserName={USER}\nSmtpUseSsl=false\n\
             SmtpUseTls=true\nSmtpAcceptSslErrors=false\n"
        ),
    )
    .unwrap();
    // As GOA keeps an imap_smtp account's credentials: a GVariant dictionary under its identity.
    let mut store = Command::new("secret-tool")
        .args([
            "store",
            "--label=GOA imap_smtp credentials",
            "xdg:schema",
            "org.gnome.OnlineAccounts",
            "goa-identity",
            &format!("imap_smtp:gen0:{ID}"),
        ])
        .envs(ss.env())
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool runs (./scripts/test installs libsecret-tools)");
    store
        .stdin
        .take()
        .unwrap()
        .write_all(
            format!("{{'imap-password': <'{IMAP_PASSWORD}'>, 'smtp-password': <'{PASSWORD}'>}}")
                .as_bytes(),
        )
        .unwrap();
    assert!(
        store.wait().unwrap().success(),
        "the credentials are stored"
    );
    let daemon = Command::new("/usr/libexec/goa-daemon")
        .arg("--replace")
        .envs(ss.env())
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("goa-daemon runs (./scripts/test installs gnome-online-accounts)");
    Goa(daemon)
}

fn outpost(ss: &SecretService, dns: &DnsServer, ca: &TestCa) -> Outpost {
    let mut op = Outpost::new(dns, ca);
    op.env.extend(ss.env());
    op.env.push((
        "XDG_CONFIG_HOME".into(),
        ss.dir.path().join(".config").display().to_string(),
    ));
    op
}

#[test]
fn a_goa_account_sends_with_the_password_goa_hands_out_and_its_removal_is_said() {
    let ss = SecretService::start();
    let ca = TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("starttls", Some(&cert));
    let dovecot = Dovecot::start(
        &cert,
        &[ImapUser {
            login: USER,
            password: IMAP_PASSWORD,
            quota_kb: None,
            sent_folder: true,
        }],
    );
    let _goa = start_goa(&ss, smtpd.port, dovecot.port);
    let op = outpost(&ss, &dns, &ca);

    // Listed once GOA has read its accounts.
    let id = format!("goa:{ID}");
    let start = Instant::now();
    let found = loop {
        let (code, v) = op.json(&["account", "import", "--list"], "");
        assert_eq!(code, 0, "{v}");
        if let Some(f) = v["found"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
        {
            break f.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "GOA lists it: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(found["smtp"]["host"], "mail.example.test", "{found}");
    assert_eq!(found["smtp"]["port"], smtpd.port, "{found}");
    assert_eq!(found["smtp"]["security"], "starttls", "{found}");
    assert_eq!(found["email"], USER, "{found}");
    assert_eq!(found["imap"]["host"], "mail.example.test", "{found}");
    assert_eq!(found["imap"]["port"], dovecot.port, "{found}");
    assert_eq!(found["imap"]["security"], "tls", "{found}");

    // Added with no password of Outpost's own.
    let (code, v) = op.json(&["account", "import", &id], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["secret_backend"], "goa", "{v}");
    let (code, v) = op.json(&["account", "check", USER], "");
    assert_eq!(code, 0, "the password GOA hands out logs in: {v}");
    op.send_to_bob(&[]);
    let (code, v) = op.json(&["run", "--until-empty", "--timeout", "10"], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(smtpd.received().len(), 1, "{v}");
    // The copy filed with the IMAP password GOA hands out.
    let sent = dovecot.fetch(&ca.ca_pem, USER, IMAP_PASSWORD, "Sent");
    assert_eq!(sent.len(), 1, "{}", dovecot.log());
    for (path, bytes) in support::all_files(op.home.path()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "Outpost keeps no copy of GOA's password: {path:?}"
        );
    }

    // Removed in GNOME Settings: said as such, with what to do.
    let removed = Command::new("busctl")
        .args([
            "--user",
            "call",
            "org.gnome.OnlineAccounts",
            &format!("/org/gnome/OnlineAccounts/Accounts/{ID}"),
            "org.gnome.OnlineAccounts.Account",
            "Remove",
        ])
        .envs(ss.env())
        .output()
        .unwrap();
    assert!(removed.status.success(), "{removed:?}");
    let (code, v) = op.json(&["account", "check", USER], "");
    assert_ne!(code, 0, "{v}");
    assert_eq!(v["error"]["kind"], "goa_account_removed", "{v}");
    assert!(
        v["error"]["advice"]
            .as_str()
            .unwrap()
            .contains("Online Accounts"),
        "{v}"
    );
}
