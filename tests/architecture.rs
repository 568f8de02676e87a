//! The layer order, enforced: every `crate::` path in `src/` points down the layers (or stays
//! in its own module), and no file takes types from its own folder's `mod.rs` instead of from
//! the module they belong in. The order is the one the README's "How the code is laid out"
//! states.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules of the library, bottom first. A module may use the ones before it.
/// Within a layer the order is the data flow: accounts before detection (which names
/// servers as account settings), detection before sign-in (whose providers come from its
/// table), sign-in before the outbox (whose worker renews a sign-in before sending).
const LAYERS: &[(&str, &[&str])] = &[
    ("words", &["i18n"]),
    (
        "shared types",
        &["clock", "secret", "explain", "paths", "address", "fault"],
    ),
    ("network", &["net"]),
    (
        "domain",
        &[
            "account", "detect", "import", "message", "mailto", "oauth", "outbox", "notify",
            "instance", "fonts",
        ],
    ),
    ("use cases", &["usecases"]),
    ("runtime", &["runtime"]),
    ("front ends", &["cli", "ui"]),
];

/// The ordered layer's index in [`LAYERS`].
const DOMAIN: usize = 3;

/// A module's place: (layer, position in the layer). Front ends do not use each other.
fn rank(module: &str) -> Option<(usize, usize)> {
    LAYERS.iter().enumerate().find_map(|(l, (_, mods))| {
        let p = mods.iter().position(|m| *m == module)?;
        // The domain layer is ordered; the others are not (a module sees only layers below).
        Some((l, if l == DOMAIN { p } else { 0 }))
    })
}

fn may_use(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    match (rank(from), rank(to)) {
        (Some((fl, fp)), Some((tl, tp))) => tl < fl || (tl == fl && tl == DOMAIN && tp < fp),
        _ => true,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `text` without comments and string contents, line by line.
fn code_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let l = l.split("//").next().unwrap_or("");
            let mut out = String::new();
            let mut in_str = false;
            for c in l.chars() {
                if c == '"' {
                    in_str = !in_str;
                }
                if !in_str {
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

/// The top-level modules a line names as `crate::module`.
fn crate_paths(line: &str) -> Vec<String> {
    line.match_indices("crate::")
        .filter(|(i, _)| {
            // `outpost_crate::` or `$crate::` are not this crate's paths.
            !line[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
        })
        .map(|(i, _)| {
            line[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty() && m.chars().next().is_some_and(char::is_lowercase))
        .collect()
}

/// `use super::…` items of a file that are not sibling modules: types taken from `mod.rs`.
fn items_from_parent(file: &Path, lines: &[String]) -> Vec<String> {
    let dir = file.parent().unwrap();
    let sibling = |name: &str| {
        name == "self" || dir.join(format!("{name}.rs")).exists() || dir.join(name).is_dir()
    };
    let mut bad = vec![];
    let mut statement = String::new();
    for line in lines {
        if statement.is_empty() && !line.starts_with("use super::") {
            continue;
        }
        statement.push_str(line.trim());
        if !line.trim_end().ends_with(';') {
            continue;
        }
        let rest = statement["use super::".len()..]
            .trim_end_matches(';')
            .to_string();
        statement.clear();
        let items: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.trim_end_matches('}').split(',').collect(),
            None => vec![rest.as_str()],
        };
        for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            let head = item
                .split("::")
                .next()
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            if !sibling(head) {
                bad.push(head.to_string());
            }
        }
    }
    bad
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut upward = BTreeSet::new();
    let mut known = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(first) = rel.components().next() else {
            continue;
        };
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if rank(&module).is_none() {
            // The crate root and the binary: above everything.
            assert!(
                ["lib", "main"].contains(&module.as_str()),
                "src/{} is in no layer: add its module to LAYERS (and the README)",
                rel.display()
            );
            continue;
        }
        known.insert(module.clone());
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in code_lines(&text).iter().enumerate() {
            for to in crate_paths(line) {
                if rank(&to).is_some() && !may_use(&module, &to) {
                    upward.insert(format!("src/{}:{}: {module} → {to}", rel.display(), n + 1));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up the layers:\n{}",
        upward.into_iter().collect::<Vec<_>>().join("\n")
    );
    // Every layer's module exists, so the table says what the code is.
    for (_, mods) in LAYERS {
        for m in *mods {
            assert!(
                known.contains(*m),
                "LAYERS names {m}, which src/ does not have"
            );
        }
    }
}

#[test]
fn files_take_types_from_their_own_module_not_from_mod_rs() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut bad = vec![];
    for file in files.iter().filter(|f| !f.ends_with("mod.rs")) {
        // Only files in a folder with a mod.rs have a parent module file to lean on.
        if !file.parent().unwrap().join("mod.rs").exists() {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let top_level: Vec<String> = code_lines(&text)
            .into_iter()
            .filter(|l| !l.starts_with(char::is_whitespace))
            .collect();
        for item in items_from_parent(file, &top_level) {
            bad.push(format!(
                "{}: super::{item}",
                file.strip_prefix(&src).unwrap().display()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "files that take types from their folder's mod.rs (give them a module of their own):\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    assert!(!may_use("net", "account"));
    assert!(!may_use("account", "oauth"));
    assert!(may_use("outbox", "oauth"));
    assert!(!may_use("usecases", "runtime"));
    assert!(!may_use("cli", "ui") && !may_use("ui", "cli"));
    assert!(may_use("ui", "usecases") && may_use("ui", "clock"));
    assert_eq!(
        crate_paths("use crate::account::{Account, secrets}; x = crate::net::Net::new();"),
        vec!["account", "net"]
    );
    assert!(crate_paths("$crate::x, outpost_crate::y").is_empty());
}
