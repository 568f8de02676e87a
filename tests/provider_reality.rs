//! The providers people have: detection says what each needs before a password works (an app
//! password for Gmail, access switched on for GMX…), with its help pages; the app password
//! is the way in when no sign-in client id is set.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{DnsServer, Outpost, TestCa};

fn outpost() -> (DnsServer, TestCa, Outpost) {
    let dns = DnsServer::start("example.test");
    let ca = TestCa::new();
    let op = Outpost::new(&dns, &ca);
    (dns, ca, op)
}

#[test]
fn gmail_without_a_client_id_leads_to_an_app_password() {
    let (_dns, _ca, op) = outpost();
    let (code, v) = op.json(
        &["detect", "ann@gmail.com", "--no-probe", "--no-online"],
        "",
    );
    support::found(code, &v, "builtin", "smtp.gmail.com");
    assert_eq!(v["smtp"]["auth"], "password", "no client id: {v}");
    let help = &v["provider_help"];
    assert_eq!(help["name"], "Gmail", "{v}");
    assert_eq!(help["login"], "app-password", "{v}");
    let g = &help["guidance"];
    assert!(
        g["headline"]
            .as_str()
            .unwrap()
            .starts_with("Gmail needs an app password"),
        "{g}"
    );
    assert_eq!(g["page"], "https://myaccount.google.com/apppasswords");
    assert_eq!(g["field"], "App password");
    assert!(
        g["before"][0]
            .as_str()
            .unwrap()
            .contains("2-Step Verification")
    );

    // The command line prints the same steps, and takes the app password.
    let out = op.run(
        &[
            "account",
            "add",
            "--email",
            "ann@gmail.com",
            "--detect",
            "--password-stdin",
            "--session-keyring",
        ],
        "abcdefghijklmnop\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Gmail needs an app password"), "{stderr}");
    assert!(
        stderr.contains("  1. Turn on 2-Step Verification"),
        "{stderr}"
    );
    assert!(stderr.contains("Open: https://myaccount.google.com/apppasswords"));
    // The sign-in comes second, with what it needs.
    assert!(
        stderr.contains("Or sign in with Google through the browser instead"),
        "{stderr}"
    );
    assert!(
        stderr.contains("outpost oauth2 set google --client-id"),
        "{stderr}"
    );
    let (_, list) = op.json(&["account", "list"], "");
    assert_eq!(list["accounts"][0]["smtp"]["auth"], "password", "{list}");
}

#[test]
fn access_to_switch_on_first_and_the_providers_help_are_said() {
    let (_dns, _ca, op) = outpost();
    let out = op.run(&["detect", "ann@gmx.de", "--no-probe", "--no-online"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("GMX needs access for mail apps switched on first"),
        "{text}"
    );
    assert!(
        text.contains("https://hilfe.gmx.net/pop-imap/einschalten.html"),
        "{text}"
    );
    assert!(
        text.contains("GMX's help: https://hilfe.gmx.net/"),
        "{text}"
    );
}

#[test]
fn outlook_com_says_that_only_its_sign_in_works() {
    let (_dns, _ca, op) = outpost();
    let (code, v) = op.json(
        &["detect", "ann@outlook.com", "--no-probe", "--no-online"],
        "",
    );
    assert_eq!(code, 0, "{v}");
    let g = &v["provider_help"]["guidance"];
    assert!(
        g["headline"]
            .as_str()
            .unwrap()
            .contains("accepts only its own sign-in"),
        "{v}"
    );
    assert_eq!(v["provider_help"]["limits"]["recipients_per_message"], 100);
}
