//! What a command says: text for people or one JSON object, and how it failed (exit 2 for
//! bad input, 1 for a failure), in plain words with what to do.

use std::io::Write;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::explain::{Explain, Explanation};
use crate::usecases::account::ManageError;

/// How a command ended.
pub(super) enum Failure {
    /// The input was wrong (exit 2).
    BadInput(&'static str, Explanation),
    /// The operation failed (exit 1).
    Failed(&'static str, Explanation),
}

impl Failure {
    /// What went wrong, and what to do.
    pub(super) fn explanation(&self) -> &Explanation {
        match self {
            Failure::BadInput(_, e) | Failure::Failed(_, e) => e,
        }
    }
}

impl From<ManageError> for Failure {
    fn from(e: ManageError) -> Self {
        let mut explained = e.explain();
        // What to type, where the use case can only say what to do.
        match &e {
            ManageError::Duplicate { .. } => explained.advice = tr!("cli-replace-advice"),
            ManageError::NotFound { .. } => explained.advice = tr!("cli-list-advice"),
            _ => {}
        }
        if e.is_bad_input() {
            Failure::BadInput(e.kind(), explained)
        } else {
            Failure::Failed(e.kind(), explained)
        }
    }
}

pub(super) struct Out {
    pub json: bool,
}

impl Out {
    pub fn text(&self, line: impl AsRef<str>) {
        if !self.json {
            println!("{}", line.as_ref());
            // Progress lines show as they happen; a closed stdout is reported by println!.
            std::io::stdout().flush().ok();
        }
    }

    pub fn json(&self, value: Value) {
        if self.json {
            println!("{value}");
        }
    }

    pub fn failure(&self, f: Failure, mut extra: Value) -> ExitCode {
        let (kind, e, code) = match f {
            Failure::BadInput(k, e) => (k, e, 2),
            Failure::Failed(k, e) => (k, e, 1),
        };
        if self.json {
            let error = json!({"kind": kind, "message": e.problem, "advice": e.advice});
            match extra.as_object_mut() {
                Some(obj) => {
                    obj.insert("error".into(), error);
                }
                None => extra = json!({ "error": error }),
            }
            println!("{extra}");
        } else {
            eprintln!(
                "{}",
                tr!(
                    "cli-error",
                    problem = e.problem.as_str(),
                    advice = e.advice.as_str()
                )
            );
        }
        ExitCode::from(code)
    }
}

/// No folder for Outpost's files.
pub(super) fn no_home_failure(e: crate::paths::NoHomeDir) -> Failure {
    let e = Explanation {
        problem: e.to_string(),
        advice: tr!("cli-home-advice"),
    };
    Failure::Failed("no_home", e)
}

pub(super) fn no_home(out: &Out, e: crate::paths::NoHomeDir) -> ExitCode {
    out.failure(no_home_failure(e), Value::Null)
}

pub(super) fn bad_input(e: crate::account::InvalidAccount) -> Failure {
    Failure::BadInput("invalid", e.explain())
}
