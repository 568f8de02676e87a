//! A source that stalls never holds up a usable answer: a web host that accepts connections
//! on 443 and 80 and never answers (as wildcard DNS and parked domains do) is given a short
//! grace once a trusted answer (here DNS SRV) is known; with nothing else to go on, the clear
//! "nothing found" comes at the deadline.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{DnsServer, Outpost, TestCa, source_field};

/// Accepts every connection and says nothing, holding each open until the test ends.
fn stalling_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn detect(email: &str, deadline: &str) -> (i32, Value, Duration) {
    let (dns, ca) = (DnsServer::start("detect.test"), TestCa::new());
    let mut op = Outpost::new(&dns, &ca);
    let (https, http) = (stalling_server(), stalling_server());
    op.env
        .push(("OUTPOST_PORT_MAP".into(), format!("443={https},80={http}")));
    let start = Instant::now();
    let (code, v) = op.json(
        &[
            "detect",
            email,
            "--no-probe",
            "--no-online",
            "--deadline",
            deadline,
        ],
        "",
    );
    (code, v, start.elapsed())
}

#[test]
fn a_trusted_answer_is_not_held_up_by_web_servers_that_never_answer() {
    let (code, v, took) = detect("ann@stall.detect.test", "10");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["source"], "srv", "{v}");
    assert_eq!(v["smtp"]["host"], "mail.stall.detect.test");
    assert_eq!(v["trusted"], true, "{v}");
    assert!(
        took < Duration::from_millis(1500),
        "answered after {took:?}, not within the grace: {v}"
    );
    assert_eq!(
        source_field(&v, "autoconfig", "outcome"),
        "cancelled",
        "{v}"
    );
}

#[test]
fn with_nothing_else_the_stalled_sources_end_in_nothing_found_at_the_deadline() {
    let (code, v, took) = detect("ann@stallonly.detect.test", "3");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "nothing_found", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("No settings were found for stallonly.detect.test"),
        "{v}"
    );
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(6),
        "ended after {took:?}, not at the 3 s deadline: {v}"
    );
}

/// A server's IPv4 and IPv6 addresses are asked for at once: a slow DNS server costs one
/// round trip for both, not one for each (hickory's Ipv6AndIpv4, set explicitly).
#[test]
fn a_and_aaaa_are_looked_up_at_once() {
    let latency = Duration::from_millis(400);
    let dns = DnsServer::start_with_latency("faults.test", latency);
    let resolver = outpost::net::Resolver::with_server(dns.addr);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let start = Instant::now();
    let ips = rt.block_on(resolver.lookup_ip("dual.faults.test")).unwrap();
    let took = start.elapsed();
    assert!(ips.iter().any(std::net::IpAddr::is_ipv6), "{ips:?}");
    assert!(ips.iter().any(std::net::IpAddr::is_ipv4), "{ips:?}");
    assert!(
        took < latency * 2 - Duration::from_millis(100),
        "both answers took {took:?}: asked one after the other"
    );
}
