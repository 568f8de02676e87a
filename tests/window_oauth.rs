//! Signing in with the provider (OAuth2) in the window: the wizard shows "Sign in with
//! <provider>" instead of asking a password, waits for the browser with the address to open
//! by hand, can be cancelled (the redirect port closes), falls back to a password, and says
//! how to get a client id when none is set, with the Settings page to enter one. The test
//! plays the browser: it opens the address the window shows with `tests/support/browser.py`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::ui::OutpostApp;
use support::oauth::{CLIENT_ID, browser_env};
use support::ui::{
    Lab, Oauth, Port, WindowSetup, open_outbox, past_the_blocked_port,
    save_and_send_a_test_message, type_into, wait_for, wait_received,
};
use support::{PASSWORD, USER};

/// The window's own attempt to open a browser does nothing (a person who has not switched
/// to it yet); the test opens the address itself.
fn no_browser() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any window of this test binary starts a thread reading it;
    // every test here wants the same value.
    ONCE.call_once(|| unsafe { std::env::set_var("BROWSER", "true") });
}

fn open(oauth: Oauth) -> (Harness<'static, OutpostApp>, Lab) {
    // 465 is blocked on this "network"; 587 reaches the lab server.
    open_on(oauth, vec![(465, Port::Closed), (587, Port::Smtpd)])
}

/// The wizard with `oauth`, past its first page, well-known ports reaching `port_map`.
fn open_on(oauth: Oauth, port_map: Vec<(u16, Port)>) -> (Harness<'static, OutpostApp>, Lab) {
    no_browser();
    let mut setup = WindowSetup::new("example.test");
    setup.port_map = port_map;
    setup.oauth = oauth;
    let (mut harness, lab) = setup.open();
    wait_for(&mut harness, "the first-run wizard", |h| {
        h.query_by_label("Continue").is_some()
    });
    type_into(&mut harness, "Your name", "Ann Example");
    type_into(&mut harness, "E-mail address", USER);
    harness.get_by_label("Continue").click();
    harness.step();
    (harness, lab)
}

const SIGN_IN: &str = "Sign in with Example Lab";

fn signing_in(harness: &mut Harness<'_, OutpostApp>) -> String {
    wait_for(harness, "the sign-in button", |h| {
        h.query_by_label(SIGN_IN).is_some()
    });
    harness.get_by_label(SIGN_IN).click();
    harness.step();
    let url = shown_url(harness);
    assert!(
        harness
            .query_by_label_contains("Waiting for Example Lab in your browser")
            .is_some()
    );
    url
}

/// The sign-in address the window shows to open by hand.
fn shown_url(harness: &mut Harness<'_, OutpostApp>) -> String {
    wait_for(harness, "the address to open", |h| {
        h.query_by_label_contains("https://auth.example.test")
            .is_some()
    });
    let node = harness.get_by_label_contains("https://auth.example.test");
    let node = node.accesskit_node();
    node.label()
        .map(|l| l.to_string())
        .or_else(|| node.value().map(|v| v.to_string()))
        .unwrap_or_else(|| panic!("{node:?}"))
}

fn browse(lab: &Lab, url: &str) -> String {
    let log = lab.ca.dir.path().join("browser.log");
    let status = std::process::Command::new(support::oauth::script("browser.py"))
        .arg(url)
        .envs(browser_env(&lab.ca, &log, true))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(log).unwrap()
}

#[test]
fn the_wizard_signs_in_through_the_browser_instead_of_asking_a_password() {
    let (mut harness, lab) = open(Oauth::Registered);
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by:").is_some()
    });
    assert!(
        harness
            .query_by_label("Sign in with the provider (OAuth2)")
            .is_some()
    );
    assert!(
        harness.query_by_label("Password").is_none(),
        "no password field when the provider signs in"
    );
    assert!(
        harness
            .get_by_label("Continue")
            .accesskit_node()
            .is_disabled(),
        "not before signing in"
    );
    let url = signing_in(&mut harness);
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let page = browse(&lab, &url);
    assert!(page.contains("signed you in"), "{page}");

    // Back from the browser, the check runs at once with the sign-in.
    past_the_blocked_port(&mut harness);
    harness.get_by_label("Details").click_accesskit();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("token is still valid")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("with OAUTHBEARER")
            .is_some()
    );
    // Closed again, the details leave Save where it was (the harness does not scroll).
    harness.get_by_label("Details").click_accesskit();
    harness.run();
    assert!(harness.query_by_label("Keep the sign-in").is_some());
    // The outbox sends with the stored sign-in, checked by the SMTP server.
    save_and_send_a_test_message(&mut harness);
    wait_received(&mut harness, &lab, 1);
    let stats = lab.oauth.as_ref().unwrap().stats();
    assert_eq!(stats["authorization_code"], 1, "{stats}");
}

#[test]
fn a_sign_in_can_be_cancelled_and_a_password_used_instead() {
    let (mut harness, lab) = open(Oauth::Registered);
    let url = signing_in(&mut harness);
    let redirect = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let port: u16 = url::Url::parse(&redirect).unwrap().port().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    harness.get_by_label("Cancel sign-in").click();
    harness.step();
    wait_for(&mut harness, "the cancelled sign-in", |h| {
        h.query_by_label_contains("The sign-in was cancelled")
            .is_some()
    });
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "the redirect port stays open after cancelling"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        harness.query_by_label(SIGN_IN).is_some(),
        "one can try again"
    );

    // The app-password route.
    harness.get_by_label("Use a password instead").click();
    harness.run();
    type_into(&mut harness, "Password or app password", PASSWORD);
    harness.get_by_label("Continue").click();
    harness.step();
    past_the_blocked_port(&mut harness);
    harness.get_by_label("Details").click_accesskit();
    harness.run();
    assert!(harness.query_by_label_contains("with PLAIN").is_some());
    assert_eq!(lab.oauth.as_ref().unwrap().stats()["authorization_code"], 0);
}

#[test]
fn without_a_client_id_the_wizard_says_how_to_get_one_and_settings_take_it() {
    let (mut harness, lab) = open(Oauth::Unregistered);
    wait_for(&mut harness, "the missing client id", |h| {
        h.query_by_label_contains("needs an OAuth2 client id")
            .is_some()
    });
    assert!(harness.query_by_label_contains("app password").is_some());
    assert!(harness.query_by_label(SIGN_IN).is_none());
    harness.get_by_label("Open Settings").click();
    harness.run();
    // The page is whole once the outbox's size is read too (it adds lines above).
    wait_for(&mut harness, "the providers", |h| {
        h.query_by_label("Example Lab client id").is_some()
            && h.query_by_label_contains("The outbox holds").is_some()
    });
    assert!(harness.query_by_label("Google client id").is_some());
    // Wide enough to read what was typed, at every window size.
    let width = |h: &Harness<'_, OutpostApp>, label: &str| {
        h.get_by_label(label)
            .accesskit_node()
            .raw_bounds()
            .unwrap()
            .width()
    };
    assert!(width(&harness, "Google client id") >= 200.0);
    assert!(width(&harness, "Google client secret") >= 120.0);
    type_into(&mut harness, "Example Lab client id", CLIENT_ID);
    type_into(
        &mut harness,
        "Example Lab client secret",
        support::oauth::CLIENT_SECRET,
    );
    // Below the fold of a long page: brought into view as a screen reader does.
    harness.get_by_label("Save Example Lab").scroll_to_me();
    harness.run();
    harness.get_by_label("Save Example Lab").click();
    harness.step();
    wait_for(&mut harness, "the saved client id", |h| {
        h.query_by_label_contains("Saved the client id for lab")
            .is_some()
    });
    let file = lab.home.path().join("config/oauth2.json");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(saved["providers"]["lab"]["client_id"], CLIENT_ID);
    assert_eq!(saved["providers"]["lab"]["hosts"][0], "mail.example.test");

    harness.get_by_label("Accounts").click();
    harness.run();
    wait_for(&mut harness, "the sign-in button", |h| {
        h.query_by_label(SIGN_IN).is_some()
    });
}

#[test]
fn a_revoked_sign_in_pauses_sending_until_the_account_signs_in_again() {
    no_browser();
    let mut setup = WindowSetup::new("example.test");
    setup.oauth = Oauth::Registered;
    let (mut harness, lab) = setup.open();
    let mut op = lab.outpost();
    let log = lab.ca.dir.path().join("cli-browser.log");
    op.env.extend(browser_env(&lab.ca, &log, true));
    let port = lab.smtpd.port.to_string();
    let mut args = support::oauth::add_args(&port, "starttls");
    args.push("--session-keyring");
    let (code, v) = op.json(&args, "");
    assert_eq!(code, 0, "{v}");
    let server = lab.oauth.as_ref().unwrap();
    server.revoke_all();
    op.send_to_bob(&[]);
    open_outbox(&mut harness);
    let paused = format!("Sending from {USER} is paused");
    wait_for(&mut harness, "the paused account", |h| {
        h.query_by_label_contains(&paused).is_some()
    });
    assert!(harness.query_all_by_label_contains("sign in again").count() > 0);
    harness.get_by_label(&format!("Open {USER}")).click();
    harness.run();
    wait_for(&mut harness, "the account's sign-in", |h| {
        h.query_by_label("Sign in again").is_some()
    });
    assert!(
        harness
            .query_by_label("✔ Signed in with Example Lab")
            .is_some()
    );
    harness.get_by_label("Sign in again").click();
    harness.step();
    let url = shown_url(&mut harness);
    browse(&lab, &url);
    // Back from the browser, the form tests the new sign-in by itself.
    wait_for(&mut harness, "the check to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
    harness.get_by_label("Save changes").click();
    harness.step();
    wait_received(&mut harness, &lab, 1);
}

#[test]
fn a_provider_publishing_an_open_issuer_signs_in_with_no_client_id_anywhere() {
    // PACC names implicit TLS on 465.
    let (mut harness, lab) = open_on(Oauth::Open, vec![(465, Port::Smtpd)]);
    wait_for(&mut harness, "the review", |h| {
        h.query_by_label_contains("Found by:").is_some()
    });
    assert!(
        harness
            .query_by_label_contains("Found by: Provider's PACC configuration")
            .is_some(),
        "the source is named"
    );
    // No provider is configured: the one the domain published signs in, registering Outpost.
    let button = "Sign in with Example Open Mail";
    wait_for(&mut harness, "the sign-in button", |h| {
        h.query_by_label(button).is_some()
    });
    assert!(harness.query_by_label_contains("client id").is_none());
    harness.get_by_label(button).click();
    harness.step();
    let url = shown_url(&mut harness);
    assert!(url.contains("client_id=dyn-"), "{url}");
    let page = browse(&lab, &url);
    assert!(page.contains("signed you in"), "{page}");
    wait_for(&mut harness, "the check to pass", |h| {
        h.query_by_label("Keep the sign-in").is_some()
    });
    save_and_send_a_test_message(&mut harness);
    wait_received(&mut harness, &lab, 1);
    let stats = lab.oauth.as_ref().unwrap().stats();
    assert_eq!(stats["register"], 1, "{stats}");
}
