//! What happened to a message, as data: each entry of its history is a kind with its values
//! (a server's reply, a recipient, a time, why), stored as JSON in the outbox and turned into
//! words only when it is read ([`super::describe`]), in the reader's language. The kinds and
//! their values are the `--json` output's (`outpost queue show ID --json`), listed in the
//! README.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::i18n::Words;

/// One thing that happened to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Happening {
    /// Put in the outbox; to leave no earlier than `not_before` when set (send later, undo).
    Queued {
        /// When it is to leave, if not at once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_before: Option<Millis>,
    },
    /// Taken well after it was due (at `due`): Outpost was not running then.
    Late {
        /// When it was to leave.
        due: Millis,
    },
    /// The server accepted the message (for the recipients it accepted).
    Sent {
        /// The server's reply to the final ".".
        reply: String,
        /// The server's queue id from that reply.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        server_queue_id: Option<String>,
    },
    /// The server refused one recipient for good.
    RecipientRefused {
        /// The address.
        recipient: String,
        /// The server's reply to its RCPT.
        reply: String,
    },
    /// The server refused one recipient for now: it is tried again.
    RecipientDeferred {
        /// The address.
        recipient: String,
        /// The server's reply to its RCPT.
        reply: String,
    },
    /// It waits to be tried again at `next_attempt`.
    Retry {
        /// When.
        next_attempt: Millis,
        /// Why.
        cause: Cause,
    },
    /// Its account waits until `until` (a sending limit, a demand to slow down), and it too.
    Held {
        /// When sending resumes.
        until: Millis,
        /// Why.
        cause: Cause,
    },
    /// Its account waits for the person (a refused login, a setting to change).
    Paused {
        /// Why.
        cause: Cause,
    },
    /// Refused for good, or given up.
    Failed {
        /// Why.
        cause: Cause,
        /// Given up after this many days of failing for now, when that is why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gave_up_after_days: Option<u64>,
    },
    /// The person cancelled it.
    Cancelled,
    /// Cancelled because its account was removed.
    AccountRemoved,
    /// Its account was added again: it is sent from that account.
    AccountBack,
    /// The person asked to try it now.
    RetryRequested,
    /// The sender stopped while sending it (it is tried again, with the same Message-ID).
    SenderStopped,
    /// A copy was filed in the account's Sent folder over IMAP.
    Filed {
        /// The folder.
        folder: String,
        /// The UID the server gave the copy, where it says (UIDPLUS).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        uid: Option<u32>,
    },
    /// The account had no Sent folder: Outpost made one.
    FolderCreated {
        /// The folder.
        folder: String,
    },
    /// The copy could not be filed for now: it is tried again at `next_attempt` (the message
    /// itself stays sent).
    CopyRetry {
        /// When.
        next_attempt: Millis,
        /// Why.
        cause: CopyCause,
    },
    /// The copy was not filed, for good (the message itself stays sent).
    CopyNotFiled {
        /// Why.
        cause: CopyCause,
    },
    /// Words written by an Outpost that stored history as sentences (schema 2 and older).
    Note {
        /// The sentence, as it was written.
        text: String,
    },
}

impl Happening {
    /// The entry's kind, as stored and as `--json` names it (serde's tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Happening::Queued { .. } => "queued",
            Happening::Late { .. } => "late",
            Happening::Sent { .. } => "sent",
            Happening::RecipientRefused { .. } => "recipient_refused",
            Happening::RecipientDeferred { .. } => "recipient_deferred",
            Happening::Retry { .. } => "retry",
            Happening::Held { .. } => "held",
            Happening::Paused { .. } => "paused",
            Happening::Failed { .. } => "failed",
            Happening::Cancelled => "cancelled",
            Happening::AccountRemoved => "account_removed",
            Happening::AccountBack => "account_back",
            Happening::RetryRequested => "retry_requested",
            Happening::SenderStopped => "sender_stopped",
            Happening::Filed { .. } => "filed",
            Happening::FolderCreated { .. } => "folder_created",
            Happening::CopyRetry { .. } => "copy_retry",
            Happening::CopyNotFiled { .. } => "copy_not_filed",
            Happening::Note { .. } => "note",
        }
    }
}

/// Why an attempt did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Cause {
    /// The server answered so (to the message, or a command before it).
    Reply {
        /// Its reply, code, enhanced code and text.
        reply: String,
    },
    /// The server refused the login.
    Login {
        /// Its reply.
        reply: String,
    },
    /// The connection failed before the message was handed over.
    Network(Trouble),
    /// This computer seemed offline.
    Offline(Trouble),
    /// The connection broke after the whole message was sent: it may have arrived.
    MaybeSent(Trouble),
    /// The account cannot send as it is set up.
    Setup(Trouble),
    /// A bug in Outpost stopped the attempt.
    Bug {
        /// What the bug said (a panic's message).
        panic: String,
    },
    /// Words written by an older Outpost (schema 2 and older).
    Said {
        /// The sentence, as it was written.
        text: String,
    },
}

/// Why a copy of a sent message was not filed in the Sent folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CopyCause {
    /// The mailbox is full (`OVERQUOTA`).
    OverQuota {
        /// The server's words.
        said: String,
    },
    /// The IMAP server refused the login.
    Login {
        /// The server's words.
        said: String,
    },
    /// The server refused the copy or the folder (another reason).
    Refused {
        /// The command refused (`APPEND`, `CREATE`, `LIST`).
        command: String,
        /// The response code, if it gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The server's words.
        said: String,
    },
    /// The server could not be reached or the connection failed.
    Network(Trouble),
    /// The account cannot file copies as it is set up (no secret, no sign-in, a certificate).
    Setup(Trouble),
}

impl CopyCause {
    /// Whether it may go away by itself (the network, a busy server).
    pub fn is_transient(&self) -> bool {
        matches!(self, CopyCause::Network(_))
    }
}

/// A failure of our own making or of the network's, where the reason is an error of ours: its
/// stable kind, and its words in every language (kept, since the error is not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trouble {
    /// A stable name for the kind of failure ("connection_refused", "timeout", …).
    pub error: String,
    /// The error in words.
    pub words: Words,
}

impl Trouble {
    /// A failure of kind `error`, said by `say` (which runs once per language).
    pub fn new(error: &str, say: impl Fn() -> String) -> Self {
        Self {
            error: error.to_string(),
            words: Words::capture(say),
        }
    }
}

/// One entry of a message's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// When, in milliseconds since the epoch.
    #[serde(rename = "at")]
    pub at_ms: Millis,
    /// What happened.
    #[serde(flatten)]
    pub what: Happening,
}

/// Where one recipient of a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Not accepted yet.
    Waiting,
    /// The server accepted the message for it.
    Accepted,
    /// The server refused it for good.
    Refused,
    /// The server refused it for now: it is tried again.
    Deferred,
}

impl Delivery {
    /// Every value, as stored.
    pub const ALL: [Delivery; 4] = [
        Delivery::Waiting,
        Delivery::Accepted,
        Delivery::Refused,
        Delivery::Deferred,
    ];

    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Waiting => "waiting",
            Delivery::Accepted => "accepted",
            Delivery::Refused => "refused",
            Delivery::Deferred => "deferred",
        }
    }

    /// The recipient's state in words.
    pub fn in_words(self) -> String {
        match self {
            Delivery::Waiting => tr!("delivery-waiting"),
            Delivery::Accepted => tr!("delivery-accepted"),
            Delivery::Refused => tr!("delivery-refused"),
            Delivery::Deferred => tr!("delivery-deferred"),
        }
    }
}

/// The header field a recipient was named in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// `To:`.
    To,
    /// `Cc:`.
    Cc,
    /// Neither: a blind copy (or an envelope recipient a program gave).
    Bcc,
}

impl Field {
    /// Every value, as stored.
    pub const ALL: [Field; 3] = [Field::To, Field::Cc, Field::Bcc];

    /// The name stored (and the header's, lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::To => "to",
            Field::Cc => "cc",
            Field::Bcc => "bcc",
        }
    }

    /// The field's name as Write labels it ("To", "Cc", "Bcc").
    pub fn in_words(self) -> String {
        match self {
            Field::To => tr!("header-to"),
            Field::Cc => tr!("header-cc"),
            Field::Bcc => tr!("header-bcc"),
        }
    }
}

/// One recipient of a message and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// The address (the envelope's RCPT TO).
    pub address: String,
    /// Where it was named.
    pub field: Field,
    /// Where it is.
    pub state: Delivery,
    /// The server's reply for it, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_json_with_their_kind_and_values() {
        let e = Entry {
            at_ms: 5,
            what: Happening::Retry {
                next_attempt: 65,
                cause: Cause::Reply {
                    reply: "451 4.3.0 later".into(),
                },
            },
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"at": 5, "kind": "retry", "next_attempt": 65,
                "cause": {"reason": "reply", "reply": "451 4.3.0 later"}})
        );
        let stored = serde_json::to_string(&e.what).unwrap();
        assert_eq!(
            serde_json::from_str::<Happening>(&stored).unwrap(),
            e.what,
            "read back as written"
        );
        // The stored kind is serde's tag, for every kind.
        for what in [
            Happening::Queued { not_before: None },
            Happening::Late { due: 1 },
            Happening::Cancelled,
            Happening::AccountRemoved,
            Happening::AccountBack,
            Happening::RetryRequested,
            Happening::SenderStopped,
            Happening::Note { text: "x".into() },
            e.what.clone(),
        ] {
            let json = serde_json::to_value(&what).unwrap();
            assert_eq!(json["kind"], what.kind());
        }
        let t = Cause::Network(Trouble::new("timeout", || "no answer".into()));
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["reason"], "network");
        assert_eq!(json["error"], "timeout");
    }
}
