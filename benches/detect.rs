//! Detection latency against servers with injected per-answer latency: every DNS answer,
//! HTTP response and SMTP greeting arrives `LATENCY` late. For each scenario it reports the
//! median wall time of a full detection and its ratio to the ideal: the injected latency on
//! the critical path of the winning source (plus, where a better source stalls, the grace it
//! is given). Run with `cargo bench --bench detect`.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use outpost::detect::{self, Options};
use outpost::net::{Net, NetConfig};
use serde_json::json;
use support::{DnsServer, Httpd, Smtpd, TestCa};

const LATENCY: Duration = Duration::from_millis(50);
const RUNS: usize = 15;

struct Scenario {
    name: &'static str,
    email: &'static str,
    /// Latency units on the winning source's critical path.
    hops: u32,
    /// A better-ranked source stalls: the answer waits for the grace it is given.
    stalled: bool,
    expect_source: &'static str,
}

const SCENARIOS: [Scenario; 7] = [
    Scenario {
        name: "built-in table",
        email: "ann@gmail.com",
        hops: 0,
        stalled: false,
        expect_source: "builtin",
    },
    Scenario {
        name: "SRV record",
        email: "ann@srv.bench.test",
        hops: 1,
        stalled: false,
        expect_source: "srv",
    },
    Scenario {
        name: "MX → provider",
        email: "ann@mx.bench.test",
        hops: 1,
        stalled: false,
        expect_source: "mx",
    },
    Scenario {
        name: "HTTPS autoconfig",
        email: "ann@ac.bench.test",
        hops: 2,
        stalled: false,
        expect_source: "autoconfig",
    },
    Scenario {
        name: "PACC document",
        email: "ann@pacc.bench.test",
        hops: 2,
        stalled: false,
        expect_source: "pacc",
    },
    Scenario {
        name: "live probe",
        email: "ann@guess.bench.test",
        hops: 2,
        stalled: false,
        expect_source: "guess",
    },
    Scenario {
        name: "SRV, web stalled",
        email: "ann@stall.bench.test",
        hops: 1,
        stalled: true,
        expect_source: "srv",
    },
];

/// Accepts connections at `addr` and never answers, as a parked domain's web host does.
fn stalling_server(addr: &str) {
    let listener = std::net::TcpListener::bind(addr).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
}

fn main() {
    let ca = TestCa::new();
    let cert = ca.issue(
        "bench",
        &[
            "autoconfig.ac.bench.test",
            "smtp.guess.bench.test",
            "ua-auto-config.pacc.bench.test",
        ],
    );
    // PACC: the document, and the records that point to it and vouch for it.
    let pacc = r#"{"protocols":{"submit":{"host":"smtp.pacc.bench.test"}},"authentication":{"password":true}}"#;
    let records = format!(
        "ua-auto-config.pacc IN A 127.0.0.1\n_ua-auto-config.pacc IN TXT \"{}\"",
        outpost::detect::pacc::digest_record(pacc.as_bytes())
    );
    let dns = DnsServer::start_with_latency_and("bench.test", LATENCY, &records);
    let config = r#"<clientConfig version="1.1"><emailProvider id="ac"><domain>ac.bench.test</domain>
<outgoingServer type="smtp"><hostname>smtp.ac.bench.test</hostname><port>465</port>
<socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#;
    let routes = json!({
        "autoconfig.ac.bench.test /mail/config-v1.1.xml": {"body": config, "delay": LATENCY.as_secs_f64()},
        "ua-auto-config.pacc.bench.test /.well-known/user-agent-configuration.json": {"body": pacc, "delay": LATENCY.as_secs_f64()},
    });
    let https = Httpd::start(&routes, Some(&cert));
    let latency = LATENCY.as_secs_f64().to_string();
    let smtp = Smtpd::start_with("tls", Some(&cert), &["--greeting-delay", &latency]);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The stalled web host answers the same ports as the real one, on another address.
    stalling_server(&format!("127.0.0.2:{}", https.port));
    stalling_server(&format!("127.0.0.2:{closed}"));
    let net_config = NetConfig {
        dns_server: Some(dns.addr),
        extra_roots: Some(ca.ca_pem.clone()),
        port_map: vec![
            (443, https.port),
            (80, closed),
            (465, smtp.port),
            (587, closed),
            (25, closed),
        ],
        ..NetConfig::default()
    };
    let options = Options {
        online: false,
        ..Options::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    println!(
        "Detection latency, {RUNS} runs each, {} ms injected per DNS answer, HTTP response and SMTP greeting",
        LATENCY.as_millis()
    );
    println!(
        "{:<18} {:>10} {:>10} {:>8}  source",
        "scenario", "median", "ideal", "ratio"
    );
    for s in &SCENARIOS {
        let mut times = Vec::with_capacity(RUNS);
        let mut source = String::new();
        let mut timeline = String::new();
        for _ in 0..RUNS {
            // A fresh network stack each run: nothing cached from the run before.
            let net = rt.block_on(async { Net::new(&net_config) }).unwrap();
            let start = Instant::now();
            let result = rt.block_on(detect::run(&net, s.email, &options, |_| {}));
            times.push(start.elapsed());
            let sources = match &result {
                Ok(d) => d.sources.clone(),
                Err(f) => f.sources.clone(),
            };
            timeline = sources
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}ms",
                        r.source,
                        r.outcome.as_str(),
                        r.elapsed.as_millis()
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            source = match result {
                Ok(d) => d.chosen.source.as_str().to_string(),
                Err(f) => format!("failed: {}", f.error),
            };
        }
        assert_eq!(source, s.expect_source, "{}", s.name);
        times.sort();
        let median = times[RUNS / 2];
        let ideal = LATENCY * s.hops
            + if s.stalled {
                detect::GRACE
            } else {
                Duration::ZERO
            };
        let ratio = if s.hops == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", median.as_secs_f64() / ideal.as_secs_f64())
        };
        println!(
            "{:<18} {:>7.1} ms {:>7} ms {:>8}  {}",
            s.name,
            median.as_secs_f64() * 1000.0,
            ideal.as_millis(),
            ratio,
            source
        );
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            println!("    last run: {timeline}");
        }
    }
}
