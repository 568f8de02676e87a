//! The command loop: each command becomes a task that calls a use case and tells the window
//! what came of it. Checks, detections and sign-ins are kept by ticket so they can be
//! cancelled.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ctx::{Ctx, WatchRequest, blocking};
use super::guard::{Answer, guarded};
use super::protocol::{Command, Event, SaveFailure, SpaceView, Ticket};
use super::signin;
use crate::account::Account;
use crate::account::SecretError;
use crate::account::check::Timeouts;
use crate::explain::{Explain, Explanation};
use crate::outbox::store::Pruned;
use crate::secret::Secret;
use crate::usecases::account::{self as accounts, ManageError, OnDuplicate};
use crate::usecases::{check, detect, queue, writing};

/// Serves the window's commands until it goes.
pub(super) async fn serve(ctx: Ctx, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut running: HashMap<Ticket, JoinHandle<()>> = HashMap::new();
    while let Some(command) = commands.recv().await {
        running.retain(|_, handle| !handle.is_finished());
        crate::fault::point("core-loop");
        // Whatever happens in the task, its screen gets an answer.
        let answer = Answer::to(&command);
        match command {
            Command::Cancel { ticket } => {
                if let Some(handle) = running.remove(&ticket) {
                    handle.abort();
                }
            }
            Command::Check { ticket, .. }
            | Command::Detect { ticket, .. }
            | Command::SignIn { ticket, .. } => {
                let work = cancellable(ctx.clone(), command);
                running.insert(ticket, tokio::spawn(guarded(ctx.clone(), answer, work)));
            }
            Command::WakeWorker => ctx.nudge.notify_one(),
            Command::Notifications(on) => ctx.notify.store(on, Ordering::Relaxed),
            Command::Rows(ids) => {
                // A watcher that has ended (the window is closing) needs no rows.
                ctx.poke.send(WatchRequest::Rows(ids)).ok();
            }
            Command::ServerSize { account } => {
                let work = server_size(ctx.clone(), account);
                tokio::spawn(guarded(ctx.clone(), answer, work));
            }
            other => {
                let task = ctx.clone();
                let work = blocking(move || on_files(&task, other));
                tokio::spawn(guarded(ctx.clone(), answer, work));
            }
        }
    }
}

/// The commands that run until they end or are cancelled.
async fn cancellable(ctx: Ctx, command: Command) {
    crate::fault::point("core-task");
    match command {
        Command::Check {
            ticket,
            account,
            secret,
        } => run_check(ctx, ticket, account, secret).await,
        Command::Detect {
            ticket,
            email,
            options,
            proxy,
        } => {
            let net = match &ctx.net {
                Ok(net) => net.via(proxy.as_ref()),
                Err(e) => {
                    let error = e.clone();
                    return ctx.emit(Event::NotStarted { ticket, error });
                }
            };
            let progress = |progress| ctx.emit(Event::DetectProgress { ticket, progress });
            let (result, late) =
                detect::detect_keeping_late(&net, &ctx.paths, &email, &options, progress).await;
            ctx.emit(Event::DetectDone {
                ticket,
                result: Box::new(result),
            });
            // A better-ranked source may still answer: the window offers what it says.
            if let Some(late) = late
                && let Some(better) = detect::better(&ctx.paths, late).await
            {
                ctx.emit(Event::DetectBetter {
                    ticket,
                    detection: Box::new(better),
                });
            }
        }
        Command::SignIn {
            ticket,
            email,
            host,
            discovered,
        } => signin::sign_in(ctx, ticket, email, host, discovered).await,
        _ => unreachable!("only checks, detections and sign-ins are cancellable"),
    }
}

/// The commands that read or write files, the keyring or the queue (blocking).
fn on_files(ctx: &Ctx, command: Command) {
    crate::fault::point("core-task");
    match command {
        Command::Reload => {
            ctx.emit_accounts();
            signin::emit_issuers(ctx);
        }
        Command::SetClient {
            provider,
            client_id,
            client_secret,
        } => signin::set_client(ctx, &provider, &client_id, &client_secret),
        Command::Save { account, secret } => {
            let result = accounts::save(&ctx.paths, account, secret.as_ref(), OnDuplicate::Refuse);
            ctx.emit(Event::Saved(result.map_err(save_failure)));
            ctx.emit_accounts();
            ctx.look();
        }
        Command::Remove { email, waiting } => {
            let result = accounts::remove(&ctx.paths, &email, waiting);
            ctx.emit(Event::Removed(result.map_err(|e| e.explain())));
            ctx.emit_accounts();
            ctx.look();
        }
        Command::FindElsewhere(places) => {
            let (offers, _) = crate::usecases::import::list(&ctx.paths, &places);
            ctx.emit(Event::FoundElsewhere(offers));
        }
        Command::SetDefault { id } => match accounts::set_default(&ctx.paths, &id) {
            Ok(()) => ctx.emit_accounts(),
            Err(e) => ctx.emit(Event::Accounts(Err(e.explain()))),
        },
        Command::Queue {
            ticket,
            account,
            draft,
            not_before,
            saved,
        } => {
            let result = queue::submit_at(
                &ctx.paths,
                account.id.as_str(),
                &draft,
                not_before,
                saved.as_deref(),
            );
            ctx.nudge.notify_one();
            let queued = result.is_ok();
            let result = result.map_err(|e| e.explain());
            ctx.emit(Event::Queued { ticket, result });
            ctx.look();
            if queued && saved.is_some() {
                emit_drafts(ctx);
            }
        }
        Command::SaveDraft(draft) => {
            let result = writing::save(&ctx.paths, &draft).map_err(|e| e.explain());
            // A new draft changes the list (the Drafts tab's count); a later save of the
            // same one does not: the list is read again when the Drafts screen is shown.
            let new = result.is_ok() && draft.revision == 1;
            ctx.emit(Event::DraftSaved {
                key: draft.key,
                revision: draft.revision,
                result,
            });
            if new {
                emit_drafts(ctx);
            }
        }
        Command::DiscardDraft { key } => match writing::discard(&ctx.paths, &key) {
            Ok(()) => emit_drafts(ctx),
            Err(e) => ctx.emit(Event::Drafts(Err(e.explain()))),
        },
        Command::Drafts => emit_drafts(ctx),
        Command::Dictionaries(dirs) => ctx.emit(Event::Dictionaries(
            crate::usecases::spelling::dictionaries(dirs.as_deref()),
        )),
        Command::LoadDictionary(installed) => ctx.emit(Event::Dictionary {
            code: installed.code.clone(),
            result: crate::usecases::spelling::load(&ctx.paths, &installed)
                .map(std::sync::Arc::new)
                .map_err(|e| e.explain()),
        }),
        Command::AddWord(word) => {
            if let Err(e) = crate::usecases::spelling::add_word(&ctx.paths, &word) {
                ctx.emit(Event::WordNotAdded(e.explain()));
            }
        }
        Command::Contacts(places) => ctx.emit(Event::Contacts(
            crate::usecases::contacts::suggestions(&ctx.paths, places.as_ref()),
        )),
        Command::Act { id, action } => {
            let result = queue::act(&ctx.paths, id, action).map_err(|e| e.explain());
            ctx.nudge.notify_one();
            ctx.look();
            ctx.emit(Event::Acted(result));
            if action != queue::MessageAction::Delete {
                let detail = queue::detail(&ctx.paths, id).map_err(|e| e.explain());
                ctx.emit(Event::Detail(detail));
            }
        }
        Command::Detail { id } => {
            let detail = queue::detail(&ctx.paths, id).map_err(|e| e.explain());
            ctx.emit(Event::Detail(detail));
        }
        Command::Reopen { id } => {
            let draft = queue::reopen(&ctx.paths, id).map_err(|e| e.explain());
            ctx.emit(Event::Reopened(draft));
        }
        Command::Undo { id } => {
            let draft = queue::undo(&ctx.paths, id).map_err(|e| e.explain());
            ctx.look();
            ctx.emit(Event::Reopened(draft));
        }
        Command::Space => ctx.emit(Event::Space(space(ctx, None))),
        Command::KeepText(keep) => {
            let pruned = queue::keep_text(&ctx.paths, keep);
            ctx.emit(Event::Space(
                pruned
                    .map_err(|e| e.explain())
                    .and_then(|p| space(ctx, Some(p))),
            ));
            ctx.look();
        }
        Command::PruneNow => {
            let pruned = queue::prune(&ctx.paths, None);
            ctx.emit(Event::Space(
                pruned
                    .map_err(|e| e.explain())
                    .and_then(|(p, _)| space(ctx, Some(p))),
            ));
            ctx.look();
        }
        Command::SystemFonts => ctx.emit(Event::SystemFonts(crate::fonts::system_fallbacks())),
        Command::FileSizes(paths) => {
            let sizes = paths
                .into_iter()
                .map(|p| {
                    let size = crate::message::file_size(&p);
                    (p, size)
                })
                .collect();
            ctx.emit(Event::FileSizes(sizes));
        }
        _ => unreachable!("the other commands are served in `serve`"),
    }
}

/// Tells the window which drafts are kept.
fn emit_drafts(ctx: &Ctx) {
    ctx.emit(Event::Drafts(
        writing::list(&ctx.paths).map_err(|e| e.explain()),
    ));
}

/// What the outbox holds now, with what was just let go.
fn space(ctx: &Ctx, pruned: Option<Pruned>) -> Result<SpaceView, Explanation> {
    let (space, keep) = queue::space(&ctx.paths).map_err(|e| e.explain())?;
    Ok(SpaceView {
        space,
        keep: keep.map_err(|e| e.explain()),
        pruned,
    })
}

fn save_failure(e: ManageError) -> SaveFailure {
    SaveFailure {
        keyring_unavailable: matches!(e, ManageError::Secret(SecretError::NoService { .. })),
        explanation: e.explain(),
    }
}

/// The network and the secret a check needs: the one typed, else the stored one.
async fn check_inputs(
    ctx: &Ctx,
    account: &Account,
    typed: Option<Secret>,
) -> Result<(crate::net::Net, Option<Secret>), Explanation> {
    let net = ctx.net.clone()?;
    let acc = account.clone();
    let secret = blocking(move || check::secret_for(&acc, typed))
        .await
        .map_err(|e| e.explain())?;
    Ok((net, secret))
}

async fn server_size(ctx: Ctx, account: Account) {
    let result = match check_inputs(&ctx, &account, None).await {
        Ok((net, secret)) => check::server_size(&net, &account, secret.as_ref())
            .await
            .map_err(|e| e.explain()),
        Err(e) => Err(e),
    };
    ctx.emit(Event::ServerSize {
        account: account.id,
        result,
    });
}

async fn run_check(ctx: Ctx, ticket: Ticket, account: Account, secret: Option<Secret>) {
    let (net, secret) = match check_inputs(&ctx, &account, secret).await {
        Ok(v) => v,
        Err(error) => return ctx.emit(Event::NotStarted { ticket, error }),
    };
    let progress = |progress| ctx.emit(Event::CheckProgress { ticket, progress });
    let report = check::connection(
        &net,
        &account,
        secret.as_ref(),
        Timeouts::default(),
        progress,
    )
    .await;
    ctx.emit(Event::CheckDone { ticket, report });
}
