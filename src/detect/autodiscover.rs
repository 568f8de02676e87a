//! Microsoft Autodiscover (the "POX" XML protocol): the SMTP entry of an Outlook
//! configuration, with `redirectUrl` answers followed (HTTPS only, bounded).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::config_xml::MAX_BYTES;
use super::model::{Candidate, Outcome, Source};
use super::target::Target;
use crate::account::{AuthMethod, Security, SmtpSettings, parse_host};
use crate::net::Net;

const MAX_HOPS: usize = 2;

/// What an Autodiscover answer says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutodiscoverAnswer {
    /// SMTP servers: host, port, security, login name.
    pub smtp: Vec<(String, u16, Security, Option<String>)>,
    /// Ask this URL instead (`Action` = `redirectUrl`).
    pub redirect_url: Option<String>,
}

#[derive(Default)]
struct Protocol {
    kind: String,
    server: String,
    port: String,
    ssl: String,
    encryption: String,
    login: String,
}

impl Protocol {
    fn smtp(&self) -> Option<(String, u16, Security, Option<String>)> {
        if !self.kind.eq_ignore_ascii_case("SMTP") {
            return None;
        }
        let host = parse_host(&self.server).ok()?;
        let port: u16 = self.port.trim().parse().ok().filter(|p| *p > 0)?;
        let security = match self.encryption.trim().to_ascii_lowercase().as_str() {
            "ssl" => Security::Tls,
            "tls" | "auto" => Security::Starttls,
            "none" => Security::None,
            _ if self.ssl.trim().eq_ignore_ascii_case("off") => Security::None,
            _ if port == 465 => Security::Tls,
            _ => Security::Starttls,
        };
        let login = Some(self.login.trim().to_string()).filter(|l| !l.is_empty());
        Some((host, port, security, login))
    }
}

/// Parses an Autodiscover response, bounded like the autoconfig parser.
pub fn parse(xml: &str) -> Result<AutodiscoverAnswer, String> {
    if xml.len() > MAX_BYTES {
        return Err(tr!("autodiscover-too-large"));
    }
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut answer = AutodiscoverAnswer::default();
    let mut protocol: Option<Protocol> = None;
    let mut action = String::new();
    let mut redirect = String::new();
    let mut root: Option<String> = None;
    loop {
        match reader
            .read_event()
            .map_err(|e| tr!("autodiscover-malformed", error = e.to_string()))?
        {
            Event::Start(e) => {
                if path.len() >= 32 {
                    return Err(tr!("xml-too-deep"));
                }
                let name = e.local_name().as_ref().to_string();
                root.get_or_insert_with(|| name.clone());
                if name == "Protocol" {
                    protocol = Some(Protocol::default());
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) if text.len() < 2048 => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text).trim().to_string();
                match (name.as_str(), protocol.as_mut()) {
                    ("Protocol", _) => {
                        if let Some(s) = protocol.take().and_then(|p| p.smtp())
                            && answer.smtp.len() < 16
                        {
                            answer.smtp.push(s);
                        }
                    }
                    ("Type", Some(p)) => p.kind = value,
                    ("Server", Some(p)) => p.server = value,
                    ("Port", Some(p)) => p.port = value,
                    ("SSL", Some(p)) => p.ssl = value,
                    ("Encryption", Some(p)) => p.encryption = value,
                    ("LoginName", Some(p)) => p.login = value,
                    ("Action", None) => action = value,
                    ("RedirectUrl", None) => redirect = value,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.as_deref() != Some("Autodiscover") {
        return Err(tr!("autodiscover-not"));
    }
    if action.eq_ignore_ascii_case("redirectUrl") && !redirect.is_empty() {
        answer.redirect_url = Some(redirect);
    }
    Ok(answer)
}

fn request(email: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{email}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>"#
    )
}

/// Asks `autodiscover.<d>` and then `<d>` itself.
pub async fn find(net: &Net, target: &Target) -> (Vec<Candidate>, Outcome) {
    let d = &target.domain;
    let body = request(&target.email);
    let mut problems = Vec::new();
    let starts = [
        format!("https://autodiscover.{d}/autodiscover/autodiscover.xml"),
        format!("https://{d}/autodiscover/autodiscover.xml"),
    ];
    for start in starts {
        let mut url = start;
        for _ in 0..=MAX_HOPS {
            let answer = match net.http.post_xml(&url, &body, MAX_BYTES).await {
                Ok(r) => parse(&r.body),
                Err(e) => Err(e.to_string()),
            };
            match answer {
                Ok(a) if !a.smtp.is_empty() => {
                    let c = to_candidates(a, target);
                    let n = c.len();
                    return (c, Outcome::Found(n));
                }
                Ok(AutodiscoverAnswer {
                    redirect_url: Some(next),
                    ..
                }) if next.starts_with("https://") => {
                    url = next;
                    continue;
                }
                Ok(_) => problems.push(tr!("no-smtp-in-it", url = url.as_str())),
                Err(e) => problems.push(format!("{url}: {e}")),
            }
            break;
        }
    }
    (vec![], Outcome::Nothing(problems.join("; ")))
}

fn to_candidates(a: AutodiscoverAnswer, target: &Target) -> Vec<Candidate> {
    a.smtp
        .into_iter()
        .map(|(host, port, security, login)| {
            // Asked over verified HTTPS of the domain itself (redirects stay on HTTPS): the
            // domain's own word, whatever servers it names.
            let warnings = vec![];
            Candidate {
                smtp: SmtpSettings {
                    host,
                    port,
                    security,
                    username: login.clone().unwrap_or_else(|| target.email.clone()),
                    auth: AuthMethod::Password,
                },
                source: Source::Autodiscover,
                trusted: true,
                warnings,
                provider: None,
                username_default: login.is_none(),
                auth_default: true,
                oauth2: None,
                imap: None,
                signed: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_protocol_entry_is_read() {
        let xml = r#"<?xml version="1.0"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
 <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
  <Account><AccountType>email</AccountType><Action>settings</Action>
   <Protocol><Type>IMAP</Type><Server>imap.example.test</Server><Port>993</Port></Protocol>
   <Protocol><Type>SMTP</Type><Server>smtp.example.test</Server><Port>587</Port>
     <LoginName>ann</LoginName><Encryption>TLS</Encryption></Protocol>
   <Protocol><Type>SMTP</Type><Server>smtp.example.test</Server><Port>465</Port><SSL>on</SSL></Protocol>
  </Account>
 </Response>
</Autodiscover>"#;
        let a = parse(xml).unwrap();
        assert_eq!(
            a.smtp,
            [
                (
                    "smtp.example.test".into(),
                    587,
                    Security::Starttls,
                    Some("ann".into())
                ),
                ("smtp.example.test".into(), 465, Security::Tls, None),
            ]
        );
    }

    #[test]
    fn redirects_and_junk_are_recognised() {
        let xml = "<Autodiscover><Response><Account><Action>redirectUrl</Action>\
                   <RedirectUrl>https://ad.example.test/a.xml</RedirectUrl></Account>\
                   </Response></Autodiscover>";
        assert_eq!(
            parse(xml).unwrap().redirect_url.as_deref(),
            Some("https://ad.example.test/a.xml")
        );
        assert!(parse("<html><p>hi</html>").is_err());
        assert!(parse(&"<a>".repeat(100)).is_err());
    }
}
