//! The commands Outpost sends, typed (as lettre's `commands.rs` does): each writes its own
//! line, so no caller builds protocol text by hand, and a line that may hold a login is
//! written into a buffer the session wipes.

use super::extension::Mechanism;
use crate::secret::Secret;

/// One SMTP command.
#[derive(Debug, Clone, Copy)]
pub enum Command<'a> {
    /// `EHLO name`.
    Ehlo(&'a str),
    /// `STARTTLS`.
    Starttls,
    /// `AUTH mechanism [initial response]`; the response is base64 and may hold a secret.
    Auth {
        /// The mechanism.
        mechanism: Mechanism,
        /// The initial response (RFC 4954), if sent with the command.
        initial: Option<&'a Secret>,
    },
    /// A base64 answer to a `334` challenge (may hold a secret); empty asks a server that sent
    /// an error as a challenge (XOAUTH2) to finish.
    Response(&'a Secret),
    /// `*`: gives up a login exchange (RFC 4954).
    CancelAuth,
    /// `MAIL FROM:<from> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]` (RFC 1870, 6152, 6531).
    Mail {
        /// The envelope sender.
        from: &'a str,
        /// The message's size, when the server announced SIZE.
        size: Option<usize>,
        /// The body has 8-bit bytes and the server announced 8BITMIME.
        eight_bit: bool,
        /// The header or an address has UTF-8 and the server announced SMTPUTF8.
        smtputf8: bool,
    },
    /// `RCPT TO:<to>`.
    Rcpt {
        /// One recipient.
        to: &'a str,
    },
    /// `DATA`.
    Data,
    /// `RSET`.
    Rset,
    /// `QUIT`.
    Quit,
}

impl Command<'_> {
    /// Appends the command's line with its CRLF to `buf`. The buffer may then hold a login:
    /// wipe it after use.
    pub fn write_to(&self, buf: &mut Vec<u8>) {
        let mut put = |s: &str| buf.extend_from_slice(s.as_bytes());
        match self {
            Command::Ehlo(name) => {
                put("EHLO ");
                put(name);
            }
            Command::Starttls => put("STARTTLS"),
            Command::Auth { mechanism, initial } => {
                put("AUTH ");
                put(mechanism.name());
                if let Some(initial) = initial {
                    put(" ");
                    put(initial.expose());
                }
            }
            Command::Response(answer) => put(answer.expose()),
            Command::CancelAuth => put("*"),
            Command::Mail {
                from,
                size,
                eight_bit,
                smtputf8,
            } => {
                put("MAIL FROM:<");
                put(from);
                put(">");
                if let Some(n) = size {
                    put(&format!(" SIZE={n}"));
                }
                if *eight_bit {
                    put(" BODY=8BITMIME");
                }
                if *smtputf8 {
                    put(" SMTPUTF8");
                }
            }
            Command::Rcpt { to } => {
                put("RCPT TO:<");
                put(to);
                put(">");
            }
            Command::Data => put("DATA"),
            Command::Rset => put("RSET"),
            Command::Quit => put("QUIT"),
        }
        buf.extend_from_slice(b"\r\n");
    }

    /// The command's line as a transcript shows it (without CRLF): a login's initial
    /// response and answers are [`super::transcript::HIDDEN`], whatever they hold.
    pub fn redacted(&self) -> String {
        use super::transcript::HIDDEN;
        match self {
            Command::Auth {
                mechanism,
                initial: Some(_),
            } => format!("AUTH {} {HIDDEN}", mechanism.name()),
            Command::Response(answer) if answer.expose().is_empty() => String::new(),
            Command::Response(_) => HIDDEN.to_string(),
            other => {
                let mut buf = Vec::new();
                other.write_to(&mut buf);
                String::from_utf8_lossy(&buf).trim_end().to_string()
            }
        }
    }

    /// The command's name, for errors and history (never a secret).
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Ehlo(_) => "EHLO",
            Command::Starttls => "STARTTLS",
            Command::Auth { .. } | Command::Response(_) | Command::CancelAuth => "AUTH",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Rset => "RSET",
            Command::Quit => "QUIT",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(c: Command<'_>) -> String {
        let mut buf = vec![];
        c.write_to(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn commands_write_their_own_lines() {
        assert_eq!(
            line(Command::Ehlo("client.example")),
            "EHLO client.example\r\n"
        );
        assert_eq!(
            line(Command::Mail {
                from: "ann@example.org",
                size: Some(2048),
                eight_bit: false,
                smtputf8: false,
            }),
            "MAIL FROM:<ann@example.org> SIZE=2048\r\n"
        );
        assert_eq!(
            line(Command::Mail {
                from: "",
                size: None,
                eight_bit: false,
                smtputf8: false,
            }),
            "MAIL FROM:<>\r\n"
        );
        assert_eq!(
            line(Command::Mail {
                from: "jürgen@beispiel.de",
                size: Some(10),
                eight_bit: true,
                smtputf8: true,
            }),
            "MAIL FROM:<jürgen@beispiel.de> SIZE=10 BODY=8BITMIME SMTPUTF8\r\n"
        );
        assert_eq!(
            line(Command::Rcpt {
                to: "bob@example.net"
            }),
            "RCPT TO:<bob@example.net>\r\n"
        );
        let token = Secret::new("AGFubgBwdw==");
        let auth = Command::Auth {
            mechanism: Mechanism::Plain,
            initial: Some(&token),
        };
        assert_eq!(line(auth), "AUTH PLAIN AGFubgBwdw==\r\n");
        assert_eq!(auth.redacted(), "AUTH PLAIN [hidden]", "never the secret");
        assert_eq!(Command::Response(&token).redacted(), "[hidden]");
        assert_eq!(auth.verb(), "AUTH");
        assert_eq!(line(Command::Response(&Secret::default())), "\r\n");
        assert_eq!(line(Command::CancelAuth), "*\r\n");
    }
}
