//! A message's history in words, made when it is read and in the reader's language: what a
//! server's reply means (a daily limit, a login to fix), when a retry is due.

use super::history::{Cause, CopyCause, Happening};
use super::policy::needs_login;
use crate::account::explain::reply_note;
use crate::clock::local;
use crate::net::smtp::{Meaning, Reply};

impl Cause {
    /// Why, in words: the server's own words with what they mean, or our error's.
    pub fn in_words(&self) -> String {
        let parsed = |reply: &str| reply.parse::<Reply>().ok();
        match self {
            Cause::Reply { reply } => match parsed(reply) {
                Some(r) if needs_login(&r) => tr!("needs-login", reply = reply.as_str()),
                Some(r) => match Meaning::of(&r) {
                    Meaning::Other => reply.clone(),
                    m => reply_note(m, &r),
                },
                None => reply.clone(),
            },
            Cause::Login { reply } => match parsed(reply) {
                Some(r) if r.is_transient() => reply.clone(),
                Some(r) if !matches!(Meaning::of(&r), Meaning::Other | Meaning::BadCredentials) => {
                    reply_note(Meaning::of(&r), &r)
                }
                _ => tr!("login-refused-again", reply = reply.as_str()),
            },
            Cause::Network(t) | Cause::Offline(t) | Cause::Setup(t) => t.words.text(),
            Cause::MaybeSent(t) => tr!("maybe-sent-again", error = t.words.text()),
            Cause::Bug { panic } => tr!("cause-bug", detail = panic.as_str()),
            Cause::Said { text } => text.clone(),
        }
    }
}

impl CopyCause {
    /// Why, in words, with what to do: the server's own words kept.
    pub fn in_words(&self) -> String {
        match self {
            CopyCause::OverQuota { said } => tr!("copy-over-quota", said = said.as_str()),
            CopyCause::Login { said } => tr!("copy-login-refused", said = said.as_str()),
            CopyCause::Refused {
                command,
                code,
                said,
            } => match code {
                Some(code) => tr!(
                    "copy-refused-code",
                    command = command.as_str(),
                    code = code.as_str(),
                    said = said.as_str()
                ),
                None => tr!(
                    "copy-refused",
                    command = command.as_str(),
                    said = said.as_str()
                ),
            },
            CopyCause::Network(t) | CopyCause::Setup(t) => t.words.text(),
        }
    }
}

impl Happening {
    /// The entry in words, as the history shows it.
    pub fn in_words(&self) -> String {
        match self {
            Happening::Queued { not_before: None } => tr!("note-queued"),
            Happening::Queued {
                not_before: Some(t),
            } => tr!("note-queued-for", when = local(*t)),
            Happening::Late { due } => tr!("note-late", when = local(*due)),
            Happening::Sent { reply, .. } => tr!("note-sent", reply = reply.as_str()),
            Happening::RecipientRefused { recipient, reply } => tr!(
                "note-recipient-refused",
                recipient = recipient.as_str(),
                reply = reply.as_str()
            ),
            Happening::RecipientDeferred { recipient, reply } => tr!(
                "note-recipient-deferred",
                recipient = recipient.as_str(),
                reply = reply.as_str()
            ),
            Happening::Retry {
                next_attempt,
                cause,
            } => tr!(
                "note-retry",
                when = local(*next_attempt),
                reason = cause.in_words()
            ),
            Happening::Held { .. } => tr!("note-held", reason = self.reason().unwrap_or_default()),
            Happening::Paused { cause } => tr!("note-paused", reason = cause.in_words()),
            Happening::Failed { .. } => {
                tr!("note-failed", reason = self.reason().unwrap_or_default())
            }
            Happening::Cancelled => tr!("note-cancelled"),
            Happening::AccountRemoved => tr!("note-account-removed"),
            Happening::AccountBack => tr!("note-account-back"),
            Happening::RetryRequested => tr!("note-retry-requested"),
            Happening::SenderStopped => tr!("note-sender-stopped"),
            Happening::Filed { folder, .. } => tr!("note-filed", folder = folder.as_str()),
            Happening::FolderCreated { folder } => {
                tr!("note-folder-created", folder = folder.as_str())
            }
            Happening::CopyRetry {
                next_attempt,
                cause,
            } => tr!(
                "note-copy-retry",
                when = local(*next_attempt),
                reason = cause.in_words()
            ),
            Happening::CopyNotFiled { cause } => {
                tr!("note-copy-not-filed", reason = cause.in_words())
            }
            Happening::Note { text } => text.clone(),
        }
    }

    /// The server's words or why it did not deliver, for the outbox's "last reply": the
    /// reply to a sent message, the reason it waits or failed.
    pub fn reason(&self) -> Option<String> {
        match self {
            Happening::Sent { reply, .. } => Some(reply.clone()),
            Happening::Retry { cause, .. } | Happening::Paused { cause } => Some(cause.in_words()),
            Happening::Held { until, cause } => Some(tr!(
                "resumes-at",
                why = cause.in_words(),
                when = local(*until)
            )),
            Happening::Failed {
                cause,
                gave_up_after_days: Some(days),
            } => Some(tr!("gave-up", days = *days, why = cause.in_words())),
            Happening::Failed { cause, .. } => Some(cause.in_words()),
            Happening::Note { text } => Some(text.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::history::Trouble;

    fn reply(s: &str) -> Cause {
        Cause::Reply { reply: s.into() }
    }

    #[test]
    fn a_reply_is_told_with_what_it_means() {
        assert_eq!(reply("451 4.3.0 later").in_words(), "451 4.3.0 later");
        let daily = reply("550 5.4.5 Daily user sending limit exceeded.").in_words();
        assert!(daily.contains("daily sending limit"), "{daily}");
        let login = Cause::Login {
            reply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.".into(),
        }
        .in_words();
        assert!(
            login.contains("administrator must allow SMTP AUTH"),
            "{login}"
        );
        let wrong = Cause::Login {
            reply: "535 5.7.8 Authentication failed".into(),
        }
        .in_words();
        assert!(
            wrong.contains("535 5.7.8") && wrong.contains("password"),
            "{wrong}"
        );
        assert!(
            reply("530 5.7.0 Authentication required")
                .in_words()
                .contains("login")
        );
    }

    #[test]
    fn entries_are_told_in_the_readers_language() {
        let gave_up = Happening::Failed {
            cause: Cause::Network(Trouble::new("timeout", || tr!("connection-failed"))),
            gave_up_after_days: Some(5),
        };
        assert_eq!(
            gave_up.in_words(),
            "failed: gave up after 5 days: the connection failed"
        );
        let german =
            crate::i18n::format_in(crate::i18n::Language::German, "connection-failed", None)
                .unwrap()
                .text;
        let Happening::Failed {
            cause: Cause::Network(t),
            ..
        } = &gave_up
        else {
            unreachable!()
        };
        let json = serde_json::to_value(&t.words).unwrap();
        assert_eq!(json["de"], german.as_str(), "kept for a German reader");
        assert_eq!(Happening::Cancelled.in_words(), "cancelled");
    }

    #[test]
    fn a_refused_copy_keeps_the_servers_words_and_says_what_to_do() {
        let full = Happening::CopyNotFiled {
            cause: CopyCause::OverQuota {
                said: "Quota exceeded (mailbox for user is full)".into(),
            },
        };
        let words = full.in_words();
        assert!(
            words.starts_with("copy not filed: the mailbox is full"),
            "{words}"
        );
        assert!(
            words.contains("Quota exceeded (mailbox for user is full)"),
            "{words}"
        );
        assert!(words.contains("File the copy now"), "{words}");
        let refused = CopyCause::Refused {
            command: "APPEND".into(),
            code: Some("NOPERM".into()),
            said: "Permission denied".into(),
        };
        assert_eq!(
            refused.in_words(),
            "the IMAP server refused APPEND [NOPERM]: Permission denied"
        );
        assert!(!refused.is_transient());
        let filed = Happening::Filed {
            folder: "Sent".into(),
            uid: Some(7),
        };
        assert_eq!(filed.in_words(), "filed in Sent");
        assert_eq!(serde_json::to_value(&filed).unwrap()["kind"], "filed");
    }
}
