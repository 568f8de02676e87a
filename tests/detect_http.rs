//! The HTTP sources of detection against real web servers on loopback (Python http.server
//! over TLS with a test CA, and plain): provider autoconfig, well-known, online ISPDB,
//! Autodiscover, plain HTTP (never trusted), hostile answers, redirects and disagreement.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::{DnsServer, Httpd, Outpost, TestCa, found, source_field};

fn config(host: &str, port: u16, socket: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">
<domain>x</domain><displayName>Test Mail</displayName>
<outgoingServer type="smtp"><hostname>{host}</hostname><port>{port}</port>
<socketType>{socket}</socketType><username>%EMAILLOCALPART%</username>
<authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"#
    )
}

const AC: &str = "/mail/config-v1.1.xml";
const WK: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";
const AD: &str = "/autodiscover/autodiscover.xml";

struct Web {
    _dns: DnsServer,
    _ca: TestCa,
    https: Httpd,
    http: Httpd,
    op: Outpost,
}

fn web() -> Web {
    let dns = DnsServer::start("detect.test");
    let ca = TestCa::new();
    let names = [
        "autoconfig.ac.detect.test",
        "wk.detect.test",
        "autoconfig.outside.detect.test",
        "autodiscover.ad.detect.test",
        "autoconfig.redir.detect.test",
        "autoconfig.huge.detect.test",
        "ispdb.detect.test",
        "autoconfig.disagree.detect.test",
        "disagree.detect.test",
        "autoconfig.loop.detect.test",
        "autoconfig.detect.test",
    ];
    let cert = ca.issue("web", &names);
    let autodiscover = r#"<?xml version="1.0"?><Autodiscover><Response><Account>
<Protocol><Type>SMTP</Type><Server>smtp.ad.detect.test</Server><Port>587</Port>
<Encryption>TLS</Encryption></Protocol></Account></Response></Autodiscover>"#;
    let https_routes = json!({
        format!("autoconfig.ac.detect.test {AC}"): {"body": config("smtp.ac.detect.test", 465, "SSL")},
        format!("wk.detect.test {WK}"): {"body": config("smtp.wk.detect.test", 587, "STARTTLS")},
        format!("autoconfig.outside.detect.test {AC}"): {"body": config("smtp.mailhost.test", 465, "SSL")},
        "ispdb.detect.test /v1.1/isp.detect.test": {"body": config("smtp.isp.example", 465, "SSL")},
        "ispdb.detect.test /v1.1/ispmx.example": {"body": config("smtp.ispmx.example", 587, "STARTTLS")},
        "ispdb.detect.test /v1.1/mail.hostco.example": {"body": config("smtp.hostco.example", 465, "SSL")},
        "ispdb.detect.test /v1.1/other.example": {"body": config("smtp.other.example", 465, "SSL")},
        format!("autoconfig.detect.test {AC}"): {"body": config("smtp.detect.test", 465, "SSL")},
        format!("autodiscover.ad.detect.test {AD}"): {"body": autodiscover},
        format!("autoconfig.redir.detect.test {AC}"): {"status": 302, "location": "http://autoconfig.redir.detect.test/plain.xml"},
        format!("autoconfig.loop.detect.test {AC}"): {"status": 302, "location": format!("https://autoconfig.loop.detect.test{AC}")},
        format!("autoconfig.huge.detect.test {AC}"): {"body": "<!-- filler -->", "repeat": 200_000},
        format!("autoconfig.disagree.detect.test {AC}"): {"body": config("smtp.one.disagree.detect.test", 465, "SSL"), "delay": 0.5},
        format!("disagree.detect.test {WK}"): {"body": config("smtp.two.disagree.detect.test", 465, "SSL")},
    });
    let http_routes = json!({
        format!("autoconfig.httponly.detect.test {AC}"): {"body": config("smtp.httponly.detect.test", 465, "SSL")},
        format!("autoconfig.outsidehttp.detect.test {AC}"): {"body": config("smtp.mailhost.test", 465, "SSL")},
        "autoconfig.redir.detect.test /plain.xml": {"body": config("smtp.redir.detect.test", 465, "SSL")},
    });
    let https = Httpd::start(&https_routes, Some(&cert));
    let http = Httpd::start(&http_routes, None);
    let mut op = Outpost::new(&dns, &ca);
    op.env.push((
        "OUTPOST_PORT_MAP".into(),
        format!("443={},80={}", https.port, http.port),
    ));
    op.env.push((
        "OUTPOST_ISPDB_URL".into(),
        "https://ispdb.detect.test/v1.1".into(),
    ));
    Web {
        _dns: dns,
        _ca: ca,
        https,
        http,
        op,
    }
}

fn detect(w: &Web, email: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["detect", email, "--no-probe"];
    args.extend_from_slice(extra);
    w.op.json(&args, "")
}

fn detail(v: &Value, source: &str) -> String {
    source_field(v, source, "detail")
}

#[test]
fn the_providers_https_autoconfig_is_trusted_and_expands_placeholders() {
    let w = web();
    let (code, v) = detect(&w, "ann@ac.detect.test", &[]);
    found(code, &v, "autoconfig", "smtp.ac.detect.test");
    assert_eq!(v["smtp"]["username"], "ann");
    assert_eq!(v["provenance"]["username"], "autoconfig");
    assert_eq!(v["trusted"], true);
    // Privacy: the address is not sent unless asked.
    assert!(
        w.https
            .requests()
            .iter()
            .all(|r| !r.contains("emailaddress"))
    );
}

#[test]
fn the_address_is_sent_only_when_shared() {
    let w = web();
    let _ = detect(&w, "ann@ac.detect.test", &["--share-address"]);
    assert!(
        w.https
            .requests()
            .iter()
            .any(|r| r.contains("?emailaddress=ann%40ac.detect.test")),
        "{:?}",
        w.https.requests()
    );
}

#[test]
fn the_well_known_path_is_used() {
    let w = web();
    let (code, v) = detect(&w, "ann@wk.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], "wellknown");
    assert_eq!(v["smtp"]["security"], "starttls");
}

#[test]
fn the_online_ispdb_answers_and_can_be_switched_off() {
    let w = web();
    let (code, v) = detect(&w, "ann@isp.detect.test", &[]);
    found(code, &v, "ispdb", "smtp.isp.example");
    assert_eq!(v["trusted"], true);
    let (code, v) = detect(&w, "ann@isp.detect.test", &["--no-online"]);
    assert_eq!(code, 1, "{v}");
}

#[test]
fn an_mx_host_unknown_to_the_builtin_table_is_asked_of_the_online_ispdb() {
    let w = web();
    let (code, v) = detect(&w, "ann@mxisp.detect.test", &[]);
    found(code, &v, "mx", "smtp.ispmx.example");
    assert_eq!(
        v["smtp"]["username"], "ann",
        "placeholders expand for the user's address"
    );
    assert_eq!(v["trusted"], true);
}

#[test]
fn the_best_mx_is_looked_up_by_its_domain_then_its_registrable_domain() {
    // draft-ietf-mailmaint-autoconfig: the highest-priority MX only; its full domain without
    // the first label before its registrable domain.
    let w = web();
    let (code, v) = detect(&w, "ann@mxdraft.detect.test", &[]);
    found(code, &v, "mx", "smtp.hostco.example");
    let asked: Vec<String> = w
        .https
        .requests()
        .into_iter()
        .filter(|r| r.contains("ispdb.detect.test /v1.1/") && !r.contains("mxdraft"))
        .collect();
    assert!(
        asked
            .iter()
            .any(|r| r.ends_with("/v1.1/mail.hostco.example")),
        "{asked:?}"
    );
    assert!(
        !asked.iter().any(|r| r.contains("other.example")),
        "a lower-priority MX is not asked about: {asked:?}"
    );
}

#[test]
fn an_mx_providers_own_autoconfig_is_used_but_not_trusted() {
    let w = web();
    let (code, v) = detect(&w, "ann@mxown.detect.test", &["--no-online"]);
    found(code, &v, "mx", "smtp.detect.test");
    assert_eq!(v["trusted"], false);
    assert!(v["warnings"].to_string().contains("does not vouch"), "{v}");
}

#[test]
fn autodiscover_answers_with_smtp_settings() {
    let w = web();
    let (code, v) = detect(&w, "ann@ad.detect.test", &[]);
    found(code, &v, "autodiscover", "smtp.ad.detect.test");
    assert_eq!(
        (v["smtp"]["port"].as_u64(), v["smtp"]["security"].as_str()),
        (Some(587), Some("starttls"))
    );
    assert!(
        w.https
            .requests()
            .iter()
            .any(|r| r.starts_with("POST autodiscover.ad.detect.test"))
    );
}

#[test]
fn plain_http_answers_are_never_trusted() {
    let w = web();
    let (code, v) = detect(&w, "ann@httponly.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], "http");
    assert_eq!(v["trusted"], false);
    assert!(
        v["warnings"].to_string().contains("unencrypted HTTP"),
        "{v}"
    );
    // And account add --detect does not store them silently.
    let (code, v) = w.op.json(
        &[
            "account",
            "add",
            "--email",
            "ann@httponly.detect.test",
            "--detect",
            "--auth",
            "none",
        ],
        "",
    );
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "untrusted");
}

#[test]
fn an_https_autoconfig_naming_another_companys_server_is_the_domains_word() {
    // Many ISPs send mail through their parent company's or mail host's servers; a document
    // from the domain's own HTTPS says so with the domain's authority.
    let w = web();
    let (code, v) = detect(&w, "ann@outside.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["smtp"]["host"], "smtp.mailhost.test");
    assert_eq!(v["source"], "autoconfig");
    assert_eq!(v["trusted"], true, "{v}");
    assert_eq!(v["warnings"], json!([]), "{v}");
    assert_eq!(
        v["mail_domain"], "mailhost.test",
        "where mail goes is said: {v}"
    );
    let out =
        w.op.run(&["detect", "ann@outside.detect.test", "--no-probe"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Mail goes through mailhost.test"), "{text}");
}

#[test]
fn the_same_document_over_plain_http_needs_confirmation() {
    let w = web();
    let (code, v) = detect(&w, "ann@outsidehttp.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["smtp"]["host"], "smtp.mailhost.test");
    assert_eq!(v["source"], "http");
    assert_eq!(v["trusted"], false, "{v}");
    assert!(
        v["warnings"].to_string().contains("unencrypted HTTP"),
        "{v}"
    );
}

#[test]
fn redirects_are_bounded_and_never_downgrade() {
    let w = web();
    let (code, v) = detect(&w, "ann@redir.detect.test", &[]);
    assert_eq!(code, 1, "{v}");
    assert!(detail(&v, "autoconfig").contains("unencrypted"), "{v}");
    assert!(
        !w.http.requests().iter().any(|r| r.contains("/plain.xml")),
        "the HTTP target was never fetched"
    );
    let (code, v) = detect(&w, "ann@loop.detect.test", &[]);
    assert_eq!(code, 1, "{v}");
    assert!(detail(&v, "autoconfig").contains("redirects"), "{v}");
}

#[test]
fn an_oversized_answer_is_cut_off() {
    let w = web();
    let (code, v) = detect(&w, "ann@huge.detect.test", &[]);
    assert_eq!(code, 1, "{v}");
    assert!(detail(&v, "autoconfig").contains("larger than"), "{v}");
}

#[test]
fn disagreeing_sources_are_reported_and_not_trusted() {
    let w = web();
    let (code, v) = detect(&w, "ann@disagree.detect.test", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], "autoconfig", "the better-ranked source wins");
    assert_eq!(v["smtp"]["host"], "smtp.one.disagree.detect.test");
    assert_eq!(v["trusted"], false);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("smtp.two.disagree.detect.test"),
        "{warnings}"
    );
}
