//! The INI form several programs keep their settings in (Thunderbird's profiles.ini,
//! Evolution's sources, KMail's mailtransports and identities, git's config): sections of
//! `key = value` lines, `#` and `;` comments. Read leniently: a line that is not a section or
//! a setting is skipped, as the programs themselves do.

/// One section: its header (without brackets) and its settings in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The header, e.g. `Profile0` or `sendemail "work"`.
    pub name: String,
    /// Its settings, keys as written.
    pub entries: Vec<(String, String)>,
}

impl Section {
    /// The value of `key` (compared without case), the last one when repeated.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads `text` into its sections; settings before any header go in a section named "".
pub fn parse(text: &str) -> Vec<Section> {
    let mut sections = vec![Section::default()];
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push(Section {
                name: name.trim().to_string(),
                entries: vec![],
            });
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            // There is always a section: entries before any header go to the unnamed one.
            if let Some(section) = sections.last_mut() {
                section.entries.push((k.trim().to_string(), v.to_string()));
            }
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_settings_are_read_leniently() {
        let s = parse(
            "top=1\n# c\n[A]\nx = 1\nnot a setting\n[sendemail \"work\"]\nsmtpServer = \"smtp.example.org\"\nX=2\nx=3\n",
        );
        assert_eq!(s[0].get("top"), Some("1"));
        assert_eq!(s[1].name, "A");
        assert_eq!(s[2].name, "sendemail \"work\"");
        assert_eq!(s[2].get("smtpserver"), Some("smtp.example.org"));
        assert_eq!(s[2].get("x"), Some("3"));
    }
}
