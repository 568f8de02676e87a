//! Live probes of the usual names and ports: `smtp.<d>`, `mail.<d>` and `<d>` on 465
//! (implicit TLS), 587 and 25 (STARTTLS). A probe counts when the server greets, answers EHLO
//! and completes TLS with a valid certificate; it never logs in. Beside them, `imap.<d>` and
//! `mail.<d>` on 993 (implicit TLS) and 143 (STARTTLS), for the IMAP server copies of sent
//! messages go to: a probe counts when the server greets over TLS with a valid certificate.

use std::time::Duration;

use tokio::task::JoinSet;

use super::model::{Candidate, IncomingServer, Outcome, Source};
use super::target::Target;
use crate::account::{AuthMethod, Security, SmtpSettings};
use crate::net::Net;
use crate::net::smtp::{Capabilities, SmtpConn, SmtpError};
use crate::net::tls;

/// How long one probe may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(6);
/// Delay between starting two probes, so a burst does not look like a port scan.
const STAGGER: Duration = Duration::from_millis(20);
/// A probe that got no answer, in words.
fn no_answer() -> String {
    tr!("probe-no-answer")
}
const PORTS: [(u16, Security); 3] = [
    (465, Security::Tls),
    (587, Security::Starttls),
    (25, Security::Starttls),
];

fn hosts(domain: &str) -> [String; 3] {
    [
        format!("smtp.{domain}"),
        format!("mail.{domain}"),
        domain.to_string(),
    ]
}

async fn probe(
    net: &Net,
    host: &str,
    port: u16,
    security: Security,
) -> Result<Capabilities, String> {
    let (tcp, _) = net
        .dialer
        .open(host, net.port(port), PROBE_TIMEOUT)
        .await
        .map_err(|e| e.to_string())?;
    let smtp = |e: SmtpError| e.to_string();
    let mut conn = if security == Security::Tls {
        let tls = tls::handshake(tcp, host, net.tls.clone())
            .await
            .map_err(|e| e.to_string())?;
        SmtpConn::tls(tls)
    } else {
        SmtpConn::plain(tcp)
    };
    let greeting = conn.read_reply().await.map_err(smtp)?;
    if greeting.code != 220 {
        return Err(tr!("probe-greeting", reply = greeting.to_string()));
    }
    let mut caps = conn.ehlo("[127.0.0.1]").await.map_err(smtp)?;
    if security == Security::Starttls {
        if !caps.starttls {
            return Err(tr!("probe-no-starttls"));
        }
        conn.starttls_command().await.map_err(smtp)?;
        conn = conn
            .upgrade(host, net.tls.clone())
            .await
            .map_err(|e| e.to_string())?;
        caps = conn.ehlo("[127.0.0.1]").await.map_err(smtp)?;
    }
    // The probe has its answer; a server slow to say goodbye changes nothing.
    tokio::time::timeout(Duration::from_millis(300), conn.quit())
        .await
        .ok();
    Ok(caps)
}

/// How long an IMAP probe may take: it must not hold up the answer.
const IMAP_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The first of the usual IMAP servers, in order of preference, that greets over TLS with a
/// valid certificate.
async fn find_imap(net: &Net, domain: &str) -> Option<IncomingServer> {
    let tries: Vec<(String, u16, Security)> = [(993, Security::Tls), (143, Security::Starttls)]
        .into_iter()
        .flat_map(|(port, security)| {
            [format!("imap.{domain}"), format!("mail.{domain}")]
                .into_iter()
                .map(move |host| (host, port, security))
        })
        .collect();
    let probes = tries.iter().map(|(host, port, security)| async move {
        let server = crate::net::imap::Server {
            host,
            port: *port,
            security: (*security).into(),
        };
        let conn =
            crate::net::imap::ImapConn::connect(net, server, net.tls.clone(), IMAP_PROBE_TIMEOUT);
        match tokio::time::timeout(IMAP_PROBE_TIMEOUT, conn).await {
            Ok(Ok(conn)) => {
                tokio::time::timeout(Duration::from_millis(300), conn.logout())
                    .await
                    .ok();
                true
            }
            _ => false,
        }
    });
    let answered = futures_util::future::join_all(probes).await;
    tries
        .into_iter()
        .zip(answered)
        .find(|(_, ok)| *ok)
        .map(|((host, port, security), _)| IncomingServer {
            host,
            port,
            security,
            source: Source::Guess,
            trusted: true,
        })
}

/// Probes every likely server at once (lightly staggered) and returns those that answered,
/// in order of preference.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let (smtp, imap) = tokio::join!(find_smtp(net, target), find_imap(net, &target.domain));
    let (mut candidates, outcome) = smtp;
    for c in &mut candidates {
        c.imap = imap.clone();
    }
    (candidates, outcome)
}

async fn find_smtp(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let mut set = JoinSet::new();
    let mut i = 0u32;
    for (h, host) in hosts(&target.domain).into_iter().enumerate() {
        for (p, (port, security)) in PORTS.into_iter().enumerate() {
            let net = net.clone();
            let host = host.clone();
            let delay = STAGGER * i;
            i += 1;
            set.spawn(async move {
                tokio::time::sleep(delay).await;
                let r = tokio::time::timeout(PROBE_TIMEOUT, probe(&net, &host, port, security))
                    .await
                    .unwrap_or_else(|_| Err(no_answer()));
                ((h, p), host, port, security, r)
            });
        }
    }
    // Results by preference rank; final once a success has no unfinished better probe.
    let total = (i as usize).max(1);
    let mut done: Vec<Option<Result<Capabilities, String>>> = vec![None; total];
    let mut found = Vec::new();
    let (mut errors, mut silent) = (0, 0);
    while let Some(Ok(((h, p), host, port, security, result))) = set.join_next().await {
        let rank = h * PORTS.len() + p;
        match &result {
            // A port-25 server that offers no login is an MX for incoming mail, not a
            // submission server.
            Ok(caps) if port == 25 && caps.auth.is_empty() => errors += 1,
            Ok(caps) => found.push(((h, p), host, port, security, caps.clone())),
            Err(e) => {
                errors += 1;
                silent += usize::from(*e == no_answer());
            }
        }
        done[rank] = Some(result);
        let best = found.iter().map(|f| f.0.0 * PORTS.len() + f.0.1).min();
        if best.is_some_and(|b| done[..b].iter().all(Option::is_some)) {
            set.abort_all();
            break;
        }
    }
    found.sort_by_key(|f| f.0);
    let candidates: Vec<Candidate> = found
        .into_iter()
        .map(|(_, host, port, security, caps)| Candidate {
            smtp: SmtpSettings {
                host,
                port,
                security,
                username: target.email.clone(),
                auth: if caps.auth.is_empty() {
                    AuthMethod::None
                } else {
                    AuthMethod::Password
                },
            },
            source: Source::Guess,
            trusted: true,
            warnings: vec![],
            provider: None,
            username_default: true,
            auth_default: caps.auth.is_empty(),
            oauth2: None,
            imap: None,
            signed: false,
        })
        .collect();
    let outcome = if candidates.is_empty() && silent > 0 && silent == errors {
        Outcome::Failed(tr!("probes-silent", count = silent))
    } else if candidates.is_empty() {
        Outcome::Nothing(tr!("probes-nothing", count = errors))
    } else {
        Outcome::Found(candidates.len())
    };
    (candidates, outcome)
}
