//! What Outpost did, for a person to hand to their provider's or our support: quiet by
//! default (warnings and errors), more with `OUTPOST_LOG` (`info`, `debug` — which has the
//! conversation with each server, secrets hidden — or any `tracing` filter such as
//! `outpost::smtp=debug`). The command line writes to standard error; the window and the
//! sender (`outpost run`) write a file a day under the data folder's `logs/`, the last seven
//! kept. Passwords and tokens never reach it: they are `Secret`s, whose `Debug` is hidden, and
//! SMTP lines are logged from typed commands with the login hidden.

use std::path::Path;

use tracing_subscriber::EnvFilter;

/// The environment variable that sets what is logged.
pub const ENV: &str = "OUTPOST_LOG";

/// How many daily files are kept.
const KEEP_DAYS: usize = 7;

/// Lines the log holds while its thread writes them out.
const BUFFERED_LINES: usize = 1024;

/// Keeps the file log writing; drop it last (it flushes what is pending).
#[must_use = "the log stops when this is dropped"]
pub struct Guard {
    _flushes: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// The filter `OUTPOST_LOG` asks for, else warnings and errors only.
fn filter() -> EnvFilter {
    EnvFilter::try_from_env(ENV).unwrap_or_else(|_| EnvFilter::new("warn"))
}

/// The command line: to standard error, and only when `OUTPOST_LOG` asks (its output is what
/// scripts read).
pub fn to_stderr() {
    if std::env::var_os(ENV).is_none() {
        return;
    }
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .finish();
    // A second call (tests in one process) keeps the first.
    let _first = tracing::subscriber::set_global_default(subscriber);
}

/// The window and the sender: a file a day in `dir` (the data folder's `logs/`). A folder
/// that cannot be written leaves Outpost without a log, not without its window.
pub fn to_file(dir: &Path) -> Guard {
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("outpost")
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(dir)
        .ok();
    let Some(appender) = appender else {
        return Guard { _flushes: None };
    };
    // The default buffer (128,000 lines) is allocated and touched whole: 4 MiB of the idle
    // background sender's memory. Lines come a few a second at most; when the disk lags
    // that far behind, the newest are dropped (lossy), never the sender held up.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES)
        .lossy(true)
        .finish(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    let _first = tracing::subscriber::set_global_default(subscriber);
    Guard {
        _flushes: Some(guard),
    }
}
