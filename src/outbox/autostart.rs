//! The login entry that sends what still waits after a logout or a restart: an XDG autostart
//! desktop entry (`~/.config/autostart/`, read by GNOME, KDE, Xfce and the others at login)
//! whose program is the background sender. It exits at once when nothing waits, so the
//! entry can stay: it costs a login one look at the outbox.

use std::path::{Path, PathBuf};

use crate::i18n::Words;
use crate::paths::Paths;

/// The entry's file name: the application's id, so the desktop shows it as Outpost's.
pub const FILE: &str = "io.github.outpostmail.Outpost.Sender.desktop";

/// Where the entry is.
pub fn path(paths: &Paths) -> PathBuf {
    paths.autostart_dir.join(FILE)
}

/// The entry for the program `exe`, given `home` as `OUTPOST_HOME` when Outpost keeps its
/// files there.
pub fn entry(exe: &Path, home: Option<&Path>) -> String {
    let mut exec = vec![];
    if let Some(home) = home {
        exec.push("env".to_string());
        exec.push(format!("{}={}", crate::paths::HOME_ENV, home.display()));
    }
    exec.push(exe.display().to_string());
    exec.extend(["run", "--background"].map(String::from));
    let exec: Vec<String> = exec.iter().map(|a| quote(a)).collect();
    let mut text = String::from("[Desktop Entry]\nType=Application\n");
    localised(&mut text, "Name", &Words::capture(|| tr!("autostart-name")));
    localised(
        &mut text,
        "Comment",
        &Words::capture(|| tr!("autostart-comment")),
    );
    text.push_str(&format!(
        "Exec={}\nTryExec={}\nIcon={}\nTerminal=false\nNoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        exec.join(" "),
        escape(&exe.display().to_string()),
        crate::APP_ID,
    ));
    text
}

/// `key=` in English, then `key[lang]=` in each other language.
fn localised(text: &mut String, key: &str, words: &Words) {
    for (code, said) in words.each() {
        let key = if code == "en" {
            key.to_string()
        } else {
            format!("{key}[{code}]")
        };
        text.push_str(&format!("{key}={}\n", escape(said)));
    }
}

/// A string value as the Desktop Entry Specification escapes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// One argument of `Exec`: quoted when it holds a reserved character (the specification's
/// list), `%` doubled, then escaped as every string value is.
fn quote(arg: &str) -> String {
    let reserved = |c: char| " \t\n\"'\\><~|&;$*?#()`".contains(c);
    let arg = arg.replace('%', "%%");
    if !arg.contains(reserved) && !arg.is_empty() {
        return escape(&arg);
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    escape(&quoted)
}

/// Writes the entry for `exe` unless it is there already, as it would be written.
pub fn install(paths: &Paths, exe: &Path) -> std::io::Result<PathBuf> {
    let path = path(paths);
    let text = entry(exe, paths.home.as_deref());
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Ok(path);
    }
    std::fs::create_dir_all(&paths.autostart_dir)?;
    let part = path.with_extension("desktop.part");
    std::fs::write(&part, text)?;
    std::fs::rename(&part, &path)?;
    Ok(path)
}

/// Removes the entry (the person turned sending in the background off).
pub fn remove(paths: &Paths) -> std::io::Result<()> {
    match std::fs::remove_file(path(paths)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_quotes_what_the_specification_reserves() {
        assert_eq!(quote("/usr/bin/outpost"), "/usr/bin/outpost");
        assert_eq!(quote("/home/a b/outpost"), "\"/home/a b/outpost\"");
        assert_eq!(quote("100%"), "100%%");
        // `$` is escaped inside the quotes, then the backslash as in every string value.
        assert_eq!(quote("/x/$y"), "\"/x/\\\\$y\"");
    }

    #[test]
    fn the_entry_names_the_program_and_the_outbox_home() {
        let text = entry(
            Path::new("/opt/out post/outpost"),
            Some(Path::new("/tmp/h")),
        );
        assert!(
            text.contains(
                "Exec=env OUTPOST_HOME=/tmp/h \"/opt/out post/outpost\" run --background\n"
            ),
            "{text}"
        );
        assert!(text.contains("X-GNOME-Autostart-enabled=true\n"));
        assert!(text.contains("Name[de]="), "{text}");
    }
}
