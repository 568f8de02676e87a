//! SMTP servers that misbehave on purpose, as a hostile or broken server would.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// How the server misbehaves.
#[derive(Clone, Copy)]
pub enum Misbehaviour {
    /// Sends its greeting one byte a second.
    Trickle,
    /// Answers EHLO with one line that never ends.
    EndlessLine,
    /// Offers AUTH and never answers the login.
    SilentLogin,
}

pub struct HostileSmtp {
    pub port: u16,
}

impl HostileSmtp {
    pub fn start(how: Misbehaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut s = stream;
                    match how {
                        Misbehaviour::Trickle => {
                            for b in b"220 slow.example.test ESMTP\r\n" {
                                if s.write_all(&[*b]).is_err() {
                                    return;
                                }
                                std::thread::sleep(Duration::from_secs(1));
                            }
                        }
                        Misbehaviour::SilentLogin => {
                            let _ = s.write_all(b"220 silent.example.test ESMTP\r\n");
                            let mut buf = [0u8; 512];
                            let _ = s.read(&mut buf);
                            let _ = s.write_all(b"250-silent.example.test\r\n250 AUTH PLAIN\r\n");
                            // Reads the login and says nothing, until the client hangs up.
                            while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                        }
                        Misbehaviour::EndlessLine => {
                            let _ = s.write_all(b"220 endless.example.test ESMTP\r\n");
                            let mut buf = [0u8; 512];
                            let _ = s.read(&mut buf);
                            let _ = s.write_all(b"250-");
                            let chunk = vec![b'A'; 64 * 1024];
                            // Until the client hangs up, or 1 GiB at most.
                            for _ in 0..16_384 {
                                if s.write_all(&chunk).is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        Self { port }
    }
}
