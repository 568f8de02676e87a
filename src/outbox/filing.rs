//! Filing copies of sent messages in the account's Sent folder over IMAP: exactly the bytes
//! the server accepted, with the Bcc recipients added back (as mail apps keep them in their
//! own copy), marked `\Seen`, dated with the message's own date. One connection per account
//! for all its due copies; the folder is the one the server marks `\Sent` (else the usual
//! name), made when there is none. A refusal is kept with the server's words; the message
//! itself stays sent whatever becomes of its copy.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::history::{CopyCause, Trouble};
use super::policy;
use super::store::{CopyJob, Outbox, OutboxError, locked};
use crate::account::{Account, AuthMethod, ImapSettings};
use crate::clock::now_ms;
use crate::net::Net;
use crate::net::imap::{ImapConn, ImapError, Login, SentFolder, Server, find_sent, new_sent_name};
use crate::net::pin::pinned_config;
use crate::secret::Secret;

/// Copies claimed at once (one connection files them all).
pub const COPY_BATCH: usize = 32;
/// How long a copy being filed is held before another sender may take it.
pub const COPY_LEASE: Duration = Duration::from_secs(10 * 60);
/// Attempts before a copy that keeps failing for now is given up (about two days with the
/// backoff's cap).
pub const COPY_ATTEMPTS: i64 = 60;
/// How long a copy waits, while messages are being sent, before it is filed anyway: sending
/// comes first, and a long drain still files its copies as it goes.
pub const PATIENCE_MS: i64 = 5_000;
/// Each step's time limit.
const STEP: Duration = Duration::from_secs(60);

/// The bytes filed: the message as sent, with a `Bcc:` field naming its Bcc recipients
/// added at the end of its header when it had any.
pub fn copy_bytes(sent: &[u8], bcc: &[String]) -> Vec<u8> {
    if bcc.is_empty() {
        return sent.to_vec();
    }
    let crlf = sent.windows(2).any(|w| w == b"\r\n");
    let (end_of_header, eol): (Option<usize>, &[u8]) = if crlf {
        (
            sent.windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|p| p + 2),
            b"\r\n",
        )
    } else {
        (
            sent.windows(2).position(|w| w == b"\n\n").map(|p| p + 1),
            b"\n",
        )
    };
    let at = end_of_header.unwrap_or(sent.len());
    let mut out = Vec::with_capacity(sent.len() + 64);
    out.extend_from_slice(&sent[..at]);
    out.extend_from_slice(b"Bcc: ");
    out.extend_from_slice(bcc.join(", ").as_bytes());
    out.extend_from_slice(eol);
    out.extend_from_slice(&sent[at..]);
    out
}

/// What filing one account's copies came to, one per job.
pub enum Filed {
    /// In this folder, with this UID.
    Done { folder: String, uid: Option<u32> },
    /// Not now: again later.
    Later(CopyCause),
    /// Not at all.
    Never(CopyCause),
}

/// Files `jobs` (one account's) and writes each outcome; `account` and `secret` as the
/// sender loaded them (the secret a fresh access token for OAuth2 accounts).
pub async fn file(
    net: &Net,
    outbox: &Arc<Mutex<Outbox>>,
    account: Result<(Account, Option<Secret>), CopyCause>,
    jobs: Vec<CopyJob>,
) -> Result<(), OutboxError> {
    let outcomes = match account {
        Err(cause) => jobs.iter().map(|_| Filed::Never(cause.clone())).collect(),
        Ok((account, secret)) => match &account.imap {
            Some(imap) if imap.sent_copy => {
                file_all(net, &account, imap, secret.as_ref(), outbox, &jobs).await
            }
            _ => jobs
                .iter()
                .map(|_| Filed::Never(setup("copies_off", || tr!("copy-off"))))
                .collect(),
        },
    };
    let outbox = outbox.clone();
    crate::blocking::run(move || {
        let mut o = locked(&outbox);
        o.batch(|o| {
            for (job, outcome) in jobs.iter().zip(outcomes) {
                match outcome {
                    Filed::Done { folder, uid } => o.copy_filed(job.id, &folder, uid)?,
                    Filed::Later(cause) if job.attempts + 1 < COPY_ATTEMPTS => {
                        let wait = policy::backoff(job.attempts, false, policy::jitter());
                        o.copy_retry(job.id, now_ms() + wait.as_millis() as i64, &cause)?
                    }
                    Filed::Later(cause) | Filed::Never(cause) => o.copy_failed(job.id, &cause)?,
                }
            }
            Ok(())
        })
    })
    .await
}

fn setup(kind: &str, say: impl Fn() -> String) -> CopyCause {
    CopyCause::Setup(Trouble::new(kind, say))
}

/// Why an IMAP failure stops a copy, as data.
fn cause_of(e: &ImapError) -> CopyCause {
    match e {
        e if e.is_over_quota() => CopyCause::OverQuota { said: said(e) },
        ImapError::LoginRefused { .. } if !e.is_transient() => CopyCause::Login { said: said(e) },
        ImapError::Refused {
            command,
            code,
            text,
        } if !e.is_transient() => CopyCause::Refused {
            command: command.to_string(),
            code: code.as_ref().map(|c| c.0.clone()),
            said: text.clone(),
        },
        ImapError::Certificate(_) | ImapError::NoStarttls | ImapError::NoLogin => {
            let e = e.clone();
            setup("imap_setup", move || e.to_string())
        }
        e => {
            let e = e.clone();
            CopyCause::Network(Trouble::new("imap_network", move || e.to_string()))
        }
    }
}

/// The server's own words of a refusal.
fn said(e: &ImapError) -> String {
    match e {
        ImapError::LoginRefused { text, .. } | ImapError::Refused { text, .. } => text.clone(),
        other => other.to_string(),
    }
}

fn verdict(e: &ImapError) -> Filed {
    let cause = cause_of(e);
    if e.is_transient() {
        Filed::Later(cause)
    } else {
        Filed::Never(cause)
    }
}

async fn file_all(
    net: &Net,
    account: &Account,
    imap: &ImapSettings,
    secret: Option<&Secret>,
    outbox: &Arc<Mutex<Outbox>>,
    jobs: &[CopyJob],
) -> Vec<Filed> {
    let all = |e: &ImapError| jobs.iter().map(|_| verdict(e)).collect::<Vec<_>>();
    let mut conn = match open(net, account, imap, secret).await {
        Ok(c) => c,
        Err(e) => return all(&e),
    };
    let mut folder = match imap.sent_folder.clone() {
        Some(f) => f,
        None => match sent_folder(&mut conn, outbox, jobs[0].id).await {
            Ok(f) => f,
            Err(e) => return all(&e),
        },
    };
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let bytes = copy_bytes(&job.bytes, &job.bcc);
        let date = crate::net::imap::message_date(&bytes);
        let mut result = conn.append(&folder, &bytes, date.clone()).await;
        if result.as_ref().is_err_and(ImapError::is_no_folder) {
            // The folder is gone (deleted or renamed in another app): found or made again.
            match sent_folder(&mut conn, outbox, job.id).await {
                Ok(f) => {
                    folder = f;
                    result = conn.append(&folder, &bytes, date).await;
                }
                Err(e) => result = Err(e),
            }
        }
        match result {
            Ok(uid) => out.push(Filed::Done {
                folder: folder.clone(),
                uid,
            }),
            Err(e) if e.is_transient() && e.code().is_none() => {
                // The connection is gone: this copy and the rest wait.
                let rest = jobs.len() - out.len();
                out.extend((0..rest).map(|_| verdict(&e)));
                return out;
            }
            Err(e) => out.push(verdict(&e)),
        }
    }
    conn.logout().await;
    out
}

/// Connects and logs in with the account's submission login and secret.
pub async fn open(
    net: &Net,
    account: &Account,
    imap: &ImapSettings,
    secret: Option<&Secret>,
) -> Result<ImapConn, ImapError> {
    let net = net.via(account.proxy.as_ref());
    // A pinned key is the submission server's: it applies to the IMAP server on the same host.
    let tls = match &account.pinned_certificate {
        Some(pin) if imap.host.eq_ignore_ascii_case(&account.smtp.host) => {
            pinned_config(&net.tls, &pin.sha256)
        }
        _ => net.tls.clone(),
    };
    let server = Server {
        host: &imap.host,
        port: imap.port,
        security: imap.security.into(),
    };
    let mut conn = ImapConn::connect(&net, server, tls, STEP).await?;
    let user = account.smtp.username.as_str();
    match (account.smtp.auth, secret) {
        (AuthMethod::None, _) | (_, None) => {}
        (AuthMethod::Oauth2, Some(token)) => conn.login(Login::Token { user, token }).await?,
        (AuthMethod::Password, Some(password)) => {
            conn.login(Login::Password { user, password }).await?
        }
    }
    Ok(conn)
}

/// The Sent folder, found (SPECIAL-USE, else the usual names) or made; a folder made is noted
/// in message `id`'s history.
async fn sent_folder(
    conn: &mut ImapConn,
    outbox: &Arc<Mutex<Outbox>>,
    id: i64,
) -> Result<String, ImapError> {
    let folders = conn.folders().await?;
    match find_sent(&folders) {
        SentFolder::Marked(f) | SentFolder::Named(f) => Ok(f),
        SentFolder::Missing => {
            let name = new_sent_name(&folders);
            conn.create(&name).await?;
            let (o, n) = (outbox.clone(), name.clone());
            let noted = crate::blocking::run(move || locked(&o).folder_created(id, &n)).await;
            if let Err(e) = noted {
                tracing::warn!("made the folder {name}; not noted in the history: {e}");
            }
            Ok(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcc_goes_back_at_the_end_of_the_header() {
        let sent = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nBody\r\n";
        let copy = copy_bytes(sent, &["c@example.org".into(), "d@example.org".into()]);
        assert_eq!(
            copy,
            b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\nBcc: c@example.org, d@example.org\r\n\r\nBody\r\n"
        );
        assert_eq!(copy_bytes(sent, &[]), sent);
        let bare = b"From: a@example.org\nSubject: x\n\nBody\n";
        assert_eq!(
            copy_bytes(bare, &["c@example.org".into()]),
            b"From: a@example.org\nSubject: x\nBcc: c@example.org\n\nBody\n"
        );
    }
}
