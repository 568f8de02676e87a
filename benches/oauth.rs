//! What OAuth2 sign-in costs, measured side by side in one run against the test authorization
//! server (Python, HTTPS on loopback) and an aiosmtpd that checks each XOAUTH2 token with it:
//! a connection check (TLS, EHLO, AUTH XOAUTH2) with a stored, still valid access token;
//! the same check when the token must be refreshed first (as the outbox does before sending);
//! and the whole browser sign-in (authorization request, redirect to the loopback port, code
//! exchange). Run with `cargo bench --bench oauth`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use outpost::account::check::Timeouts;
use outpost::account::{SecretBackend, secrets};
use outpost::net::{Net, NetConfig};
use outpost::oauth::{Grant, OauthConfig, SignIn, Stored};
use outpost::usecases::check;
use support::oauth::{OauthServer, browser_env};
use support::{DnsServer, TestCa, USER};

const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let server = OauthServer::start(&ca, &[]);
    let smtpd = server.smtpd(&ca);
    let net = Net::new(&NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: Some(ca.ca_pem.clone()),
        ..NetConfig::default()
    })
    .unwrap();
    let mut issuers = outpost::oauth::Issuers::builtin();
    let config: OauthConfig = serde_json::from_value(server.settings_json()).unwrap();
    issuers
        .apply(std::path::Path::new("bench"), &config)
        .unwrap();
    let issuer = issuers.for_host("mail.example.test").unwrap().clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let log = ca.dir.path().join("browser.log");
    let browser = support::oauth::script("browser.py");

    // The whole sign-in, as the wizard's "Sign in with …" button starts it.
    let mut signin_times = Vec::new();
    let mut grant: Option<Grant> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let signin = rt.block_on(SignIn::start(&issuer, USER)).unwrap();
        let url = signin.url().to_string();
        let http = net.http.clone();
        let waiting = rt.spawn(async move { signin.finish(&http, Duration::from_secs(30)).await });
        let status = std::process::Command::new(&browser)
            .arg(&url)
            .envs(browser_env(&ca, &log, true))
            .status()
            .unwrap();
        assert!(status.success());
        grant = Some(rt.block_on(waiting).unwrap().unwrap());
        signin_times.push(start.elapsed());
    }

    let account = support::oauth::lab_account(smtpd.port);
    let grant = grant.unwrap();
    let t = Timeouts::uniform(Duration::from_secs(10));
    let check = |secret: &outpost::secret::Secret| {
        let start = Instant::now();
        let report = rt.block_on(check::connection(&net, &account, Some(secret), t, |_| {}));
        assert!(report.is_ok(), "{report:?}");
        start.elapsed()
    };

    let mut fresh_times = Vec::new();
    let mut refresh_times = Vec::new();
    let mut stale = grant.clone();
    for _ in 0..RUNS {
        fresh_times.push(check(&grant.to_secret()));
        // Expired: the check refreshes first and writes the new sign-in to the keyring
        // (the server rotates refresh tokens, so the next round starts from that one).
        stale.expires_at = 1;
        secrets::store(SecretBackend::Session, &account.id, &stale.to_secret()).unwrap();
        refresh_times.push(check(&stale.to_secret()));
        let stored = secrets::load(SecretBackend::Session, &account.id).unwrap();
        let Stored::Grant(g) = Stored::parse(&stored) else {
            panic!("a grant is stored")
        };
        stale = *g;
    }
    let _ = secrets::delete(SecretBackend::Session, &account.id);
    assert_eq!(
        server.stats()["refresh_token"].as_u64(),
        Some(RUNS as u64),
        "one refresh per expired check, none for a fresh one"
    );

    let (fresh, refreshed, signin) = (
        median(fresh_times),
        median(refresh_times),
        median(signin_times),
    );
    println!("OAuth2 sign-in and XOAUTH2 login, {RUNS} runs each (medians)");
    println!(
        "  connection check, stored token still valid  {:>7.1} ms  1.00",
        ms(fresh)
    );
    println!(
        "  connection check, token refreshed first     {:>7.1} ms  {:.2}",
        ms(refreshed),
        refreshed.as_secs_f64() / fresh.as_secs_f64()
    );
    println!(
        "  browser sign-in (authorize, redirect, code) {:>7.1} ms  {:.2}",
        ms(signin),
        signin.as_secs_f64() / fresh.as_secs_f64()
    );
}
