//! The connection check called as a library, for the rules the command line cannot reach:
//! a password is never sent over an unencrypted connection without consent.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use outpost::account::check::{self, Check, CheckError, Step, Timeouts};
use outpost::account::{AuthMethod, Security, SmtpSettings};
use outpost::net::{Net, NetConfig};
use outpost::secret::Secret;
use support::hostile::{HostileSmtp, Misbehaviour};
use support::{DnsServer, PASSWORD, Smtpd, USER};

fn settings(port: u16, security: Security) -> SmtpSettings {
    SmtpSettings {
        host: "mail.example.test".into(),
        port,
        security,
        username: USER.into(),
        auth: AuthMethod::Password,
    }
}

/// Connections through the lab's DNS server, trusting `roots` besides the usual ones.
fn lab_net(dns: &DnsServer, roots: Option<std::path::PathBuf>) -> Net {
    Net::new(&NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: roots,
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn no_password_is_sent_unencrypted_without_consent() {
    let dns = DnsServer::start("example.test");
    let smtpd = Smtpd::start("plain", None);
    let net = lab_net(&dns, None);
    let secret = Secret::new(PASSWORD);
    let s = settings(smtpd.port, Security::None);
    let mut seen = Vec::new();
    let report = check::run(
        Check {
            net: &net,
            settings: &s,
            secret: Some(&secret),
            allow_plaintext_auth: false,
            pin: None,
            timeouts: Timeouts::uniform(Duration::from_secs(5)),
            transcript: None,
        },
        |p| seen.push(p),
    )
    .await;
    assert_eq!(
        report.failure().map(|(s, e)| (s, e.clone())),
        Some((Step::Auth, CheckError::PlaintextRefused))
    );
    // Everything before the login ran and was reported live, start and finish.
    let steps: Vec<Step> = report.steps.iter().map(|r| r.step).collect();
    assert_eq!(
        steps,
        [
            Step::Resolve,
            Step::Connect,
            Step::Greeting,
            Step::Ehlo,
            Step::Auth
        ]
    );
    assert_eq!(seen.len(), 2 * steps.len());
}

#[tokio::test]
async fn a_missing_secret_is_reported_not_sent_empty() {
    let dns = DnsServer::start("example.test");
    let ca = support::TestCa::new();
    let cert = ca.issue("mail", &["mail.example.test"]);
    let smtpd = Smtpd::start("tls", Some(&cert));
    let net = lab_net(&dns, Some(ca.ca_pem.clone()));
    let s = settings(smtpd.port, Security::Tls);
    let report = check::run(
        Check {
            net: &net,
            settings: &s,
            secret: None,
            allow_plaintext_auth: false,
            pin: None,
            timeouts: Timeouts::default(),
            transcript: None,
        },
        |_| {},
    )
    .await;
    assert_eq!(
        report.failure().map(|(s, e)| (s, e.clone())),
        Some((Step::Auth, CheckError::NoSecret))
    );
    assert!(report.tls_version.is_some_and(|v| v.starts_with("TLS 1.")));
}

#[tokio::test]
async fn a_server_silent_at_the_login_points_at_the_password() {
    let dns = DnsServer::start("example.test");
    let server = HostileSmtp::start(Misbehaviour::SilentLogin);
    let net = lab_net(&dns, None);
    let secret = Secret::new(PASSWORD);
    let s = settings(server.port, Security::None);
    let report = check::run(
        Check {
            net: &net,
            settings: &s,
            secret: Some(&secret),
            allow_plaintext_auth: true,
            pin: None,
            timeouts: Timeouts::uniform(Duration::from_secs(1)),
            transcript: None,
        },
        |_| {},
    )
    .await;
    let (step, err) = report.failure().expect("the login fails");
    assert_eq!(step, Step::Auth, "{err:?}");
    let e = outpost::account::explain::check_failure(step, err);
    assert!(e.problem.contains("no answer to the login"), "{e:?}");
    assert!(e.advice.contains("password"), "{e:?}");
}
