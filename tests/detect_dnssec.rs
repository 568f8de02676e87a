//! DNSSEC: SRV and MX answers from a signed zone (signed by the test DNS server with a key
//! made for the test, given to Outpost as its trust anchor) are marked signed, and a signed
//! SRV record pointing outside the domain is the domain's word, needing no confirmation. The
//! same records unsigned, or signed by a key Outpost does not trust, still need it.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{DnsServer, Httpd, Outpost, TestCa};

fn detect(dns: &DnsServer, anchors: Option<&std::path::Path>) -> (i32, Value) {
    detect_for(dns, anchors, "ann@signed.test", &[])
}

/// `outpost detect --json` for `email`, trusting `anchors`, with `env` added.
fn detect_for(
    dns: &DnsServer,
    anchors: Option<&std::path::Path>,
    email: &str,
    env: &[(String, String)],
) -> (i32, Value) {
    let ca = TestCa::new();
    let mut op = Outpost::new(dns, &ca);
    if let Some(a) = anchors {
        op.env
            .push(("OUTPOST_DNSSEC_ANCHORS".into(), a.display().to_string()));
    }
    op.env.extend_from_slice(env);
    op.json(&["detect", email, "--no-probe", "--no-online"], "")
}

#[test]
fn a_signed_srv_record_outside_the_domain_needs_no_confirmation() {
    let dns = DnsServer::start_signed("signed.test", &["mailhost.example"]);
    let (code, v) = detect(&dns, dns.anchors.as_deref());
    support::found(code, &v, "srv", "smtp.mailhost.example");
    assert_eq!(v["signed"], true, "{v}");
    assert_eq!(v["trusted"], true, "{v}");
    assert_eq!(v["warnings"], serde_json::json!([]), "{v}");
    let out = {
        let ca = TestCa::new();
        let mut op = Outpost::new(&dns, &ca);
        op.env.push((
            "OUTPOST_DNSSEC_ANCHORS".into(),
            dns.anchors.as_ref().unwrap().display().to_string(),
        ));
        op.run(
            &["detect", "ann@signed.test", "--no-probe", "--no-online"],
            "",
        )
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("signed (DNSSEC)"), "{text}");
}

#[test]
fn a_signature_by_a_key_not_trusted_proves_nothing() {
    let dns = DnsServer::start_signed("signed.test", &["mailhost.example"]);
    // The root's keys (no anchors given): the test zone's key chains to nothing.
    let (code, v) = detect(&dns, None);
    support::found(code, &v, "srv", "smtp.mailhost.example");
    assert_eq!(v["signed"], false, "{v}");
    assert_eq!(v["trusted"], false, "{v}");
    let warning = v["warnings"].to_string();
    assert!(warning.contains("is not signed (DNSSEC)"), "{warning}");
    // Another zone's key, given as the anchor, does not make this one's answers signed.
    let other = DnsServer::start_signed("signed.test", &["mailhost.example"]);
    let (_, v) = detect(&dns, other.anchors.as_deref());
    assert_eq!(v["signed"], false, "{v}");
    assert_eq!(v["trusted"], false, "{v}");
}

#[test]
fn a_trust_anchors_file_that_is_not_one_is_said_in_words() {
    let dns = DnsServer::start("signed.test");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("anchors");
    std::fs::write(&bad, "not a DNSKEY record\n").unwrap();
    let (code, v) = detect(&dns, Some(&bad));
    assert_ne!(code, 0, "{v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("OUTPOST_DNSSEC_ANCHORS") && message.contains("DNSKEY"),
        "{v}"
    );
    let advice = v["error"]["advice"].as_str().unwrap_or_default();
    assert!(advice.contains("root zone's keys"), "{v}");
}

#[test]
fn the_autoconfig_of_a_mail_host_named_by_a_signed_mx_record_is_the_domains_word() {
    let dns = DnsServer::start_signed("signed.test", &["mailhost.example"]);
    let ca = TestCa::new();
    let config = r#"<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="m">
<domain>mailhost.example</domain><displayName>Mailhost</displayName>
<outgoingServer type="smtp"><hostname>smtp.mailhost.example</hostname><port>465</port>
<socketType>SSL</socketType><username>%EMAILADDRESS%</username>
<authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"#;
    let cert = ca.issue("mailhost", &["autoconfig.mailhost.example"]);
    let web = Httpd::start(
        &serde_json::json!({"autoconfig.mailhost.example /mail/config-v1.1.xml": {"body": config}}),
        Some(&cert),
    );
    let env = [
        ("OUTPOST_PORT_MAP".to_string(), format!("443={}", web.port)),
        ("SSL_CERT_FILE".to_string(), ca.ca_pem.display().to_string()),
    ];
    let email = "ann@mx.signed.test";
    let (code, v) = detect_for(&dns, dns.anchors.as_deref(), email, &env);
    support::found(code, &v, "mx", "smtp.mailhost.example");
    assert_eq!(
        (v["signed"].clone(), v["trusted"].clone()),
        (true.into(), true.into()),
        "{v}"
    );
    assert!(
        v["warnings"]
            .to_string()
            .contains("signed (DNSSEC) MX record"),
        "{v}"
    );
    // Unsigned (no key trusted), the same mail host's word needs the person's confirmation.
    let (code, v) = detect_for(&dns, None, email, &env);
    support::found(code, &v, "mx", "smtp.mailhost.example");
    assert_eq!(
        (v["signed"].clone(), v["trusted"].clone()),
        (false.into(), false.into()),
        "{v}"
    );
}
