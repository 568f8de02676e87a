//! The autoconfig parser on our own fixtures and on hostile input, and the provider table:
//! its generator reproduces the checked-in tables, and lookups work with no network.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use outpost::account::{AuthMethod, Security};
use outpost::detect::config_xml::{self, AuthKind, ConfigXmlError, expand_username};
use outpost::detect::providers::{ISPDB_NOTE, ProviderTable, generate};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(support::data(name)).unwrap()
}

#[test]
fn every_part_of_the_format_is_read() {
    let c = config_xml::parse(&fixture("autoconfig/full.xml")).unwrap();
    assert_eq!(c.providers.len(), 1);
    let p = &c.providers[0];
    assert_eq!(p.id, "example.test");
    assert_eq!(p.domains, ["example.test", "example-mail.test"]);
    assert_eq!(p.display_name, "Example & Sons Mail");
    let hosts: Vec<_> = p
        .outgoing
        .iter()
        .map(|s| (s.hostname.as_str(), s.port, s.security))
        .collect();
    assert_eq!(
        hosts,
        [
            ("smtp.example.test", 465, Security::Tls),
            ("submit.example.test", 587, Security::Starttls),
            ("mail.%EMAILDOMAIN%", 25, Security::None),
        ],
        "bad ones skipped, order kept"
    );
    let imap: Vec<_> = p
        .incoming
        .iter()
        .map(|s| (s.hostname.as_str(), s.port, s.security))
        .collect();
    assert_eq!(
        imap,
        [("imap.example.test", 993, Security::Tls)],
        "IMAP servers read beside them, POP3 ones left out"
    );
    assert_eq!(c.skipped.len(), 2, "{:?}", c.skipped);
    assert_eq!(p.outgoing[0].auth, [AuthKind::OAuth2, AuthKind::Password]);
    assert_eq!(p.outgoing[0].auth_method(true), AuthMethod::Oauth2);
    assert_eq!(p.outgoing[0].auth_method(false), AuthMethod::Password);
    assert_eq!(p.outgoing[1].auth, [AuthKind::PasswordEncrypted]);
    assert_eq!(
        p.outgoing[2].auth,
        [AuthKind::Other("client-IP-address".into())]
    );
    assert_eq!(p.outgoing[2].auth_method(false), AuthMethod::None);
    assert_eq!(
        p.outgoing[2].host_for("ann@Example.test"),
        "mail.example.test"
    );
    assert_eq!(
        expand_username(&p.outgoing[2].username, "ann@example.test"),
        "ann@example.test"
    );
    assert_eq!(
        expand_username(&p.outgoing[0].username, "ann@example.test"),
        "ann"
    );
    let o = c.oauth2.unwrap();
    assert_eq!(o.issuer, "accounts.example.test");
    assert_eq!(o.token_url, "https://accounts.example.test/token");
}

#[test]
fn the_drafts_version_1_2_and_unknown_elements_are_read() {
    let c = config_xml::parse(&fixture("autoconfig/draft-1.2.xml")).unwrap();
    let p = &c.providers[0];
    assert_eq!(p.display_name, "Draft Mail");
    let s = &p.outgoing[0];
    assert_eq!(
        (s.hostname.as_str(), s.port, s.security),
        ("smtp.draft.test", 465, Security::Tls)
    );
    assert_eq!(s.auth, [AuthKind::OAuth2, AuthKind::Password]);
    let oauth2 = c.oauth2.as_ref().expect("the oAuth2 block is read");
    assert_eq!(oauth2.issuer, "login.draft.test");
    assert_eq!(oauth2.token_url, "https://login.draft.test/token");
}

#[test]
fn malformed_and_foreign_documents_are_refused() {
    let cases = [
        ("<clientConfig><emailProvider>", "ends inside"),
        ("<clientConfig></emailProvider>", "not well-formed"),
        ("<html><body>Not found</body></html>", "root element <html>"),
        ("<clientConfig>&custom;</clientConfig>", "unknown entity"),
    ];
    for (xml, expect) in cases {
        let err = config_xml::parse(xml).unwrap_err();
        assert!(err.to_string().contains(expect), "{xml}: {err}");
    }
}

#[test]
fn hostile_documents_are_bounded_in_size_depth_and_time() {
    let huge = format!(
        "<clientConfig>{}</clientConfig>",
        " ".repeat(config_xml::MAX_BYTES)
    );
    assert_eq!(config_xml::parse(&huge), Err(ConfigXmlError::TooLarge));
    let deep = format!("<clientConfig>{}", "<a>".repeat(10_000));
    assert_eq!(config_xml::parse(&deep), Err(ConfigXmlError::TooDeep));
    // Entity expansion bombs do not expand: custom entities are refused.
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><clientConfig><emailProvider id="x"><domain>&b;</domain></emailProvider></clientConfig>"#;
    assert!(config_xml::parse(laughs).is_err());
    // Many servers and domains, just under the size limit: parsed quickly, counts capped.
    let server = "<outgoingServer type=\"smtp\"><hostname>s.example.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>";
    let mut doc = String::from("<clientConfig><emailProvider id=\"x\">");
    while doc.len() < config_xml::MAX_BYTES - 2000 {
        doc.push_str(server);
        doc.push_str("<domain>d.example.test</domain>");
    }
    doc.push_str("</emailProvider></clientConfig>");
    let start = Instant::now();
    let c = config_xml::parse(&doc).unwrap();
    assert!(start.elapsed().as_secs() < 2, "took {:?}", start.elapsed());
    assert!(c.providers[0].outgoing.len() <= 32);
    assert!(c.providers[0].domains.len() <= 5000);
}

#[test]
fn the_generator_reproduces_the_sample_table() {
    let generated = generate(&support::data("ispdb-sample"), ISPDB_NOTE).unwrap();
    assert_eq!(generated, fixture("ispdb-sample.tsv"));
    let table = ProviderTable::parse(&generated).unwrap();
    // A domain two providers claim stays with the first; a provider without SMTP is left out.
    assert_eq!(table.lookup("alpha-mail.test").unwrap().id, "alpha.test");
    assert!(table.lookup("gamma.test").is_none());
    assert_eq!(table.lookup("beta.test").unwrap().name, "Beta Tab Mail");
}

/// Thunderbird's ISPDB is beside the checkout (`../shared/ispdb`, as in CI): the table in
/// `assets/` must be exactly what the generator makes of it. Without it the test fails rather
/// than check less.
#[test]
fn the_builtin_table_is_the_generated_ispdb_table() {
    let ispdb = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/ispdb");
    let checked_in = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/providers.tsv"),
    )
    .unwrap();
    assert!(
        ispdb.is_dir(),
        "{} is missing: Thunderbird's ISPDB must be beside the checkout (as ../shared/ispdb)",
        ispdb.display()
    );
    assert_eq!(
        generate(&ispdb, ISPDB_NOTE).unwrap(),
        checked_in,
        "regenerate with: cargo run -p provider-table -- ../shared/ispdb"
    );
    assert_eq!(
        ProviderTable::parse(&checked_in).unwrap().domain_count(),
        771
    );
}

#[test]
fn builtin_lookups_need_no_network() {
    let t = ProviderTable::builtin();
    assert!(t.domain_count() > 700);
    let gmail = t.lookup("GMail.com.").unwrap();
    let first = &gmail.outgoing[0];
    assert_eq!(
        (first.hostname.as_str(), first.port, first.security),
        ("smtp.gmail.com", 465, Security::Tls)
    );
    assert!(gmail.oauth2.is_some());
    assert_eq!(
        first.auth_method(gmail.oauth2.is_some()),
        AuthMethod::Oauth2
    );
    assert_eq!(t.lookup("googlemail.com").unwrap().id, gmail.id);
    assert!(t.lookup("no-such-provider.example").is_none());
}
