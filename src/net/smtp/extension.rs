//! What a server offers in its EHLO reply, and the login mechanisms Outpost speaks.

use super::reply::Reply;

/// Login mechanisms Outpost can use, strongest preference first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 4616.
    Plain,
    /// The widespread non-standard LOGIN.
    Login,
    /// Google's and Microsoft's OAuth2 bearer mechanism.
    Xoauth2,
    /// The standard OAuth2 bearer mechanism (RFC 7628), preferred where offered.
    Oauthbearer,
}

impl Mechanism {
    /// The name in EHLO and AUTH.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::Oauthbearer => "OAUTHBEARER",
        }
    }
}

/// What the server announced in its EHLO reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// The name the server gave for itself.
    pub server_name: String,
    /// STARTTLS is offered.
    pub starttls: bool,
    /// The largest message accepted, in bytes (0 = no limit announced as a number).
    pub size: Option<u64>,
    /// AUTH mechanisms offered, upper case.
    pub auth: Vec<String>,
    /// 8BITMIME.
    pub eight_bit_mime: bool,
    /// SMTPUTF8.
    pub smtputf8: bool,
    /// PIPELINING.
    pub pipelining: bool,
    /// ENHANCEDSTATUSCODES.
    pub enhanced_status_codes: bool,
}

impl Capabilities {
    /// Reads the capabilities from a 250 EHLO reply.
    pub fn from_ehlo(reply: &Reply) -> Self {
        let mut caps = Capabilities {
            server_name: reply
                .lines
                .first()
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or_default()
                .to_string(),
            ..Default::default()
        };
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            // `AUTH=LOGIN PLAIN` is an old form some servers still send.
            let (keyword, inline) = match keyword.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (keyword, None),
            };
            match keyword.to_ascii_uppercase().as_str() {
                "STARTTLS" => caps.starttls = true,
                "SIZE" => caps.size = words.next().and_then(|n| n.parse().ok()).or(Some(0)),
                "AUTH" => {
                    for m in inline.into_iter().chain(words) {
                        let m = m.to_ascii_uppercase();
                        if !caps.auth.contains(&m) {
                            caps.auth.push(m);
                        }
                    }
                }
                "8BITMIME" => caps.eight_bit_mime = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "PIPELINING" => caps.pipelining = true,
                "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
                _ => {}
            }
        }
        caps
    }

    /// The first of `wanted` that the server offers.
    pub fn pick_mechanism(&self, wanted: &[Mechanism]) -> Option<Mechanism> {
        wanted
            .iter()
            .copied()
            .find(|m| self.auth.iter().any(|a| a == m.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, lines: &[&str]) -> Reply {
        Reply {
            code,
            enhanced: None,
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }
    }
    #[test]
    fn ehlo_capabilities_are_read() {
        let caps = Capabilities::from_ehlo(&reply(
            250,
            &[
                "mail.example.org Hello",
                "SIZE 35882577",
                "8BITMIME",
                "AUTH LOGIN PLAIN XOAUTH2",
                "AUTH=LOGIN",
                "ENHANCEDSTATUSCODES",
                "PIPELINING",
                "SMTPUTF8",
                "STARTTLS",
            ],
        ));
        assert_eq!(caps.server_name, "mail.example.org");
        assert_eq!(caps.size, Some(35882577));
        assert_eq!(caps.auth, vec!["LOGIN", "PLAIN", "XOAUTH2"]);
        assert!(caps.starttls && caps.eight_bit_mime && caps.smtputf8 && caps.pipelining);
        assert!(caps.enhanced_status_codes);
        assert_eq!(
            caps.pick_mechanism(&[Mechanism::Plain, Mechanism::Login]),
            Some(Mechanism::Plain)
        );
    }
    #[test]
    fn no_common_mechanism_is_none() {
        let caps = Capabilities::from_ehlo(&reply(250, &["x", "AUTH CRAM-MD5"]));
        assert_eq!(
            caps.pick_mechanism(&[Mechanism::Plain, Mechanism::Login]),
            None
        );
    }
}
