//! PACC and OAuth for open public clients, end to end: the provider's document served over
//! HTTPS at ua-auto-config.<domain> with its digest in the test DNS (and a tampered one), the
//! lab issuer's metadata (RFC 8414) and dynamic registration (RFC 7591), `iss` in its answers
//! (RFC 9207), a resource it requires (RFC 8707), and an SMTP server taking its tokens. No
//! client id is configured anywhere: Outpost registers itself.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::oauth::{OauthServer, browser_env};
use support::{DnsServer, Httpd, Outpost, SecretService, Smtpd, TestCa};

const MAIL_SCOPE: &str = "urn:ietf:params:oauth:scope:mail";
const DOC_PATH: &str = "/.well-known/user-agent-configuration.json";

/// The provider's PACC document: `key` names the submission server (`smtp` in the early
/// revisions, `submit` from pacc-03 on).
fn document(key: &str, issuer: &str) -> String {
    json!({
        "protocols": {key: {"host": "mail.example.test"}},
        "authentication": {"oauth-public": {"issuer": issuer}, "password": false},
        "info": {"provider": {"name": "Example Open Mail", "shortName": "Open"}},
    })
    .to_string()
}

/// An autoconfig document (the Thunderbird format) whose `<oAuth2>` block names the lab issuer
/// by its identifier, with endpoints and scope, and no client id (the format has none).
fn autoconfig(server: &OauthServer) -> String {
    format!(
        r#"<?xml version="1.0"?><clientConfig version="1.2"><emailProvider id="classic">
<domain>classic.example.test</domain><outgoingServer type="smtp">
<hostname>mail.example.test</hostname><port>465</port><socketType>SSL</socketType>
<username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></outgoingServer>
</emailProvider><oAuth2><issuer>{}</issuer><scope>{MAIL_SCOPE}</scope>
<authURL>{}</authURL><tokenURL>{}</tokenURL></oAuth2></clientConfig>"#,
        server.url(""),
        server.url("/authorize"),
        server.url("/token"),
    )
}

struct Lab {
    _dns: DnsServer,
    ca: TestCa,
    _ss: SecretService,
    server: OauthServer,
    smtpd: Smtpd,
    https: Httpd,
    op: Outpost,
}

/// The lab issuer (started with `server_args`), its SMTP server on port "465", and PACC
/// documents for three domains: `open.example.test` (vouched for, `submit`),
/// `early.example.test` (vouched for, `smtp`), `tampered.example.test` (the body served is
/// not the one whose digest is published).
fn lab(server_args: &[&str]) -> Lab {
    let ca = TestCa::new();
    let mut args = vec!["--scope", MAIL_SCOPE];
    args.extend_from_slice(server_args);
    let server = OauthServer::start(&ca, &args);
    let issuer = server.url("");
    let open = document("submit", &issuer);
    let early = document("smtp", &issuer);
    let published = document("submit", &issuer);
    let tampered = published.replace("mail.example.test", "mail.attacker.test");
    let digest = |body: &str| outpost::detect::pacc::digest_record(body.as_bytes());
    let records = format!(
        "ua-auto-config.open IN A 127.0.0.1\n\
         _ua-auto-config.open IN TXT \"{}\"\n\
         ua-auto-config.early IN A 127.0.0.1\n\
         _ua-auto-config.early IN TXT \"v=spf1 -all\"\n\
         _ua-auto-config.early IN TXT \"{}\"\n\
         ua-auto-config.tampered IN A 127.0.0.1\n\
         _ua-auto-config.tampered IN TXT \"{}\"\n\
         autoconfig.classic IN A 127.0.0.1",
        digest(&open),
        digest(&early),
        digest(&published),
    );
    let dns = DnsServer::start_with("example.test", &records);
    let cert = ca.issue(
        "pacc",
        &[
            "ua-auto-config.open.example.test",
            "ua-auto-config.early.example.test",
            "ua-auto-config.tampered.example.test",
            "autoconfig.classic.example.test",
        ],
    );
    let https = Httpd::start(
        &json!({
            format!("ua-auto-config.open.example.test {DOC_PATH}"): {"body": open},
            format!("ua-auto-config.early.example.test {DOC_PATH}"): {"body": early},
            format!("ua-auto-config.tampered.example.test {DOC_PATH}"): {"body": tampered},
            "autoconfig.classic.example.test /mail/config-v1.1.xml": {"body": autoconfig(&server)},
        }),
        Some(&cert),
    );
    let smtpd = server.smtpd(&ca);
    let ss = SecretService::start();
    let mut op = Outpost::new(&dns, &ca);
    op.env.extend(ss.env());
    op.env.push((
        "OUTPOST_PORT_MAP".into(),
        format!("443={},465={}", https.port, smtpd.port),
    ));
    op.env
        .extend(browser_env(&ca, &ca.dir.path().join("browser.log"), true));
    Lab {
        _dns: dns,
        ca,
        _ss: ss,
        server,
        smtpd,
        https,
        op,
    }
}

impl Lab {
    fn detect(&self, email: &str) -> (i32, Value) {
        self.op
            .json(&["detect", email, "--no-probe", "--no-online"], "")
    }

    fn add(&self, email: &str) -> (i32, Value) {
        let args = [
            "account",
            "add",
            "--email",
            email,
            "--detect",
            "--session-keyring",
        ];
        self.op.json(&args, "")
    }

    fn provider(&self) -> Value {
        let (code, list) = self.op.json(&["oauth2", "list"], "");
        assert_eq!(code, 0, "{list}");
        let issuer = self.server.url("");
        list["providers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["issuer"] == issuer.as_str())
            .unwrap_or_else(|| panic!("no provider for {issuer}: {list}"))
            .clone()
    }

    fn stat(&self, what: &str) -> i64 {
        self.server.stats()[what].as_i64().unwrap()
    }
}

fn pacc_detail(v: &Value) -> String {
    support::source_field(v, "pacc", "detail")
}

#[test]
fn a_vouched_for_document_is_the_domains_word_in_either_revisions_keys() {
    let lab = lab(&[]);
    for email in ["ann@open.example.test", "ann@early.example.test"] {
        let (code, v) = lab.detect(email);
        support::found(code, &v, "pacc", "mail.example.test");
        assert_eq!(v["trusted"], true, "{v}");
        assert_eq!(v["smtp"]["port"], 465, "{v}");
        assert_eq!(v["smtp"]["security"], "tls", "{v}");
        assert_eq!(v["smtp"]["auth"], "oauth2", "{v}");
        assert_eq!(v["provider"], "Example Open Mail", "{v}");
        assert_eq!(v["oauth2"]["issuer"], lab.server.url(""), "{v}");
        assert_eq!(support::source_field(&v, "pacc", "outcome"), "found", "{v}");
    }
    // The document is asked for at its well-known address on ua-auto-config.<domain>.
    assert!(
        lab.https
            .requests()
            .iter()
            .any(|r| r.contains("ua-auto-config.open.example.test") && r.contains(DOC_PATH)),
        "{:?}",
        lab.https.requests()
    );
    // The text report names the source for people.
    let out = lab
        .op
        .run(&["detect", "ann@open.example.test", "--no-probe"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PACC"), "{text}");
}

#[test]
fn a_tampered_document_is_reported_and_not_used() {
    let lab = lab(&[]);
    let (code, v) = lab.detect("ann@tampered.example.test");
    assert_ne!(v["smtp"]["host"], "mail.attacker.test", "{v}");
    assert_ne!(v["source"], "pacc", "{v}");
    assert_eq!(
        support::source_field(&v, "pacc", "outcome"),
        "failed",
        "{v}"
    );
    let detail = pacc_detail(&v);
    assert!(
        detail.contains("does not match the digest published at _ua-auto-config"),
        "{detail}"
    );
    assert_ne!(code, 0, "nothing else knows this domain: {v}");
}

#[test]
fn signing_in_registers_outpost_once_and_sends_with_the_issuers_tokens() {
    let lab = lab(&[
        "--resource",
        "smtp://mail.example.test",
        "--iss",
        "right",
        "--token-lifetime",
        "1",
    ]);
    let email = "ann@open.example.test";
    let (code, v) = lab.add(email);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["auth"], "oauth2", "{v}");
    assert_eq!(v["account"]["smtp"]["port"], 465, "{v}");
    // Outpost read the issuer's metadata (once) and registered itself as a public client,
    // keeping the client id with the issuer.
    assert_eq!(lab.stat("metadata"), 1);
    assert_eq!(lab.stat("register"), 1);
    let provider = lab.provider();
    let client_id = provider["client_id"].as_str().unwrap().to_string();
    assert!(client_id.starts_with("dyn-"), "{provider}");
    assert_eq!(provider["client_secret_set"], false, "{provider}");
    assert_eq!(provider["scope"], MAIL_SCOPE, "{provider}");
    assert_eq!(provider["hosts"][0], "mail.example.test", "{provider}");
    // The token, short-lived, is refreshed by the public client (no secret) with the resource
    // named, and logs in (the SMTP server asks the issuer about it).
    let (code, v) = lab.op.json(&["account", "check", email], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(lab.stat("refresh_token"), 1);

    // Signing in again reuses the registration.
    let (code, v) = lab.op.json(&["account", "signin", email], "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(lab.stat("register"), 1, "registered once");
    assert_eq!(lab.provider()["client_id"], client_id.as_str());
    assert_eq!(lab.stat("authorization_code"), 2);
    let _ = &lab.smtpd;
    let _ = &lab.ca;
}

#[test]
fn a_refused_registration_is_said_in_the_issuers_words() {
    let lab = lab(&[
        "--refuse-registration",
        "registration is closed for maintenance",
    ]);
    let (code, v) = lab.add("ann@open.example.test");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_registration_refused", "{v}");
    let problem = v["error"]["message"].as_str().unwrap();
    assert!(
        problem.contains("registration is closed for maintenance")
            && problem.contains("would not let Outpost register"),
        "{problem}"
    );
    assert!(!v.to_string().contains("OauthError"), "{v}");
    // Nothing was added.
    let (_, list) = lab.op.json(&["account", "list"], "");
    assert_eq!(list["accounts"].as_array().map_or(0, Vec::len), 0, "{list}");
}

#[test]
fn an_answer_naming_another_issuer_ends_the_sign_in() {
    let lab = lab(&["--iss", "wrong"]);
    let (code, v) = lab.add("ann@open.example.test");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_issuer_mismatch", "{v}");
    let problem = v["error"]["message"].as_str().unwrap();
    assert!(problem.contains("https://evil.example.test"), "{problem}");
    assert_eq!(lab.stat("authorization_code"), 0, "the code was never used");
}

#[test]
fn an_autoconfig_issuer_without_a_client_id_registers_outpost_too() {
    let lab = lab(&[]);
    let email = "ann@classic.example.test";
    let (code, v) = lab.detect(email);
    support::found(code, &v, "autoconfig", "mail.example.test");
    let (code, v) = lab.add(email);
    assert_eq!(code, 0, "{v}");
    assert_eq!(lab.stat("register"), 1);
    assert!(
        lab.provider()["client_id"]
            .as_str()
            .is_some_and(|c| c.starts_with("dyn-"))
    );
    let (code, v) = lab.op.json(&["account", "check", email], "");
    assert_eq!(code, 0, "{v}");
}
