//! The layer order, enforced: every `crate::` path in `src/` points down the layers (or stays
//! in its own module), and no file takes types from its own folder's `mod.rs` instead of from
//! the module they belong in. The order is the one the README's "How the code is laid out"
//! states.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
        &[
            "clock", "secret", "explain", "paths", "address", "fault", "blocking", "log",
        ],
    ),
    ("network", &["net"]),
    (
        "domain",
        &[
            "notify", "account", "detect", "import", "message", "contacts", "spelling", "mailto",
            "oauth", "outbox", "instance", "fonts",
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

/// A file's module path under `src` (`outbox::store::claim`; a folder's `mod.rs` is the
/// folder's module), as names.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The paths a line names, starting at `crate::`, `super::` or `self::`, with `use` groups
/// (`use super::{a, b::C}`) spread out: each as its segments.
fn named_paths(statement: &str) -> Vec<Vec<String>> {
    fn spread(prefix: &[String], rest: &str, out: &mut Vec<Vec<String>>) {
        let rest = rest.trim();
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its top-level commas.
            let inner = group.strip_suffix('}').unwrap_or(group);
            let (mut depth, mut start) = (0, 0);
            let bytes: Vec<char> = inner.chars().collect();
            for (i, c) in bytes.iter().enumerate() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        spread(prefix, &bytes[start..i].iter().collect::<String>(), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            spread(prefix, &bytes[start..].iter().collect::<String>(), out);
            return;
        }
        let mut path = prefix.to_vec();
        let mut tail = rest;
        loop {
            let word: String = tail
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if word.is_empty() {
                break;
            }
            path.push(word.clone());
            tail = &tail[word.len()..];
            match tail.strip_prefix("::") {
                Some(t) if t.starts_with('{') => return spread(&path, t, out),
                Some(t) => tail = t,
                None => break,
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    let mut out = vec![];
    for start in ["crate::", "super::", "self::"] {
        for (i, _) in statement.match_indices(start) {
            let before = &statement[..i];
            if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            spread(&[], &statement[i..], &mut out);
        }
    }
    out
}

/// `path` (as written in the module `at`) as a path from the crate root.
fn absolute(at: &[String], path: &[String]) -> Vec<String> {
    let mut here = at.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            here.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {}
    }
    while rest.first().is_some_and(|s| s == "super") {
        here.pop();
        rest = &rest[1..];
    }
    here.extend(rest.iter().cloned());
    here
}

/// Every cycle between the modules of one folder: `a → b → a`, each named by its folder.
fn cycles_within_folders(src: &Path) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut files = vec![];
    rust_files(src, &mut files);
    // folder → (child → children it uses)
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let is_module = |folder: &[String], name: &str| {
        let dir = folder.iter().fold(src.to_path_buf(), |d, p| d.join(p));
        dir.join(format!("{name}.rs")).exists() || dir.join(name).join("mod.rs").exists()
    };
    for file in &files {
        let at = module_path(src, file);
        let text = std::fs::read_to_string(file).unwrap();
        // Statements, so that a `use` spread over lines is read whole; a file's tests (at its
        // end) may reach anywhere.
        let lines = code_lines(&text);
        let tests = lines.windows(2).position(|w| {
            w[0].trim_start().starts_with("#[cfg(")
                && w[0].contains("test")
                && w[1].starts_with("mod ")
        });
        let code = lines[..tests.unwrap_or(lines.len())].join(" ");
        for statement in code.split(';') {
            for path in named_paths(statement) {
                let to = absolute(&at, &path);
                // For each folder both lie in: the child of it each lies in.
                for depth in 0..at.len().min(to.len()) {
                    if at[..depth] != to[..depth] {
                        break;
                    }
                    let folder = &at[..depth];
                    let (from, target) = (&at[depth], &to[depth]);
                    if from != target && is_module(folder, target) && is_module(folder, from) {
                        graphs
                            .entry(folder.to_vec())
                            .or_default()
                            .entry(from.clone())
                            .or_default()
                            .insert(target.clone());
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    for (folder, graph) in &graphs {
        // A cycle: a child that can reach itself; named from its smallest member.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((node, trail)) = stack.pop() {
                for next in graph.get(&node).into_iter().flatten() {
                    if next == start {
                        let smallest = trail.iter().min().unwrap();
                        if smallest == start {
                            let mut cycle = trail.clone();
                            cycle.push(start.clone());
                            found.insert(format!(
                                "src/{}: {}",
                                folder.join("/"),
                                cycle.join(" → ")
                            ));
                        }
                    } else if seen.insert(next.clone()) {
                        let mut t = trail.clone();
                        t.push(next.clone());
                        stack.push((next.clone(), t));
                    }
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn no_cycle_between_the_files_of_one_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let cycles = cycles_within_folders(&src);
    assert!(
        cycles.is_empty(),
        "files of one folder that use each other in a circle (one of them has a job the \
         other needs: give it a module of its own, lower down):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_cycle_check_sees_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("room");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("mod.rs"),
        "mod a;\nmod b;\nmod c;\npub use a::A;\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("a.rs"),
        "use super::{b::B, c};\npub struct A;\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("b.rs"),
        "pub struct B;\nfn f() { crate::room::c::g(); }\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("c.rs"),
        "use super::{\n    a::A,\n};\npub fn g() {}\n",
    )
    .unwrap();
    // a → c → a, and a → b → c → a through the absolute path: one of them is named.
    let cycles = cycles_within_folders(dir.path());
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(cycles[0].starts_with("src/room: a → ") && cycles[0].ends_with("c → a"));
    assert_eq!(
        named_paths("use super::{b::{B, C}, c}"),
        vec![
            vec!["super", "b", "B"],
            vec!["super", "b", "C"],
            vec!["super", "c"]
        ]
    );
}
