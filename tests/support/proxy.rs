//! A man in the middle for SMTP: relays between Outpost and a real server and tampers with
//! STARTTLS, as an attacker on the path would. Records every line the client sent.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// How the proxy attacks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// Removes STARTTLS from the server's EHLO reply.
    HideStarttls,
    /// Answers the client's STARTTLS with an error instead of passing it on.
    RefuseStarttls,
}

pub struct StripProxy {
    pub port: u16,
    /// Every line the client sent, in order, across connections.
    pub client_lines: Arc<Mutex<Vec<String>>>,
}

/// Reads one whole reply (all its lines) from the server.
fn reply(server: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if server.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line);
        if last {
            return Some(lines);
        }
    }
}

/// The reply without its STARTTLS line, continuation marks set right again.
fn without_starttls(lines: Vec<String>) -> Vec<String> {
    let kept: Vec<String> = lines
        .into_iter()
        .filter(|l| {
            !l.get(4..)
                .is_some_and(|t| t.eq_ignore_ascii_case("STARTTLS"))
        })
        .collect();
    let n = kept.len();
    kept.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let sep = if i + 1 == n { ' ' } else { '-' };
            format!("{}{sep}{}", &l[..3], l.get(4..).unwrap_or(""))
        })
        .collect()
}

fn relay(client: TcpStream, upstream: u16, attack: Attack, log: Arc<Mutex<Vec<String>>>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let mut to_server = server.try_clone().unwrap();
    let mut server = BufReader::new(server);
    let mut to_client = client.try_clone().unwrap();
    let mut client = BufReader::new(client);
    let send = |to: &mut TcpStream, lines: &[String]| {
        let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        to.write_all(text.as_bytes())
    };
    let Some(greeting) = reply(&mut server) else {
        return;
    };
    if send(&mut to_client, &greeting).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        log.lock().unwrap().push(command.clone());
        if attack == Attack::RefuseStarttls && command.eq_ignore_ascii_case("STARTTLS") {
            let refusal = ["454 4.7.0 TLS not available due to temporary reason".to_string()];
            if send(&mut to_client, &refusal).is_err() {
                return;
            }
            continue;
        }
        if to_server.write_all(line.as_bytes()).is_err() {
            return;
        }
        let Some(mut answer) = reply(&mut server) else {
            return;
        };
        if attack == Attack::HideStarttls {
            answer = without_starttls(answer);
        }
        if send(&mut to_client, &answer).is_err() {
            return;
        }
    }
}

impl StripProxy {
    /// Listens on 127.0.0.1 and relays each connection to `upstream` on 127.0.0.1.
    pub fn start(upstream: u16, attack: Attack) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client_lines = Arc::new(Mutex::new(Vec::new()));
        let log = client_lines.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || relay(client, upstream, attack, log));
            }
        });
        Self { port, client_lines }
    }

    /// Whether the client ever sent a line starting with `command`.
    pub fn client_sent(&self, command: &str) -> bool {
        self.client_lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.to_ascii_uppercase().starts_with(command))
    }
}
