//! The translations check (CI runs it with every test): every message id the code uses is in
//! every shipped language, no language has ids nothing uses, a translation uses the same
//! values as the English message, every call gives the values its message uses, every
//! message formats without Fluent complaining, and a translation's --help has exactly the
//! texts the command line has.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use outpost::i18n::{FluentArgs, FluentValue, Language, format_in};

/// The names given to values after the id in a `tr!` call (`tr!("id", count = n)` → count),
/// from the text after the id's closing quote.
fn value_names(rest: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let (mut depth, mut in_str, mut prev) = (0_i32, false, ' ');
    for (i, c) in rest.char_indices() {
        if in_str {
            if c == '"' && prev != '\\' {
                in_str = false;
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                let after = rest[i + 1..].trim_start();
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let tail = after[name.len()..].trim_start();
                if !name.is_empty() && tail.starts_with('=') && !tail.starts_with("==") {
                    names.insert(name);
                }
            }
            _ => {}
        }
        prev = c;
    }
    names
}

/// Message ids in `tr!("…"` calls of the Rust files under `dir`, with where each is used and
/// the names of the values each call gives.
fn ids_in_code(dir: &Path, found: &mut BTreeMap<String, String>) {
    calls_in_code(dir, &mut |id, file, _| {
        found.insert(id.to_string(), file.to_string());
    });
}

fn calls_in_code(dir: &Path, each: &mut dyn FnMut(&str, &str, BTreeSet<String>)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.ends_with("i18n") {
            // Its docs name ids as examples.
            continue;
        } else if path.is_dir() {
            calls_in_code(&path, each);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let code = std::fs::read_to_string(&path).unwrap();
            for (at, _) in code.match_indices("tr!(") {
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = code[at + 4..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let end = rest.find('"').unwrap();
                let names = value_names(&rest[end + 1..]);
                each(&rest[..end], &path.display().to_string(), names);
            }
        }
    }
}

#[test]
fn every_call_gives_the_values_its_message_uses() {
    let english = messages(Language::English.source());
    let mut wrong = vec![];
    calls_in_code(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut |id, file, names| {
            if let Some(used) = english.get(id)
                && *used != names
            {
                wrong.push(format!(
                    "{id} in {file}: gives {names:?}, the message uses {used:?}"
                ));
            }
        },
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Each message's id and the `$values` its text uses, in file order.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in source.lines() {
        let starts = line.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if starts && let Some((id, _)) = line.split_once('=') {
            let id = id.trim().to_string();
            assert!(!all.contains_key(&id), "{id} is defined twice");
            all.insert(id.clone(), BTreeSet::new());
            current = Some(id);
        } else if line.starts_with('-') {
            // A term: words shared by messages, not a message the code asks for.
            current = None;
        } else if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(id) = &current {
            let values = all.get_mut(id).unwrap();
            for (at, _) in line.match_indices('$') {
                let name: String = line[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                values.insert(name);
            }
        }
    }
    all
}

#[test]
fn every_language_has_every_message_the_code_uses_and_no_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeMap::new();
    ids_in_code(&root.join("src"), &mut used);
    let english = messages(Language::English.source());
    let help: BTreeSet<String> = outpost::cli::help::texts()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let is_help = |id: &str| id == "help" || id.starts_with("help-");
    for lang in Language::ALL {
        let source = lang.source();
        let defined = messages(source);
        let missing: Vec<_> = used
            .iter()
            .filter(|(id, _)| !defined.contains_key(*id))
            .map(|(id, file)| format!("{id} (used in {file})"))
            .collect();
        let unused: Vec<_> = defined
            .keys()
            .filter(|id| !used.contains_key(*id) && !is_help(id))
            .collect();
        assert!(
            missing.is_empty(),
            "locales/{}/outpost.ftl lacks {missing:#?}",
            lang.code()
        );
        assert!(
            unused.is_empty(),
            "locales/{}/outpost.ftl has ids nothing uses: {unused:#?}",
            lang.code()
        );
        // --help: English is the doc comments; a translation has exactly the texts clap has.
        let helps: BTreeSet<String> = defined.keys().filter(|id| is_help(id)).cloned().collect();
        if lang == Language::English {
            assert!(
                helps.is_empty(),
                "English help belongs in doc comments: {helps:?}"
            );
        } else {
            let lacking: Vec<_> = help.difference(&helps).collect();
            let stale: Vec<_> = helps.difference(&help).collect();
            assert!(
                lacking.is_empty() && stale.is_empty(),
                "locales/{}/outpost.ftl: help texts missing {lacking:?}, for no option {stale:?}",
                lang.code()
            );
        }
        for (id, values) in defined.iter().filter(|(id, _)| !is_help(id)) {
            assert_eq!(
                values,
                &english[id],
                "locales/{}/outpost.ftl: {id} uses other values than in English",
                lang.code()
            );
        }
    }
}

#[test]
fn every_message_formats_without_errors_in_every_language() {
    for lang in Language::ALL {
        for (id, values) in messages(lang.source()) {
            let mut args = FluentArgs::new();
            for v in &values {
                args.set(v.as_str(), FluentValue::from(1));
            }
            let f = format_in(lang, &id, Some(&args))
                .unwrap_or_else(|| panic!("{id} does not parse in {}", lang.code()));
            assert!(
                f.problems.is_empty(),
                "{id} in {}: {:?}",
                lang.code(),
                f.problems
            );
            assert!(
                !f.text.trim().is_empty(),
                "{id} is empty in {}",
                lang.code()
            );
        }
    }
}
