//! OAuth2 sign-in against a real authorization server started by the test
//! (`tests/support/oauth_server.py`, RFC 6749/7636/8252) and an SMTP server that checks the
//! XOAUTH2 string with it. The browser is `tests/support/browser.py`, which opens the
//! authorization page and follows the redirect back to Outpost, as a browser would.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use outpost::account::check::{CheckError, Step, Timeouts};
use outpost::net::{Net, NetConfig};
use outpost::oauth::pkce::Pkce;
use outpost::oauth::token::{self, Client};
use outpost::oauth::{Issuers, OauthConfig, OauthError, SignIn, Stored};
use outpost::secret::Secret;
use outpost::usecases::check;
use support::oauth::{CLIENT_ID, CLIENT_SECRET, OauthServer, PROVIDER, browser_env};
use support::{DnsServer, TestCa, USER};

struct Lab {
    ca: TestCa,
    _dns: DnsServer,
    server: OauthServer,
    net: Net,
}

fn lab(server_args: &[&str]) -> Lab {
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let server = OauthServer::start(&ca, server_args);
    let net = Net::new(&NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: Some(ca.ca_pem.clone()),
        ..NetConfig::default()
    })
    .unwrap();
    Lab {
        ca,
        _dns: dns,
        server,
        net,
    }
}

impl Lab {
    fn client(&self) -> Client {
        Client {
            issuer: PROVIDER.into(),
            token_url: self.server.url("/token"),
            client_id: CLIENT_ID.into(),
            client_secret: Some(CLIENT_SECRET.into()),
            resource: None,
        }
    }

    /// The code exchange with the right client.
    fn exchange(
        &self,
        rt: &tokio::runtime::Runtime,
        code: &str,
        redirect: &str,
        pkce: &Pkce,
    ) -> Result<outpost::oauth::Grant, OauthError> {
        rt.block_on(token::exchange(
            &self.net.http,
            &self.client(),
            code,
            redirect,
            &pkce.verifier,
        ))
    }

    fn issuers(&self) -> Issuers {
        let mut issuers = Issuers::builtin();
        let config: OauthConfig = serde_json::from_value(self.server.settings_json()).unwrap();
        issuers
            .apply(std::path::Path::new("test"), &config)
            .unwrap();
        issuers
    }

    /// Runs the test browser at `url` and waits for it to finish.
    fn browse(&self, url: &str, consent: bool) -> String {
        let log = self.ca.dir.path().join("browser.log");
        let _ = std::fs::remove_file(&log);
        let status = Command::new(support::oauth::script("browser.py"))
            .arg(url)
            .envs(browser_env(&self.ca, &log, consent))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&log).unwrap_or_default()
    }

    /// The authorization step by hand: the browser at the authorization endpoint with
    /// `params`, the redirect caught on a loopback port. Returns the redirect's query and
    /// the redirect_uri used.
    fn authorize(&self, params: &[(&str, &str)]) -> (HashMap<String, String>, String) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let redirect = format!(
            "http://127.0.0.1:{}/",
            listener.local_addr().unwrap().port()
        );
        let mut url = url::Url::parse(&self.server.url("/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("redirect_uri", &redirect)
            .append_pair("scope", "smtp")
            .append_pair("state", "st4te");
        for (k, v) in params {
            url.query_pairs_mut().append_pair(k, v);
        }
        let url = url.to_string();
        let ca_log = self.ca.dir.path().join("browser.log");
        let env = browser_env(&self.ca, &ca_log, true);
        let browser = std::thread::spawn(move || {
            Command::new(support::oauth::script("browser.py"))
                .arg(url)
                .envs(env)
                .status()
                .unwrap()
        });
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let n = stream.read(&mut head).unwrap();
        let line = String::from_utf8_lossy(&head[..n])
            .lines()
            .next()
            .unwrap()
            .to_string();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .unwrap();
        drop(stream);
        browser.join().unwrap();
        let target = line.split(' ').nth(1).unwrap();
        let query = url::Url::parse(&format!("http://x{target}"))
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        (query, redirect)
    }

    /// A code for `pkce`, and the redirect_uri it was issued for.
    fn code(&self, pkce: &Pkce) -> (String, String) {
        let (q, redirect) = self.authorize(&[
            ("response_type", "code"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]);
        assert_eq!(q.get("state").map(String::as_str), Some("st4te"), "{q:?}");
        (
            q.get("code").cloned().unwrap_or_else(|| panic!("{q:?}")),
            redirect,
        )
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn refused(r: Result<outpost::oauth::Grant, OauthError>, why: &str) {
    match r {
        Err(OauthError::Refused { error, description }) => {
            assert_eq!(error, "invalid_grant", "{description}");
            assert!(description.contains(why), "{description}");
        }
        other => panic!("expected invalid_grant ({why}), got {other:?}"),
    }
}

#[test]
fn the_server_refuses_a_wrong_verifier_a_wrong_redirect_and_a_reused_code() {
    let lab = lab(&[]);
    let rt = rt();
    let http = &lab.net.http;

    let pkce = Pkce::new();
    let (code, redirect) = lab.code(&pkce);
    let other = Pkce::new();
    refused(lab.exchange(&rt, &code, &redirect, &other), "code_verifier");

    let (code, redirect) = lab.code(&pkce);
    let elsewhere = redirect.replace("127.0.0.1:", "127.0.0.1:1");
    refused(lab.exchange(&rt, &code, &elsewhere, &pkce), "redirect_uri");

    let (code, redirect) = lab.code(&pkce);
    let grant = lab.exchange(&rt, &code, &redirect, &pkce).unwrap();
    assert!(grant.refresh_token.is_some() && grant.expires_at > 0);
    refused(lab.exchange(&rt, &code, &redirect, &pkce), "used already");
    // RFC 6749 §4.1.2: the reuse revoked what the code gave.
    let e = rt.block_on(token::refresh(http, &grant)).unwrap_err();
    assert!(e.needs_sign_in(), "{e:?}");

    let mut wrong = lab.client();
    wrong.client_secret = Some("guess".into());
    let (code, redirect) = lab.code(&pkce);
    let e = rt
        .block_on(token::exchange(
            http,
            &wrong,
            &code,
            &redirect,
            &pkce.verifier,
        ))
        .unwrap_err();
    assert_eq!(e.kind(), "oauth2_refused", "{e:?}");
    assert!(e.to_string().contains("invalid_client"), "{e}");

    // Without PKCE the server answers with an error on the redirect, not with a code.
    let (q, _) = lab.authorize(&[("response_type", "code")]);
    assert_eq!(
        q.get("error").map(String::as_str),
        Some("invalid_request"),
        "{q:?}"
    );
    assert!(!q.contains_key("code"));
}

#[test]
fn an_expired_code_and_an_expired_token_are_refused_and_a_refresh_cures_the_token() {
    let lab = lab(&[]);
    let rt = rt();
    let pkce = Pkce::new();
    let (code, redirect) = lab.code(&pkce);
    // Time passes for the server, as it would.
    lab.server.expire_now();
    refused(lab.exchange(&rt, &code, &redirect, &pkce), "expired");

    let (code, redirect) = lab.code(&pkce);
    let grant = lab.exchange(&rt, &code, &redirect, &pkce).unwrap();
    let smtpd = lab.server.smtpd(&lab.ca);
    let account = support::oauth::lab_account(smtpd.port);
    let t = Timeouts::uniform(Duration::from_secs(10));
    let check = |secret: &Secret| {
        rt.block_on(check::connection(
            &lab.net,
            &account,
            Some(secret),
            t,
            |_| {},
        ))
    };

    let fresh = check(&Secret::new(grant.access_token.clone()));
    assert!(fresh.is_ok(), "{fresh:?}");
    // Time passes for the server (no race with how long the check above took).
    lab.server.expire_now();
    // The same access token, expired: the server refuses it after its 334 error detail.
    let expired = check(&Secret::new(grant.access_token.clone()));
    match expired.failure() {
        Some((Step::Auth, CheckError::AuthFailed(reply))) => {
            assert_eq!(reply.code, 535, "{reply}")
        }
        other => panic!("expected a refused login, got {other:?}"),
    }
    // The stored sign-in, past its time as the keyring keeps it, renews itself first ("Sign-in
    // token" step), then logs in.
    let mut stored = grant.clone();
    stored.expires_at = 1;
    let renewed = check(&stored.to_secret());
    assert!(renewed.is_ok(), "{renewed:?}");
    assert_eq!(renewed.steps[0].step, Step::Token);
    let detail = renewed.steps[0].outcome.as_ref().unwrap();
    assert!(detail.contains("renewed"), "{detail}");
    assert_eq!(lab.server.stats()["refresh_token"], 1);
}

#[test]
fn the_desktop_flow_uses_pkce_state_and_a_loopback_redirect_and_ignores_strangers() {
    let lab = lab(&[]);
    let rt = rt();
    let issuers = lab.issuers();
    let issuer = issuers.for_host("mail.example.test").unwrap();
    let signin = rt.block_on(SignIn::start(issuer, USER)).unwrap();
    let url = url::Url::parse(signin.url()).unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert_eq!(q["login_hint"], USER);
    let redirect = q["redirect_uri"].clone();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    assert!(q["state"].len() >= 22, "an unguessable state");

    let http = lab.net.http.clone();
    let waiting = rt.spawn(async move { signin.finish(&http, Duration::from_secs(30)).await });
    // A page that guesses the port cannot end the sign-in: wrong state, another path.
    for target in ["/?code=forged&state=guess", "/favicon.ico"] {
        let port = redirect.trim_end_matches('/').rsplit(':').next().unwrap();
        let mut s = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    let page = lab.browse(url.as_str(), true);
    assert!(page.contains("signed you in"), "{page}");
    let grant = rt.block_on(waiting).unwrap().unwrap();
    assert_eq!(grant.issuer, PROVIDER);
    let Stored::Grant(stored) = Stored::parse(&grant.to_secret()) else {
        panic!("a grant reads back")
    };
    assert_eq!(stored.refresh_token, grant.refresh_token);
    let stats = lab.server.stats();
    assert_eq!(
        (
            stats["authorize"].clone(),
            stats["authorization_code"].clone()
        ),
        (1.into(), 1.into())
    );
}

#[test]
fn declining_in_the_browser_ends_the_sign_in_with_the_providers_answer() {
    let lab = lab(&[]);
    let rt = rt();
    let issuers = lab.issuers();
    let signin = rt
        .block_on(SignIn::start(
            issuers.for_host("mail.example.test").unwrap(),
            USER,
        ))
        .unwrap();
    let url = signin.url().to_string();
    let http = lab.net.http.clone();
    let waiting = rt.spawn(async move { signin.finish(&http, Duration::from_secs(30)).await });
    let page = lab.browse(&url, false);
    assert!(page.contains("did not sign you in"), "{page}");
    let e = rt.block_on(waiting).unwrap().unwrap_err();
    assert_eq!(e.kind(), "oauth2_denied");
    assert_eq!(
        lab.server.stats()["authorization_code"],
        0,
        "no token request"
    );
}
