//! Server replies: the 3-digit code, the RFC 3463 enhanced code when the server sends one,
//! and the text lines; one line's syntax ([`parse_line`]).

use std::fmt;

/// An RFC 3463 enhanced status code such as `5.7.8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// 2, 4 or 5.
    pub class: u8,
    /// The subject (e.g. 7 for security).
    pub subject: u16,
    /// The detail.
    pub detail: u16,
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl EnhancedCode {
    /// Reads `x.y.z` at the start of `text`, where x is 2, 4 or 5.
    pub fn parse_prefix(text: &str) -> Option<(Self, &str)> {
        let word = text.split_whitespace().next()?;
        let mut parts = word.split('.');
        let class: u8 = parts.next()?.parse().ok()?;
        let subject: u16 = parts.next()?.parse().ok()?;
        let detail: u16 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !matches!(class, 2 | 4 | 5) || subject > 999 || detail > 999 {
            return None;
        }
        let rest = text[text.find(word)? + word.len()..].trim_start();
        Some((
            Self {
                class,
                subject,
                detail,
            },
            rest,
        ))
    }
}

/// Text that is not an SMTP reply: what was received (shortened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// A server reply: its code, enhanced code (from the first line) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code, when the server sent one.
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line, without code and enhanced code.
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx or 3xx.
    pub fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }

    /// 4xx: try again later.
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx: will not succeed as it is.
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The text of all lines, joined with spaces.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

impl Reply {
    /// Builds a reply from its raw lines (without CR LF); all must carry the same code.
    pub fn from_lines(raw: &[impl AsRef<str>]) -> Result<Self, Malformed> {
        let mut code = None;
        let mut lines = Vec::with_capacity(raw.len());
        for line in raw {
            let line = line.as_ref();
            let (c, last, text) = parse_line(line)?;
            if *code.get_or_insert(c) != c || (last && lines.len() + 1 != raw.len()) {
                return Err(Malformed(line.to_string()));
            }
            lines.push(text.to_string());
        }
        let code = code.ok_or_else(|| Malformed(String::new()))?;
        let mut enhanced = None;
        // Enhanced codes matter on status replies; EHLO's keyword lines have none.
        if (code != 250 || lines.len() == 1)
            && let Some((e, rest)) = lines.first().and_then(|l| EnhancedCode::parse_prefix(l))
            && u16::from(e.class) == code / 100
        {
            enhanced = Some(e);
            lines[0] = rest.to_string();
        }
        Ok(Reply {
            code,
            enhanced,
            lines,
        })
    }
}

impl std::str::FromStr for Reply {
    type Err = Malformed;

    /// Parses a reply as a server sends it, lines separated by CR LF or LF.
    fn from_str(s: &str) -> Result<Self, Malformed> {
        let lines: Vec<&str> = s.lines().collect();
        Reply::from_lines(&lines)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        let text = self.text();
        if !text.is_empty() {
            write!(f, " {text}")?;
        }
        Ok(())
    }
}

/// Parses one reply line into (code, is_last, text).
pub fn parse_line(line: &str) -> Result<(u16, bool, &str), Malformed> {
    let bad = || Malformed(line.chars().take(80).collect());
    let bytes = line.as_bytes();
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let code: u16 = line[..3].parse().map_err(|_| bad())?;
    if !(200..600).contains(&code) {
        return Err(bad());
    }
    match bytes.get(3) {
        None => Ok((code, true, "")),
        Some(b' ') => Ok((code, true, &line[4..])),
        Some(b'-') => Ok((code, false, &line[4..])),
        Some(_) => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines_parse_with_continuation() {
        assert_eq!(
            parse_line("250-SIZE 100").unwrap(),
            (250, false, "SIZE 100")
        );
        assert_eq!(parse_line("250 OK").unwrap(), (250, true, "OK"));
        assert_eq!(parse_line("220").unwrap(), (220, true, ""));
        assert!(parse_line("25O OK").is_err());
        assert!(parse_line("999 what").is_err());
        assert!(parse_line("250_x").is_err());
    }
    #[test]
    fn multi_line_replies_must_agree_and_end_once() {
        let r: Reply = "250-mail.example.org\r\n250-SIZE 10\r\n250 AUTH PLAIN"
            .parse()
            .unwrap();
        assert_eq!(r.lines, ["mail.example.org", "SIZE 10", "AUTH PLAIN"]);
        assert!(r.enhanced.is_none());
        assert!("250-a\n251 b".parse::<Reply>().is_err());
        assert!("250 a\n250 b".parse::<Reply>().is_err());
        assert!("".parse::<Reply>().is_err());
        let r: Reply = "451 4.7.1 Try later".parse().unwrap();
        assert!(r.is_transient());
        // An enhanced code of the wrong class is text, not a code.
        let r: Reply = "550 2.0.0 odd".parse().unwrap();
        assert!(r.enhanced.is_none());
    }
    #[test]
    fn enhanced_codes_are_read_only_when_well_formed() {
        let (code, rest) = EnhancedCode::parse_prefix("5.7.8 Authentication failed").unwrap();
        assert_eq!(code.to_string(), "5.7.8");
        assert_eq!(rest, "Authentication failed");
        assert!(EnhancedCode::parse_prefix("1.2.3 no").is_none());
        assert!(EnhancedCode::parse_prefix("5.7 no").is_none());
        assert!(EnhancedCode::parse_prefix("Authentication failed").is_none());
    }
    #[test]
    fn replies_parse_and_display_code_enhanced_code_and_text() {
        let r: Reply = "535 5.7.8 Authentication credentials invalid"
            .parse()
            .unwrap();
        assert_eq!(r.enhanced.map(|e| e.to_string()).as_deref(), Some("5.7.8"));
        assert_eq!(
            r.to_string(),
            "535 5.7.8 Authentication credentials invalid"
        );
        assert!(r.is_permanent() && !r.is_transient() && !r.is_positive());
    }
}
