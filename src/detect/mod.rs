//! Finding SMTP settings from nothing but an e-mail address.
//!
//! Every source starts at once under one deadline ([`run`]); the answer is final as soon as
//! the best-ranked source that can still answer has answered, or [`GRACE`] after the first
//! trusted answer, whichever comes first; the losers are cancelled, except better-ranked
//! sources still running, which a window may keep until the deadline ([`Late`]).
//! Sources, best first (an account already at the domain answers before any of them: see
//! [`known`]): the built-in provider table, the provider's HTTPS autoconfig, the domain's
//! PACC document ([`pacc`]), the domain's well-known autoconfig, Thunderbird's online ISPDB,
//! DNS SRV records, the MX host as a provider, Microsoft Autodiscover, live probes of likely
//! servers, and autoconfig over plain HTTP (never trusted).

pub mod autoconfig;
pub mod autodiscover;
pub mod config_xml;
mod explain;
pub mod facts;
pub mod guess;
mod help;
pub mod known;
pub mod model;
pub mod mx;
pub mod pacc;
pub mod providers;
pub mod srv;
mod target;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use facts::ProviderHelp;
pub use model::{Candidate, Detection, IncomingServer, Outcome, Progress, Source, SourceReport};
use providers::ProviderTable;
pub use target::{DetectError, Failure, Target, parse_address, within};

use crate::account::Security;
use crate::net::Net;

/// Once a trusted answer is known, how long better-ranked sources still running may take to
/// answer (counted from that answer) before it is final: a stalled web host (wildcard DNS
/// pointing autoconfig at a server that accepts and never answers) does not hold it up.
pub const GRACE: Duration = Duration::from_millis(800);

/// What to run, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The whole detection's limit.
    pub deadline: Duration,
    /// Probe servers live (the guess source).
    pub probe: bool,
    /// Ask Thunderbird's online ISPDB.
    pub online: bool,
    /// Send the address itself to autoconfig servers (`?emailaddress=`); off for privacy.
    pub share_address: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            probe: true,
            online: true,
            share_address: false,
        }
    }
}

fn builtin(target: &Target) -> (Vec<Candidate>, Outcome) {
    match ProviderTable::builtin().lookup(&target.domain) {
        Some(p) => {
            let c = p.candidates(&target.email, Source::Builtin);
            let n = c.len();
            (c, Outcome::Found(n))
        }
        None => (
            vec![],
            Outcome::Nothing(tr!("not-in-builtin", domain = target.domain.as_str())),
        ),
    }
}

fn security_rank(s: Security) -> u8 {
    match s {
        Security::Tls => 0,
        Security::Starttls => 1,
        Security::None => 2,
    }
}

/// Keeps the source's order of hosts, but puts implicit TLS first among a host's entries.
fn order(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut first_seen: Vec<String> = Vec::new();
    for c in &candidates {
        let h = c.smtp.host.to_ascii_lowercase();
        if !first_seen.contains(&h) {
            first_seen.push(h);
        }
    }
    candidates.sort_by_key(|c| {
        let h = c.smtp.host.to_ascii_lowercase();
        (
            first_seen.iter().position(|x| *x == h),
            security_rank(c.smtp.security),
        )
    });
    candidates
}

/// The candidate to choose from one source: encrypted before unencrypted.
fn pick(candidates: &[Candidate], trusted_only: bool) -> Option<&Candidate> {
    let eligible = || candidates.iter().filter(|c| c.trusted || !trusted_only);
    eligible()
        .find(|c| c.smtp.security != Security::None)
        .or_else(|| eligible().next())
}

/// Runs every enabled source at once and returns the best trusted answer, as soon as it is
/// known or when the deadline passes.
pub async fn run(
    net: &Net,
    email: &str,
    options: &Options,
    progress: impl FnMut(Progress),
) -> Result<Detection, Failure> {
    run_keeping_late(net, email, options, progress).await.0
}

/// Sources ranked above the answer given that were still running when it was given: they
/// may yet answer, until the detection's deadline. Dropping it stops them.
#[derive(Debug)]
pub struct Late {
    set: JoinSet<(Source, Vec<Candidate>, Outcome)>,
    target: Target,
    results: BTreeMap<Source, Vec<Candidate>>,
    reports: Vec<SourceReport>,
    start: Instant,
    deadline: tokio::time::Instant,
    chosen: Source,
}

impl Late {
    /// Waits for a better-ranked source to give a trusted answer, until the deadline: the
    /// detection it makes, with that answer chosen.
    pub async fn better(mut self) -> Option<Detection> {
        loop {
            let next = tokio::select! {
                next = self.set.join_next() => next?,
                _ = tokio::time::sleep_until(self.deadline) => return None,
            };
            let Ok((source, candidates, outcome)) = next else {
                continue;
            };
            let report = SourceReport {
                source,
                outcome,
                elapsed: self.start.elapsed(),
            };
            match self.reports.iter_mut().find(|r| r.source == source) {
                Some(r) => *r = report,
                None => self.reports.push(report),
            }
            let better = source < self.chosen && pick(&candidates, true).is_some();
            self.results.insert(source, candidates);
            if better {
                let (results, reports) = (self.results, self.reports);
                return decide(self.target, results, reports, self.start.elapsed()).ok();
            }
        }
    }
}

/// As [`run`]; also what may still give a better answer, when a better-ranked source had
/// not answered when the answer was given.
pub async fn run_keeping_late(
    net: &Net,
    email: &str,
    options: &Options,
    mut progress: impl FnMut(Progress),
) -> (Result<Detection, Failure>, Option<Late>) {
    let target = match parse_address(email) {
        Ok(t) => t,
        Err(error) => {
            let email = email.trim().to_string();
            let sources = vec![];
            return (
                Err(Failure {
                    email,
                    error,
                    sources,
                }),
                None,
            );
        }
    };
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + options.deadline;
    let mut set: JoinSet<(Source, Vec<Candidate>, Outcome)> = JoinSet::new();
    let mut started = vec![
        Source::Builtin,
        Source::Autoconfig,
        Source::Pacc,
        Source::Wellknown,
    ];
    if options.online {
        started.push(Source::Ispdb);
    }
    started.extend([Source::Srv, Source::Mx, Source::Autodiscover]);
    if options.probe {
        started.push(Source::Guess);
    }
    started.push(Source::Http);
    let options = *options;
    let mut running = Vec::new();
    for &source in &started {
        progress(Progress::Started(source));
        let (net, target) = (net.clone(), target.clone());
        let handle = set.spawn(async move {
            let proxy = net.dialer.proxy().cloned();
            let (c, o) = match source {
                Source::Builtin => builtin(&target),
                // Given by the caller from the accounts (see `known`), never started here.
                Source::Known => (vec![], Outcome::Nothing(String::new())),
                Source::Autoconfig | Source::Wellknown | Source::Ispdb | Source::Http => {
                    autoconfig::find(&net, &target, source, options.share_address).await
                }
                // DNS cannot go through a SOCKS5 proxy: asking would tell the network which
                // domain is being set up, around the proxy.
                Source::Srv | Source::Mx | Source::Pacc if let Some(proxy) = proxy => (
                    vec![],
                    Outcome::Skipped(tr!("dns-around-proxy", proxy = proxy.to_string())),
                ),
                Source::Srv => srv::find(&net, &target).await,
                Source::Pacc => pacc::find(&net, &target).await,
                Source::Mx => mx::find(&net, &target, options.online).await,
                Source::Autodiscover => autodiscover::find(&net, &target).await,
                Source::Guess => guess::find(&net, &target).await,
            };
            (source, order(c), o)
        });
        running.push((source, handle));
    }

    let mut results: BTreeMap<Source, Vec<Candidate>> = BTreeMap::new();
    let mut reports: Vec<SourceReport> = Vec::new();
    let settled = |results: &BTreeMap<Source, Vec<Candidate>>| {
        // Final once a source has a trusted answer and every better source has answered.
        for s in &started {
            match results.get(s) {
                None => return false,
                Some(c) if pick(c, true).is_some() => return true,
                Some(_) => {}
            }
        }
        true
    };
    // Once a trusted answer is known, better sources still running get GRACE to answer.
    let mut final_at: Option<tokio::time::Instant> = None;
    while !settled(&results) {
        let wake = final_at.map_or(deadline, |at| at.min(deadline));
        let next = tokio::select! {
            next = set.join_next() => next,
            _ = tokio::time::sleep_until(wake) => break,
        };
        let Some(Ok((source, candidates, outcome))) = next else {
            break;
        };
        let report = SourceReport {
            source,
            outcome,
            elapsed: start.elapsed(),
        };
        progress(Progress::Finished(report.clone()));
        reports.push(report);
        if final_at.is_none() && pick(&candidates, true).is_some() {
            final_at = Some(tokio::time::Instant::now() + GRACE);
        }
        results.insert(source, candidates);
    }
    for &s in &started {
        if !results.contains_key(&s) {
            let report = SourceReport {
                source: s,
                outcome: Outcome::Cancelled,
                elapsed: start.elapsed(),
            };
            progress(Progress::Finished(report.clone()));
            reports.push(report);
        }
    }
    reports.sort_by_key(|r| r.source);
    let found = decide(
        target.clone(),
        results.clone(),
        reports.clone(),
        start.elapsed(),
    );
    // Better-ranked sources still running may answer before the deadline; the rest stop.
    let chosen = found.as_ref().ok().map(|d| d.chosen.source);
    let waiting = chosen.filter(|c| started.iter().any(|s| s < c && !results.contains_key(s)));
    let Some(chosen) = waiting else {
        set.abort_all();
        return (found, None);
    };
    // Only a better-ranked source can still change the answer: the others stop now.
    for (source, handle) in running {
        if source >= chosen {
            handle.abort();
        }
    }
    let late = Late {
        set,
        target,
        results,
        reports,
        start,
        deadline,
        chosen,
    };
    (found, Some(late))
}

fn decide(
    target: Target,
    results: BTreeMap<Source, Vec<Candidate>>,
    sources: Vec<SourceReport>,
    elapsed: Duration,
) -> Result<Detection, Failure> {
    // Best-ranked trusted and encrypted; then trusted; then anything, encrypted first.
    let encrypted = |c: &&Candidate| c.smtp.security != Security::None;
    let chosen = results
        .values()
        .find_map(|c| pick(c, true).filter(encrypted))
        .or_else(|| results.values().find_map(|c| pick(c, true)))
        .or_else(|| {
            results
                .values()
                .find_map(|c| pick(c, false).filter(encrypted))
        })
        .or_else(|| results.values().find_map(|c| pick(c, false)))
        .cloned();
    let Some(chosen) = chosen else {
        // The DNS sources failed, or were still waiting for an answer at the deadline.
        let dns_dead = sources.iter().any(|r| r.source == Source::Srv)
            && sources
                .iter()
                .filter(|r| matches!(r.source, Source::Srv | Source::Mx))
                .all(|r| match &r.outcome {
                    Outcome::Failed(d) => d.contains("DNS"),
                    Outcome::Cancelled => true,
                    _ => false,
                });
        let domain = target.domain_unicode.clone();
        let probes_blocked = sources.iter().any(|r| {
            r.source == Source::Guess
                && matches!(&r.outcome, Outcome::Failed(d) if d.contains("blocked"))
        });
        let error = if dns_dead {
            DetectError::DnsUnreachable { domain }
        } else if probes_blocked {
            DetectError::ProbesBlocked { domain }
        } else {
            DetectError::NothingFound { domain }
        };
        return Err(Failure {
            email: target.email_display,
            error,
            sources,
        });
    };
    // The IMAP server: the chosen source's, else the best-ranked source's.
    let imap = chosen.imap.clone().or_else(|| {
        results
            .values()
            .flatten()
            .find_map(|c| c.imap.clone().filter(|i| i.trusted))
    });
    let mut warnings = chosen.warnings.clone();
    let mut trusted = chosen.trusted;
    if !chosen.trusted {
        warnings.push(tr!(
            "warn-unauthenticated",
            source = chosen.source.to_string()
        ));
    }
    if chosen.smtp.security == Security::None {
        trusted = false;
        warnings.push(tr!("warn-no-encryption"));
    }
    for (source, candidates) in &results {
        if *source == chosen.source {
            continue;
        }
        let Some(other) = pick(candidates, true) else {
            continue;
        };
        if !candidates
            .iter()
            .any(|c| c.smtp.host.eq_ignore_ascii_case(&chosen.smtp.host))
        {
            trusted = false;
            warnings.push(tr!(
                "warn-disagree",
                first = chosen.source.to_string(),
                first_says = chosen.describe(),
                second = source.to_string(),
                second_says = other.describe()
            ));
        }
    }
    let mut alternatives: Vec<Candidate> = Vec::new();
    for c in results.values().flatten() {
        if c.key() != chosen.key() && !alternatives.iter().any(|a| a.key() == c.key()) {
            alternatives.push(c.clone());
        }
    }
    let provider = ProviderHelp::find(&chosen.smtp.host, &target.domain);
    Ok(Detection {
        email: target.email_display,
        provider,
        chosen,
        trusted,
        warnings,
        alternatives,
        sources,
        elapsed,
        imap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_idn_domains_encoded() {
        let t = parse_address(" Ann@Bücher.example ").unwrap();
        assert_eq!(t.domain, "xn--bcher-kva.example");
        assert_eq!(t.domain_unicode, "bücher.example");
        assert_eq!(t.email, "Ann@xn--bcher-kva.example");
        assert_eq!(t.email_display, "Ann@bücher.example");
        for bad in [
            "ann",
            "@example.org",
            "ann@",
            "ann@localhost",
            "an n@example.org",
            "a@1.2.3.4",
        ] {
            assert!(parse_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_within_a_domain_are_recognised() {
        assert!(within("smtp.example.org.", "example.org"));
        assert!(within("example.org", "example.org"));
        assert!(!within("badexample.org", "example.org"));
    }
}
