//! Opens a web page in the person's browser: `$BROWSER` when set (the convention of
//! `xdg-open` and Python's `webbrowser`: commands separated by `:`, `%s` for the address),
//! else the platform's opener.

use std::io;
use std::process::{Command, Stdio};

/// The environment variable naming the browser command.
pub const BROWSER_ENV: &str = "BROWSER";

fn command_for(url: &str) -> Option<(String, Vec<String>)> {
    if let Some(spec) = std::env::var(BROWSER_ENV).ok().and_then(|v| {
        v.split(':')
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(String::from)
    }) {
        let mut words: Vec<String> = spec.split_whitespace().map(String::from).collect();
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_string());
        }
        let program = words.remove(0);
        return Some((program, words));
    }
    let (program, mut args): (&str, Vec<String>) = if cfg!(target_os = "macos") {
        ("open", vec![])
    } else if cfg!(windows) {
        ("rundll32", vec!["url.dll,FileProtocolHandler".into()])
    } else {
        ("xdg-open", vec![])
    };
    args.push(url.to_string());
    Some((program.to_string(), args))
}

/// Starts the browser at `url` and returns at once; the browser runs on its own.
pub fn open(url: &str) -> io::Result<()> {
    let (program, args) = command_for(url).ok_or_else(|| io::Error::other("no browser"))?;
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("{program}: {e}")))?;
    // Reaped on a thread, so that no zombie stays behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}
