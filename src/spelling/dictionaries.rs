//! The Hunspell dictionaries installed on this computer (Debian's `hunspell-*` packages put
//! them in `/usr/share/hunspell`; older ones in `/usr/share/myspell/dicts`; a person's own in
//! `~/.local/share/hunspell`), and the person's word list (`words.txt` in Outpost's config
//! folder, one word a line), kept for every language.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::speller::Speller;

/// A dictionary found: its language code and files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// "en_US", "de_DE".
    pub code: String,
    /// The `.aff` file.
    pub aff: PathBuf,
    /// The `.dic` file.
    pub dic: PathBuf,
}

impl Installed {
    /// The language's name in the person's language ("English (US)", "Deutsch
    /// (Deutschland)"): the code when there is no name for it.
    pub fn name(&self) -> String {
        language_name(&self.code)
    }
}

/// The name of language code `code` for people.
pub fn language_name(code: &str) -> String {
    let (lang, region) = code.split_once(['_', '-']).unwrap_or((code, ""));
    let name = match lang {
        "en" => tr!("language-en"),
        "de" => tr!("language-de"),
        "fr" => tr!("language-fr"),
        "es" => tr!("language-es"),
        "it" => tr!("language-it"),
        "nl" => tr!("language-nl"),
        _ => return code.to_string(),
    };
    if region.is_empty() {
        name
    } else {
        format!("{name} ({region})")
    }
}

/// The places dictionaries are looked for under `home`, system ones first.
pub fn places(home: Option<&Path>) -> Vec<PathBuf> {
    let mut out = vec![
        PathBuf::from("/usr/share/hunspell"),
        PathBuf::from("/usr/share/myspell/dicts"),
    ];
    out.extend(home.map(|h| h.join(".local/share/hunspell")));
    out
}

/// Every dictionary in `dirs` with both files, one per code (the first found), by code.
/// Links to another (Debian's `de_AT` → `de_DE`-style aliases) count once per code.
pub fn installed(dirs: &[PathBuf]) -> Vec<Installed> {
    let mut found: BTreeMap<String, Installed> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_none_or(|e| e != "aff") {
                continue;
            }
            let dic = path.with_extension("dic");
            let Some(code) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if dic.is_file() && !found.contains_key(code) {
                found.insert(
                    code.to_string(),
                    Installed {
                        code: code.to_string(),
                        aff: path.clone(),
                        dic,
                    },
                );
            }
        }
    }
    found.into_values().collect()
}

/// Which of `installed` to check in for a person who reads `wanted` first (Outpost's
/// language, then the system's: "de", "en_GB"): the same code, else the same language (its
/// main region first: de_DE for de), else none.
pub fn choose<'a>(installed: &'a [Installed], wanted: &[String]) -> Option<&'a Installed> {
    for w in wanted {
        let w = w.split('.').next().unwrap_or(w).replace('-', "_");
        let lang = w.split('_').next().unwrap_or(&w).to_lowercase();
        if let Some(exact) = installed.iter().find(|i| i.code.eq_ignore_ascii_case(&w)) {
            return Some(exact);
        }
        let main = format!("{lang}_{}", lang.to_uppercase());
        let same = |i: &&Installed| i.code.split('_').next() == Some(lang.as_str());
        if let Some(i) = installed
            .iter()
            .find(|i| i.code == main || (lang == "en" && i.code == "en_US"))
            .or_else(|| installed.iter().find(same))
        {
            return Some(i);
        }
    }
    None
}

/// Why a dictionary or the word list could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SpellingError {
    /// A file could not be read or written.
    #[error("{}", tr!("spelling-error-file", path = .path.display().to_string(), error = .source.to_string()))]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The dictionary is not one spellbook can read.
    #[error("{}", tr!("spelling-error-dictionary", path = .path.display().to_string(), error = .error.as_str()))]
    Dictionary {
        /// Its `.aff` file.
        path: PathBuf,
        /// What is wrong with it.
        error: String,
    },
}

fn read(path: &Path) -> Result<String, SpellingError> {
    let bytes = std::fs::read(path).map_err(|source| SpellingError::File {
        path: path.to_path_buf(),
        source,
    })?;
    // Older dictionaries are in ISO 8859-1 (their .aff says SET ISO8859-1).
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    })
}

/// The person's words in `list` (none when there is no list yet).
pub fn own_words(list: &Path) -> Result<HashSet<String>, SpellingError> {
    match std::fs::read_to_string(list) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(source) => Err(SpellingError::File {
            path: list.to_path_buf(),
            source,
        }),
    }
}

/// Adds `word` to the person's word list `list` (made when missing).
pub fn add_own_word(list: &Path, word: &str) -> Result<(), SpellingError> {
    let failed = |source| SpellingError::File {
        path: list.to_path_buf(),
        source,
    };
    if let Some(dir) = list.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(list)
        .map_err(failed)?;
    writeln!(file, "{}", word.trim()).map_err(failed)?;
    file.sync_all().map_err(failed)
}

/// Reads dictionary `installed`, with the person's words in `list`.
pub fn load(installed: &Installed, list: &Path) -> Result<Speller, SpellingError> {
    let aff = read(&installed.aff)?;
    let dic = read(&installed.dic)?;
    Speller::new(&installed.code, &aff, &dic, own_words(list)?).map_err(|e| {
        SpellingError::Dictionary {
            path: installed.aff.clone(),
            error: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(code: &str) -> Installed {
        Installed {
            code: code.into(),
            aff: PathBuf::new(),
            dic: PathBuf::new(),
        }
    }

    #[test]
    fn the_dictionary_follows_the_persons_language_then_the_systems() {
        let all = [at("de_AT"), at("de_DE"), at("en_GB"), at("en_US")];
        let pick = |w: &[&str]| {
            choose(&all, &w.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map(|i| i.code.clone())
        };
        assert_eq!(pick(&["de"]).as_deref(), Some("de_DE"));
        assert_eq!(pick(&["en"]).as_deref(), Some("en_US"));
        assert_eq!(pick(&["en_GB.UTF-8"]).as_deref(), Some("en_GB"));
        assert_eq!(pick(&["fr", "de_AT"]).as_deref(), Some("de_AT"));
        assert_eq!(pick(&["fr"]), None);
    }

    #[test]
    fn own_words_are_kept_in_a_list_one_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("config/words.txt");
        assert!(own_words(&list).unwrap().is_empty());
        add_own_word(&list, "Outpost").unwrap();
        add_own_word(&list, "Grüßle").unwrap();
        let words = own_words(&list).unwrap();
        assert!(words.contains("Outpost") && words.contains("Grüßle"));
    }
}
