//! `outpost send`, `outpost queue …` and `outpost run`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{Failure, Out};
use crate::account::Account;
use crate::clock::{Millis, local, now_ms, parse_moment, relative};
use crate::explain::{Explain, Explanation, capitalise, size_in_words};
use crate::message::Draft;
use crate::net::Net;
use crate::outbox::background::{self, Start};
use crate::outbox::retention::{self, Keep, TidyError};
use crate::outbox::send::SendTimeouts;
use crate::outbox::worker::{self, Worker, WorkerEvent};
use crate::outbox::{Outbox, OutboxError, State, notice};
use crate::paths::Paths;
use crate::usecases::account as accounts;
use crate::usecases::queue::{self, ActionError, MessageAction, SubmitError};

/// Arguments of `outpost send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The sending account's address.
    #[arg(long, value_name = "E")]
    pub from: String,
    /// A recipient (`addr` or `Name <addr>`); repeat for more.
    #[arg(long, value_name = "A", required = true)]
    pub to: Vec<String>,
    /// A copy recipient.
    #[arg(long, value_name = "A")]
    pub cc: Vec<String>,
    /// A blind copy recipient (not in the headers).
    #[arg(long, value_name = "A")]
    pub bcc: Vec<String>,
    /// The subject.
    #[arg(long, value_name = "S", default_value = "")]
    pub subject: String,
    /// The body text.
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "body_file",
        required_unless_present = "body_file"
    )]
    pub body: Option<String>,
    /// A file with the body text.
    #[arg(long, value_name = "F")]
    pub body_file: Option<PathBuf>,
    /// A file to attach; repeat for more.
    #[arg(long, value_name = "F")]
    pub attach: Vec<PathBuf>,
    /// Wait this many seconds (up to a day) before sending: time to take it back with
    /// `outpost queue cancel ID`.
    #[arg(
        long,
        value_name = "SECS",
        conflicts_with = "at",
        value_parser = clap::value_parser!(u32).range(0..=86_400)
    )]
    pub delay: Option<u32>,
    /// Send at this time, in local time: "21:30" (its next coming), "tomorrow 09:00", "friday
    /// 14:00", "2026-12-24 09:00"; or ISO 8601 with an offset ("2026-12-24T09:00+01:00").
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// When `send` is to leave: at `--at`, after `--delay`, or at once.
fn not_before(args: &SendArgs) -> Result<Option<Millis>, Failure> {
    let now = now_ms();
    match (&args.at, args.delay) {
        (Some(text), _) => {
            let at = parse_moment(text).map_err(|e| {
                Failure::BadInput(
                    "invalid_time",
                    Explanation::new(
                        format!("{}.", capitalise(&e.to_string())),
                        tr!("cli-at-advice"),
                    ),
                )
            })?;
            if at <= now {
                return Err(Failure::BadInput(
                    "time_in_the_past",
                    Explanation::new(
                        tr!("cli-in-the-past", text = text.trim(), when = local(at)),
                        tr!("cli-in-the-past-advice"),
                    ),
                ));
            }
            Ok(Some(at))
        }
        (None, Some(secs)) if secs > 0 => Ok(Some(now + i64::from(secs) * 1000)),
        _ => Ok(None),
    }
}

/// `outpost queue …`
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Every message in the outbox, newest first.
    List,
    /// One message with its history.
    Show {
        /// Its queue id.
        id: i64,
    },
    /// Try a waiting or failed message now (and resume its account).
    Retry {
        /// Its queue id.
        id: i64,
    },
    /// Cancel a message that is not sent yet.
    Cancel {
        /// Its queue id.
        id: i64,
    },
    /// How many messages the outbox holds and the space they take.
    Stats,
    /// Let go now of the text of messages sent or cancelled a while ago (their history
    /// stays); then give the space back.
    Prune {
        /// Those finished more than this many days ago (default: as set, 30 days at first; 0:
        /// every finished message).
        #[arg(long, value_name = "DAYS")]
        older_than: Option<u32>,
    },
    /// Set how long sent and cancelled messages keep their text.
    KeepText {
        /// This many days.
        #[arg(long, value_name = "DAYS", required_unless_present = "forever")]
        days: Option<u32>,
        /// Always.
        #[arg(long, conflicts_with = "days")]
        forever: bool,
    },
}

/// The setting in words: "30 days", "forever".
fn keep_in_words(keep: Keep) -> String {
    match keep {
        Keep::Days(days) => tr!("cli-keep-days", days = days),
        Keep::Forever => tr!("cli-keep-forever"),
    }
}

/// The setting for JSON: days, or "forever".
fn keep_json(keep: Keep) -> Value {
    match keep {
        Keep::Days(days) => json!(days),
        Keep::Forever => json!("forever"),
    }
}

fn tidy_failure(e: TidyError) -> Failure {
    match e {
        TidyError::Outbox(o) => outbox_failure(o),
        TidyError::Setting(s) => Failure::Failed("setting", s.explain()),
    }
}

fn action_failure(e: ActionError) -> Failure {
    match e.source {
        OutboxError::NotFound(_) => Failure::BadInput("not_found", e.explain()),
        OutboxError::WrongState { .. } => Failure::BadInput("wrong_state", e.explain()),
        _ => outbox_failure(e.source),
    }
}

fn outbox_failure(e: OutboxError) -> Failure {
    let (kind, bad_input) = match e {
        OutboxError::NotFound(_) => ("not_found", true),
        OutboxError::WrongState { .. } => ("wrong_state", true),
        OutboxError::BodyGone(_) => ("text_not_kept", false),
        OutboxError::Attachment(_) => ("attachment", true),
        OutboxError::TooNew { .. } => ("outbox_too_new", false),
        OutboxError::Damaged { .. } => ("outbox_damaged", false),
        OutboxError::Unreadable { .. } => ("outbox_unreadable", false),
        OutboxError::Db { .. } => ("outbox", false),
    };
    let x = e.explain();
    if bad_input {
        Failure::BadInput(kind, x)
    } else {
        Failure::Failed(kind, x)
    }
}

fn open(paths: &Paths) -> Result<Outbox, Failure> {
    Outbox::open(&paths.outbox_file()).map_err(outbox_failure)
}

pub(super) fn send(out: &Out, paths: &Paths, args: SendArgs) -> Result<(), Failure> {
    let (account, identity) = accounts::find_sender(paths, &args.from)?;
    let not_before = not_before(&args)?;
    let body = match (&args.body, &args.body_file) {
        (Some(b), _) => b.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| {
            Failure::BadInput(
                "body_file",
                Explanation {
                    problem: tr!(
                        "cli-body-unreadable",
                        path = f.display().to_string(),
                        error = e.to_string()
                    ),
                    advice: tr!("cli-body-unreadable-advice"),
                },
            )
        })?,
        (None, None) => unreachable!("clap requires --body or --body-file"),
    };
    let draft = Draft {
        from: identity.email.clone(),
        from_name: identity.display_name.clone(),
        reply_to: identity.reply_to.clone(),
        to: args.to.clone(),
        cc: args.cc.clone(),
        bcc: args.bcc.clone(),
        subject: args.subject.clone(),
        body: identity.signed(&body),
        attachments: args.attach.clone(),
    };
    learn_server_size(paths, &account);
    let queued = queue::submit_at(paths, account.id.as_str(), &draft, not_before, None).map_err(
        |e| match e {
            SubmitError::Message(e) => Failure::BadInput("invalid", e.explain()),
            SubmitError::Outbox(e) => outbox_failure(e),
            e @ SubmitError::TooLarge { .. } => Failure::Failed("too_large", e.explain()),
        },
    )?;
    let (id, message_id) = (queued.id, queued.message_id);
    match queued.not_before {
        Some(at) => out.text(tr!(
            "cli-queued-later",
            id = id,
            message_id = message_id.as_str(),
            when = local(at),
            countdown = relative(at)
        )),
        None => out.text(tr!("cli-queued", id = id, message_id = message_id.as_str())),
    }
    let sender = start_sender(paths);
    out.text(sender.0);
    out.json(json!({
        "id": id,
        "message_id": message_id,
        "state": "queued",
        "not_before_ms": queued.not_before,
        "sender": sender.1,
    }));
    Ok(())
}

/// Who sends from the outbox, in words: the window, `outpost run` or the background
/// sender, with its process.
fn who_sends(s: &worker::Sender) -> String {
    let pid = s.pid.map(|p| p.to_string()).unwrap_or_default();
    match s.role {
        Some(worker::Role::Window) => tr!("sender-window", pid = pid),
        Some(worker::Role::Background) => tr!("sender-background", pid = pid),
        Some(worker::Role::Run) | None => tr!("sender-run", pid = pid),
    }
}

/// Makes sure a sender takes the message just queued (see [`background::start`]); what
/// happened, in words and for JSON. The message is queued whatever this says.
fn start_sender(paths: &Paths) -> (String, Value) {
    match background::start(paths) {
        Ok(Start::Running(s)) => (
            tr!("cli-sent-by", who = who_sends(&s)),
            json!({"running": true, "pid": s.pid, "role": s.role, "started": false}),
        ),
        Ok(Start::Started(pid)) => (
            tr!("cli-sent-in-background", pid = pid),
            json!({"running": true, "pid": pid, "role": worker::Role::Background, "started": true}),
        ),
        Ok(Start::Off) => (
            tr!("cli-background-off", var = background::ENV),
            json!({"running": false, "started": false}),
        ),
        Err(e) => {
            let e = e.explain();
            (
                format!("{} {}", e.problem, e.advice),
                json!({"running": false, "started": false, "error": e.problem}),
            )
        }
    }
}

pub(super) fn queue(out: &Out, paths: &Paths, cmd: QueueCommand) -> Result<(), Failure> {
    match cmd {
        QueueCommand::List => {
            let list = queue::list(paths).map_err(outbox_failure)?;
            if list.is_empty() {
                out.text(tr!("cli-outbox-empty"));
            }
            let now = now_ms();
            for m in &list {
                let scheduled = m.scheduled(now);
                let next = match (scheduled, m.next_attempt_ms) {
                    (Some(at), _) => tr!("cli-to-be-sent", when = local(at)),
                    (None, Some(t)) => tr!("cli-next-try", when = relative(t)),
                    (None, None) => String::new(),
                };
                let state = m.in_words(now);
                let last = m
                    .last_reply
                    .as_deref()
                    .map(|r| format!("\n        {}", tr!("cli-last", reply = r)))
                    .unwrap_or_default();
                out.text(format!(
                    "{}{last}",
                    tr!(
                        "cli-queue-line",
                        id = format!("{:<5}", m.id),
                        state = format!("{state:<9}"),
                        to = m.to.as_str(),
                        subject = m.subject.as_str(),
                        attempts = m.attempts,
                        next = next
                    )
                ));
            }
            // Whether anything sends the waiting messages now, and when the next one is due.
            let waiting = list.iter().any(|m| !m.state.is_final());
            let queue::Sending {
                sender,
                next_due,
                unreachable,
            } = queue::sending(paths).map_err(outbox_failure)?;
            // An account not reaching its server for a day: its settings may have changed.
            let accounts = crate::usecases::account::store(paths).load().ok();
            let email = |id: &str| {
                accounts
                    .as_ref()
                    .and_then(|a| a.accounts.iter().find(|a| a.id.as_str() == id))
                    .map_or_else(|| id.to_string(), |a| a.email.clone())
            };
            for u in &unreachable {
                let who = email(&u.account);
                out.text(format!(
                    "{} {}",
                    u.in_words(&who),
                    tr!("cli-find-settings-again", email = who.as_str())
                ));
            }
            match (&sender, waiting) {
                (Some(s), _) => out.text(tr!(
                    "cli-sender-running",
                    who = who_sends(s),
                    since = s.since_ms.map(local).unwrap_or_default(),
                    next = next_due
                        .map(relative)
                        .unwrap_or_else(|| tr!("cli-sender-nothing-due"))
                )),
                (None, true) => out.text(tr!("cli-sender-none")),
                (None, false) => {}
            }
            out.json(json!({
                "messages": list,
                "sender": {
                    "running": sender.is_some(),
                    "pid": sender.as_ref().and_then(|s| s.pid),
                    "since": sender.as_ref().and_then(|s| s.since_ms),
                    "role": sender.as_ref().and_then(|s| s.role),
                    "next_due": next_due,
                },
                "unreachable": unreachable.iter().map(|u| json!({
                    "account": u.account,
                    "email": email(&u.account),
                    "since": u.since,
                    "reason": if u.not_found { "dns_not_found" } else { "connection_refused" },
                })).collect::<Vec<_>>(),
            }));
        }
        QueueCommand::Show { id } => {
            let detail = queue::detail(paths, id).map_err(outbox_failure)?;
            let (m, events) = (&detail.summary, &detail.history);
            out.text(tr!(
                "cli-show-head",
                id = m.id,
                state = m.in_words(now_ms()),
                to = m.to.as_str(),
                subject = m.subject.as_str()
            ));
            out.text(format!("  Message-ID: {}", m.message_id));
            if let Some(q) = &m.server_queue_id {
                out.text(format!("  {}: {q}", tr!("server-queue-id")));
            }
            if m.maybe_sent {
                out.text(format!("  {}", tr!("cli-maybe-sent")));
            }
            if let Some(copy) = m.copy_in_words() {
                out.text(format!("  {copy}"));
            }
            for r in &m.recipients {
                let reply = r.reply.as_deref().map(|r| format!(" ({r})"));
                out.text(format!(
                    "  {}",
                    tr!(
                        "cli-recipient",
                        field = r.field.in_words(),
                        address = r.address.as_str(),
                        state = r.state.in_words(),
                        reply = reply.unwrap_or_default()
                    )
                ));
            }
            for (words, when) in detail.words.iter().zip(&detail.when) {
                out.text(format!("  {when} {words}"));
            }
            // Each entry's kind and values, and its words (English, as all JSON is).
            let history: Vec<serde_json::Value> = events
                .iter()
                .zip(&detail.words)
                .map(|(e, words)| {
                    let mut v = json!(e);
                    v["text"] = json!(words);
                    v
                })
                .collect();
            out.json(json!({"message": m, "history": history}));
        }
        QueueCommand::Retry { id } => {
            queue::act(paths, id, MessageAction::RetryNow).map_err(action_failure)?;
            out.text(tr!("cli-retry-next-run", id = id));
            out.json(json!({"id": id, "state": "retry"}));
        }
        QueueCommand::Cancel { id } => {
            queue::act(paths, id, MessageAction::Cancel).map_err(action_failure)?;
            out.text(tr!("cli-cancelled", id = id));
            out.json(json!({"id": id, "state": "cancelled"}));
        }
        QueueCommand::Stats => {
            let (space, keep) = queue::space(paths).map_err(outbox_failure)?;
            let total: i64 = space.messages.iter().map(|(_, n)| n).sum();
            let states: Vec<String> = (space.messages.iter())
                .map(|(state, n)| format!("{n} {}", state.in_words()))
                .collect();
            out.text(tr!(
                "cli-stats-messages",
                count = total,
                states = states.join(", ")
            ));
            out.text(tr!(
                "cli-stats-space",
                kept = space.bodies,
                text = size_in_words(space.body_bytes),
                file = size_in_words(space.file_bytes),
                free = size_in_words(space.free_bytes)
            ));
            match &keep {
                Ok(k) => out.text(tr!(
                    "cli-stats-keep",
                    keep = keep_in_words(*k),
                    path = retention::path(paths).display().to_string()
                )),
                Err(e) => out.text(format!("{} {}", e.explain().problem, e.explain().advice)),
            }
            let messages: serde_json::Map<String, Value> = (space.messages.iter())
                .map(|(state, n)| (state.as_str().to_string(), json!(n)))
                .collect();
            out.json(json!({
                "messages": messages,
                "texts_kept": space.bodies,
                "text_bytes": space.body_bytes,
                "file_bytes": space.file_bytes,
                "free_bytes": space.free_bytes,
                "keep_sent_text_days": keep.as_ref().ok().map(|k| keep_json(*k)),
            }));
        }
        QueueCommand::Prune { older_than } => {
            let (pruned, file) =
                queue::prune(paths, older_than.map(Keep::Days)).map_err(tidy_failure)?;
            out.text(tr!(
                "cli-pruned",
                count = pruned.messages,
                size = size_in_words(pruned.bytes),
                file = size_in_words(file)
            ));
            out.json(json!({"pruned": pruned.messages, "bytes": pruned.bytes, "file_bytes": file}));
        }
        QueueCommand::KeepText { days, forever } => {
            let keep = match (days, forever) {
                (_, true) => Keep::Forever,
                (Some(d), false) => Keep::Days(d),
                (None, false) => unreachable!("clap requires --days or --forever"),
            };
            let pruned = queue::keep_text(paths, keep).map_err(tidy_failure)?;
            out.text(tr!(
                "cli-keep-set",
                keep = keep_in_words(keep),
                count = pruned.messages,
                size = size_in_words(pruned.bytes)
            ));
            out.json(json!({"keep_sent_text_days": keep_json(keep), "pruned": pruned.messages}));
        }
    }
    Ok(())
}

fn bad_number(option: &str, value: f64) -> ExitCode {
    eprintln!(
        "{}",
        tr!("cli-bad-number", option = option, value = value.to_string())
    );
    ExitCode::from(2)
}

/// `outpost run --stop`: the running sender finishes what it is sending and stops.
pub(super) fn stop(out: &Out, paths: &Paths) -> ExitCode {
    // Long enough for a message's last reply under the default limits.
    let patience = std::time::Duration::from_secs(330);
    match queue::stop_sending(paths, patience) {
        None => {
            out.text(tr!("cli-stop-none"));
            out.json(json!({"stopped": false, "running": false}));
        }
        Some(s) if worker::sender(paths).is_some() => {
            let e = Explanation::new(
                tr!(
                    "cli-stop-waiting",
                    pid = s.pid.map(|p| p.to_string()).unwrap_or_default()
                ),
                tr!("cli-stop-waiting-advice"),
            );
            return out.failure(Failure::Failed("still_running", e), json!({"pid": s.pid}));
        }
        Some(s) => {
            let pid = s.pid.map(|p| p.to_string()).unwrap_or_default();
            out.text(tr!("cli-sender-stopped", pid = pid));
            out.json(json!({"stopped": true, "pid": s.pid}));
        }
    }
    ExitCode::SUCCESS
}

/// `outpost run`'s limits: `--timeout SECS`, `--give-up-after DAYS`.
pub(super) struct Limits {
    pub timeout: Option<f64>,
    pub give_up_after: f64,
}

impl Limits {
    /// A worker over the network with these limits; on a wrong number, its exit code.
    fn worker(&self, paths: &Paths) -> Result<Result<Worker, Failure>, ExitCode> {
        let timeouts = match self.timeout.map(std::time::Duration::try_from_secs_f64) {
            None => SendTimeouts::default(),
            Some(Ok(d)) if !d.is_zero() => SendTimeouts::uniform(d),
            Some(_) => return Err(bad_number("--timeout", self.timeout.unwrap_or_default())),
        };
        let lifetime = match std::time::Duration::try_from_secs_f64(self.give_up_after * 86_400.0) {
            Ok(d) if !d.is_zero() => d,
            _ => return Err(bad_number("--give-up-after", self.give_up_after)),
        };
        Ok(Net::from_env()
            .map_err(|e| Failure::Failed("setup", e.explain()))
            .map(|net| {
                Worker::new(net, paths.clone())
                    .with_timeouts(timeouts)
                    .with_lifetime(lifetime)
            }))
    }
}

fn worker_failure(e: worker::WorkerError) -> Failure {
    match e {
        worker::WorkerError::Outbox(o) => outbox_failure(o),
        other => Failure::Failed("worker", other.explain()),
    }
}

/// `outpost run --background`: sends while messages wait, then ends. Says nothing (its
/// output goes nowhere): the log has what happened, and a message refused for good is told
/// to the desktop.
pub(super) fn run_background(paths: &Paths, limits: Limits) -> ExitCode {
    let worker = match limits.worker(paths) {
        Ok(Ok(w)) => w,
        Ok(Err(f)) => {
            tracing::error!(
                "the background sender cannot start: {}",
                f.explanation().problem
            );
            return ExitCode::FAILURE;
        }
        Err(code) => return code,
    };
    let rt = super::runtime();
    let mut first = true;
    loop {
        // Nothing waits (a login with an empty outbox): done before anything is opened.
        if !queue::anything_waits(paths) {
            return ExitCode::SUCCESS;
        }
        // The first time, the sender that holds the outbox may be ending (a window closing):
        // its turn is waited for. Later, whoever took the outbox sends.
        let patience = if first {
            BACKGROUND_PATIENCE
        } else {
            std::time::Duration::ZERO
        };
        first = false;
        let _lock = match worker::lock_waiting(paths, worker::Role::Background, patience) {
            Ok(lock) => lock,
            Err(worker::WorkerError::AlreadyRunning(_)) => {
                tracing::info!("another sender holds the outbox: it sends");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                tracing::error!("the background sender cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        tracing::info!("sending in the background while messages wait");
        let nudge = tokio::sync::Notify::new();
        let served = rt.block_on(worker.serve(worker::Until::NothingWaits, &nudge, |e| {
            if e.is_refusal() {
                let paths = paths.clone();
                tokio::task::spawn_blocking(move || notice::tell_desktop(&paths, &e));
            }
        }));
        match served {
            Ok(worker::Served::Stopped) => {
                tracing::info!("the background sender was asked to stop");
                return ExitCode::SUCCESS;
            }
            // It lets go of the outbox, then looks once more: a message queued meanwhile
            // was queued by someone who saw a sender and started none.
            Ok(worker::Served::NothingWaits) => tracing::info!("nothing waits: ending"),
            Err(e) => {
                tracing::error!("the background sender stopped: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
}

/// How long a background sender waits for the outbox's sender that is ending.
const BACKGROUND_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// `outpost run [--until-empty] [--timeout SECS] [--give-up-after DAYS]`.
pub(super) fn run(out: &Out, paths: &Paths, until_empty: bool, limits: Limits) -> ExitCode {
    let worker = match limits.worker(paths) {
        Ok(Ok(w)) => w,
        Ok(Err(f)) => return out.failure(f, Value::Null),
        Err(code) => return code,
    };
    let _lock = match worker::lock(paths, worker::Role::Run) {
        Ok(l) => l,
        Err(e) => {
            let kind = match e {
                worker::WorkerError::AlreadyRunning(_) => "already_running",
                _ => "worker",
            };
            return out.failure(Failure::Failed(kind, e.explain()), Value::Null);
        }
    };
    if !until_empty {
        out.text(tr!("cli-serving"));
    }
    let rt = super::runtime();
    let mut events = Vec::new();
    let report = |e: WorkerEvent| {
        out.text(capitalise(&e.to_string()));
        events.push(capitalise(&e.to_string()));
    };
    let result = if until_empty {
        rt.block_on(worker.run_until_empty(report))
    } else {
        let nudge = tokio::sync::Notify::new();
        rt.block_on(worker.serve(worker::Until::Stopped, &nudge, report))
            .map(|_| ())
    }
    .map_err(worker_failure);
    if let Err(f) = result {
        return out.failure(f, Value::Null);
    }
    let outbox = match open(paths) {
        Ok(o) => o,
        Err(f) => return out.failure(f, Value::Null),
    };
    let waiting: Vec<_> = outbox
        .list()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| !m.state.is_final())
        .collect();
    let paused = outbox.paused().unwrap_or_default();
    for m in &waiting {
        let why = if let Some((_, reason)) = paused.iter().find(|(a, _)| *a == m.account) {
            tr!("cli-account-paused", reason = reason.as_str())
        } else if let Some(at) = m.scheduled(now_ms()) {
            tr!(
                "cli-to-be-sent-at",
                when = local(at),
                countdown = relative(at)
            )
        } else if m.state == State::Retry {
            tr!(
                "cli-next-try-last",
                when = m.next_attempt_ms.map(relative).unwrap_or_default(),
                last = m
                    .last_reply
                    .as_deref()
                    .map(|r| format!(" ({})", tr!("cli-last", reply = r)))
                    .unwrap_or_default()
            )
        } else {
            m.state.in_words()
        };
        out.text(tr!(
            "cli-waiting-line",
            id = m.id,
            to = m.to.as_str(),
            why = why
        ));
    }
    out.json(json!({"events": events, "waiting": waiting, "paused": paused.iter().map(|(a, r)| json!({"account": a, "reason": r})).collect::<Vec<_>>()}));
    ExitCode::SUCCESS
}

/// `outpost sendmail [-t] [-i] [-f FROM] [RECIPIENT...]`, and the binary called `sendmail`.
/// Silent on success, like sendmail; exit codes from sysexits.h on failure.
pub fn sendmail(args: &[String]) -> ExitCode {
    use crate::outbox::sendmail::{self as sm, SendmailError};
    let fail = |code: u8, text: String| {
        eprintln!("{}", tr!("cli-sendmail", text = text));
        ExitCode::from(code)
    };
    let parsed = match sm::parse_args(args) {
        Ok(a) => a,
        Err(e) => return fail(64, e.to_string()),
    };
    let mut input = Vec::new();
    let limit = crate::message::MAX_MESSAGE_BYTES + 1;
    if let Err(e) = std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin(), limit),
        &mut input,
    ) {
        return fail(74, tr!("cli-sendmail-unreadable", error = e.to_string()));
    }
    let raw = sm::read_message(&input, parsed.ignore_dots);
    let paths = match Paths::from_env() {
        Ok(p) => p,
        Err(e) => return fail(78, e.to_string()),
    };
    let accounts = match accounts::list(&paths) {
        Ok(a) => a,
        Err(e) => return fail(78, e.explain().problem),
    };
    let wanted = parsed.from.clone().or_else(|| sm::header_from(&raw));
    // The account sending as that address (its own, or one of its identities).
    let sender = match &wanted {
        Some(addr) => accounts.sender(addr),
        None => accounts.default_sender().map(|a| (a, a.own_identity())),
    };
    let Some((account, identity)) = sender else {
        let who = wanted.unwrap_or_else(|| tr!("cli-no-from"));
        return fail(67, tr!("cli-no-sender", who = who));
    };
    let prepared = match sm::prepare(
        &raw,
        &parsed,
        (&identity.email, identity.display_name.as_deref()),
    ) {
        Ok(p) => p,
        Err(e @ SendmailError::NoRecipient) => return fail(64, e.to_string()),
        Err(e) => return fail(65, e.to_string()),
    };
    learn_server_size(&paths, account);
    match queue::submit_from_program(&paths, account.id.as_str(), prepared) {
        // Silent, as sendmail is; a sender that cannot be started is logged, and the
        // message waits for the next one (the window, the login, the next queueing).
        Ok(_) => {
            if let Err(e) = background::start(&paths) {
                tracing::error!("{e}");
            }
            ExitCode::SUCCESS
        }
        // EX_CANTCREAT, as sendmail says when a message exceeds the size it takes.
        Err(e @ queue::SubmitError::TooLarge { .. }) => fail(73, e.to_string()),
        Err(e) => fail(75, e.explain().problem),
    }
}

/// How long queueing waits to learn an account's size limit the first time: a server that
/// does not answer by then (offline, say) is asked by the sender instead.
const SIZE_ASKED_WITHIN: Duration = Duration::from_secs(2);

/// Asks the account's server once for the largest message it takes (EHLO, no login; kept),
/// so that a message too large is refused here rather than failing later. A server that
/// cannot be asked now is asked by the sender, at its first connection.
fn learn_server_size(paths: &Paths, account: &Account) {
    if queue::server_size_known(paths, account.id.as_str()) {
        return;
    }
    let asked = super::runtime().block_on(async {
        let net = Net::from_env().ok()?;
        crate::usecases::check::announced_size(&net, account, SIZE_ASKED_WITHIN).await
    });
    if let Some(size) = asked
        && let Err(e) = queue::keep_server_size(paths, account.id.as_str(), size.unwrap_or(0))
    {
        tracing::warn!("the server's size limit is not kept: {e}");
    }
}
