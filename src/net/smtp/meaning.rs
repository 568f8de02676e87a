//! What a server's reply means, beyond success and failure: the kinds of refusal that real
//! providers send (Gmail, Microsoft, Yahoo, Postfix…) and that call for different actions. Read
//! from the enhanced status code first, then from the words providers are known to use (the
//! recorded replies are in `tests/data/provider-replies.toml`, each with its source).

use super::reply::Reply;

/// The kind of a reply that is not a plain success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The account needs an app password, not its own (Gmail 534 5.7.9).
    AppPasswordRequired,
    /// The login's user name or password is wrong (535 5.7.8, Microsoft 535 5.7.3).
    BadCredentials,
    /// Logging in with SMTP is switched off by an administrator (Microsoft 535 5.7.139);
    /// `tenant`: for the whole organisation, else for this mailbox.
    SmtpAuthDisabled {
        /// Switched off for the whole organisation.
        tenant: bool,
    },
    /// Too many failed logins: the provider blocks logins for a while (Yahoo 535 5.7.0).
    TooManyBadLogins,
    /// The server wants a login before mail (530 5.7.57 and kin).
    NotAuthenticated,
    /// The login may not send from this address (Microsoft 550 5.7.60, Postfix 553 5.7.1
    /// "not owned by user").
    SenderNotAllowed,
    /// The server refuses this network's address (Microsoft 550 5.7.708).
    NetworkBlocked,
    /// The account reached its daily sending limit (Gmail 550 5.4.5).
    DailyLimit,
    /// Too many messages or connections for now: slow down (421, 4.7.x).
    RateLimited,
    /// This message has more recipients than the server takes at once (452 4.5.3).
    TooManyRecipients,
    /// The message is larger than the server accepts (552 5.2.3, 5.3.4).
    TooLarge,
    /// Refused as unauthenticated mail for the sender's domain (5.7.26, DMARC).
    Unauthenticated,
    /// The server does not relay for this login or network (554 5.7.1 relay access denied).
    RelayDenied,
    /// Anything else.
    Other,
}

fn has(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

impl Meaning {
    /// What `reply` means.
    pub fn of(reply: &Reply) -> Self {
        let text = reply.lines.join(" ").to_ascii_lowercase();
        let e = reply
            .enhanced
            .map(|e| (e.class, e.subject, e.detail))
            .unwrap_or_default();
        match e {
            (_, 7, 9) => return Self::AppPasswordRequired,
            (_, 7, 139) => {
                return Self::SmtpAuthDisabled {
                    tenant: text.contains("tenant"),
                };
            }
            (_, 7, 57) => return Self::NotAuthenticated,
            (_, 7, 60) => return Self::SenderNotAllowed,
            (_, 7, 708) => return Self::NetworkBlocked,
            (_, 7, 26) => return Self::Unauthenticated,
            (_, 4, 5) => return Self::DailyLimit,
            (_, 5, 3) => return Self::TooManyRecipients,
            (_, 2, 3) | (5, 3, 4) => return Self::TooLarge,
            _ => {}
        }
        if has(&text, &["application-specific password", "app password"]) {
            Self::AppPasswordRequired
        } else if has(&text, &["smtpclientauthentication is disabled"]) {
            Self::SmtpAuthDisabled {
                tenant: text.contains("tenant"),
            }
        } else if has(
            &text,
            &["too many bad auth", "too many login", "too many failed"],
        ) {
            Self::TooManyBadLogins
        } else if has(
            &text,
            &[
                "not owned by user",
                "send as",
                "send-as",
                "sender not allowed",
            ],
        ) {
            Self::SenderNotAllowed
        } else if has(
            &text,
            &[
                "relay access denied",
                "relaying denied",
                "not permitted to relay",
            ],
        ) {
            Self::RelayDenied
        } else if has(&text, &["too many recipients"]) {
            Self::TooManyRecipients
        } else if has(&text, &["daily"]) && has(&text, &["limit", "quota"]) {
            Self::DailyLimit
        } else if reply.code == 535 || e == (5, 7, 8) || e == (5, 7, 3) {
            Self::BadCredentials
        } else if reply.code == 530 || has(&text, &["authentication required", "not authenticated"])
        {
            Self::NotAuthenticated
        } else if reply.code == 421 || (e.0 == 4 && e.1 == 7) || has(&text, &["rate limit"]) {
            Self::RateLimited
        } else if reply.code == 552 {
            Self::TooLarge
        } else {
            Self::Other
        }
    }

    /// A stable machine-readable name.
    pub fn kind(self) -> &'static str {
        match self {
            Self::AppPasswordRequired => "app_password_required",
            Self::BadCredentials => "bad_credentials",
            Self::SmtpAuthDisabled { .. } => "smtp_auth_disabled",
            Self::TooManyBadLogins => "too_many_bad_logins",
            Self::NotAuthenticated => "not_authenticated",
            Self::SenderNotAllowed => "sender_not_allowed",
            Self::NetworkBlocked => "network_blocked",
            Self::DailyLimit => "daily_limit",
            Self::RateLimited => "rate_limited",
            Self::TooManyRecipients => "too_many_recipients",
            Self::TooLarge => "too_large",
            Self::Unauthenticated => "unauthenticated",
            Self::RelayDenied => "relay_denied",
            Self::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Meaning {
        Meaning::of(&text.replace("\\n", "\r\n").parse::<Reply>().unwrap())
    }

    #[test]
    fn words_decide_where_the_code_is_shared() {
        assert_eq!(
            m("553 5.7.1 <a@b>: Sender address rejected: not owned by user c@d"),
            Meaning::SenderNotAllowed
        );
        assert_eq!(
            m("554 5.7.1 <b@c>: Relay access denied"),
            Meaning::RelayDenied
        );
        assert_eq!(
            m("535 5.7.0 (#AUTH005) Too many bad auth attempts."),
            Meaning::TooManyBadLogins
        );
        assert_eq!(m("452 Too many recipients"), Meaning::TooManyRecipients);
        assert_eq!(m("451 4.3.0 Try again"), Meaning::Other);
        assert_eq!(m("250 2.0.0 Ok"), Meaning::Other);
    }
}
