//! What a server's answer means for a message: sent, try again later (with backoff), failed
//! for good, or the account needs the person (a refused login burns no retries).

use std::time::Duration;

use super::history::{Cause, Trouble};
use crate::account::SecretError;
use crate::account::check::CheckError;
use crate::explain::{Explain, Explanation};
use crate::net::smtp::{Meaning, Reply};

/// The first retry: soon, it is the person's own submission server.
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// The longest wait between attempts.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long a message may wait in all before Outpost gives up.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(5 * 24 * 3600);

/// How one attempt ended, as the worker saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The server replied (to the final "." or to the command that failed).
    Reply(Reply),
    /// The connection failed before the message was handed over (TCP, timeout).
    Network(Trouble),
    /// This computer seems offline (DNS or the network unreachable): no attempt is counted.
    Offline(Trouble),
    /// The connection broke after the final "." and before the reply: it may have been sent.
    Ambiguous(Trouble),
    /// The login was refused.
    Auth(Reply),
    /// Sending is impossible as set up (no encryption offered, certificate refused, …).
    Setup(AccountProblem),
}

/// Why an account cannot send as it is set up: the person must act before it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountProblem {
    /// The message's account is not in the account file any more.
    #[error("{}", tr!("setup-account-gone"))]
    AccountGone,
    /// The account file cannot be read.
    #[error("{}", .0.problem)]
    Accounts(Explanation),
    /// The keyring did not give the account's secret.
    #[error("{} {}", .0.explain().problem, .0.explain().advice)]
    Secret(SecretError),
    /// The provider refused to renew the sign-in.
    #[error("{} {}", .0.problem, .0.advice)]
    SignIn(Explanation),
    /// The server refused the access token of a sign-in.
    #[error("{}", tr!("setup-token-refused", reply = .0.to_string()))]
    TokenRefused(Reply),
    /// The server's name does not exist (any more).
    #[error("{}", tr!("setup-server-name", error = .0.to_string()))]
    ServerName(CheckError),
    /// The connection cannot be made safely as set up (no STARTTLS, a refused certificate, …).
    #[error("{0}")]
    Connection(CheckError),
}

impl AccountProblem {
    /// A stable name for the kind of problem.
    pub fn kind(&self) -> &'static str {
        match self {
            AccountProblem::AccountGone => "account_gone",
            AccountProblem::Accounts(_) => "accounts_unreadable",
            AccountProblem::Secret(_) => "secret",
            AccountProblem::SignIn(_) => "sign_in",
            AccountProblem::TokenRefused(_) => "token_refused",
            AccountProblem::ServerName(_) => "server_name",
            AccountProblem::Connection(e) => e.kind(),
        }
    }
}

impl Attempt {
    /// Why the attempt did not deliver, as the history keeps it.
    pub fn cause(&self) -> Cause {
        match self {
            Attempt::Reply(r) => Cause::Reply {
                reply: r.to_string(),
            },
            Attempt::Auth(r) => Cause::Login {
                reply: r.to_string(),
            },
            Attempt::Network(t) => Cause::Network(t.clone()),
            Attempt::Offline(t) => Cause::Offline(t.clone()),
            Attempt::Ambiguous(t) => Cause::MaybeSent(t.clone()),
            Attempt::Setup(s) => Cause::Setup(Trouble::new(s.kind(), || s.to_string())),
        }
    }
}

/// What to do with the message. Why is the attempt's [`Attempt::cause`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Done.
    Sent,
    /// Try again after this long.
    Retry(Duration),
    /// Refused for good, or given up after this many days.
    Failed {
        /// Set when the message failed for now for longer than its lifetime.
        gave_up_after_days: Option<u64>,
    },
    /// Pause the account and ask the person; no retry is used up.
    NeedsUser,
    /// The whole account waits this long (a daily limit, a demand to slow down): every one of
    /// its messages, not only this one; no retry is used up.
    HoldAccount(Duration),
}

/// How long a daily sending limit holds an account: providers count the last 24 hours.
pub const DAILY_LIMIT_HOLD: Duration = Duration::from_secs(24 * 3600);

/// The meaning of a reply that holds the account: a daily limit (whatever its class), or a
/// demand to slow down (temporary).
fn hold(attempt: &Attempt) -> Option<Meaning> {
    let Attempt::Reply(r) = attempt else {
        return None;
    };
    match Meaning::of(r) {
        m @ Meaning::DailyLimit => Some(m),
        m @ Meaning::RateLimited if r.is_transient() => Some(m),
        _ => None,
    }
}

/// Whether the server asks us to slow down (421, or an enhanced 4.7.x code).
fn throttled(r: &Reply) -> bool {
    r.code == 421 || r.enhanced.is_some_and(|e| e.class == 4 && e.subject == 7)
}

/// 530, or an RFC 3463 security code meaning "log in first" (5.7.0 authentication required,
/// 5.7.8 credentials invalid, 5.7.9 mechanism too weak, 5.7.11 encryption required).
pub fn needs_login(r: &Reply) -> bool {
    r.code == 530
        || r.enhanced
            .is_some_and(|e| e.class == 5 && e.subject == 7 && matches!(e.detail, 0 | 8 | 9 | 11))
}

/// The wait before attempt number `attempts + 1`: 1 min, doubling to 1 h, with ±20 % jitter
/// (from `jitter` in 0..1); four times longer when throttled.
pub fn backoff(attempts: i64, throttle: bool, jitter: f64) -> Duration {
    let base = FIRST_RETRY.as_secs_f64() * 2f64.powi(attempts.clamp(0, 16) as i32);
    let base = if throttle { base * 4.0 } else { base };
    let capped = base.min(MAX_RETRY.as_secs_f64());
    Duration::from_secs_f64(capped * (0.8 + 0.4 * jitter.clamp(0.0, 1.0)))
}

/// A random number in [0, 1] to spread retries (0.5 when the system has no randomness).
pub fn jitter() -> f64 {
    let mut b = [0u8; 2];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX)
}

/// The decision for an attempt, given earlier attempts and the message's age.
pub fn decide(
    attempt: &Attempt,
    attempts: i64,
    age: Duration,
    lifetime: Duration,
    jitter: f64,
) -> Decision {
    let retry = |throttle: bool| {
        if age >= lifetime {
            Decision::Failed {
                gave_up_after_days: Some(lifetime.as_secs() / 86_400),
            }
        } else {
            Decision::Retry(backoff(attempts, throttle, jitter))
        }
    };
    let failed = Decision::Failed {
        gave_up_after_days: None,
    };
    // A limit or a demand to slow down concerns the account, not this message.
    if let Some(m) = hold(attempt).filter(|_| age < lifetime) {
        let wait = match m {
            Meaning::DailyLimit => DAILY_LIMIT_HOLD,
            _ => backoff(attempts, true, jitter),
        };
        return Decision::HoldAccount(wait);
    }
    match attempt {
        Attempt::Reply(r) if r.is_positive() => Decision::Sent,
        Attempt::Reply(r) if r.is_transient() => retry(throttled(r)),
        // "Authentication required" and its kin concern the account, not this message.
        Attempt::Reply(r) if needs_login(r) => Decision::NeedsUser,
        Attempt::Reply(_) => failed,
        Attempt::Auth(r) if r.is_transient() => retry(throttled(r)),
        Attempt::Auth(_) => Decision::NeedsUser,
        Attempt::Network(_) | Attempt::Ambiguous(_) => retry(false),
        Attempt::Offline(_) => Decision::Retry(FIRST_RETRY),
        Attempt::Setup(_) => Decision::NeedsUser,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(s: &str) -> Attempt {
        Attempt::Reply(s.parse().unwrap())
    }

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn replies_are_classified_by_code_and_enhanced_code() {
        let d = |a: &Attempt| decide(a, 0, Duration::ZERO, DEFAULT_LIFETIME, 0.5);
        assert_eq!(d(&reply("250 2.0.0 Ok: queued as ABC")), Decision::Sent);
        assert!(matches!(
            d(&reply("451 4.3.0 Try again")),
            Decision::Retry(_)
        ));
        assert_eq!(
            d(&reply("550 5.1.1 No such user")),
            Decision::Failed {
                gave_up_after_days: None
            }
        );
        let auth = Attempt::Auth("535 5.7.8 Authentication failed".parse().unwrap());
        assert_eq!(d(&auth), Decision::NeedsUser);
        let refused = Trouble::new("connection_refused", || "refused".into());
        assert!(matches!(d(&Attempt::Network(refused)), Decision::Retry(_)));
    }

    #[test]
    fn a_demand_to_log_in_pauses_the_account_instead_of_failing_the_message() {
        let d = |a: &Attempt| decide(a, 0, Duration::ZERO, DEFAULT_LIFETIME, 0.5);
        assert_eq!(
            d(&reply("530 5.7.0 Authentication required")),
            Decision::NeedsUser
        );
        assert!(matches!(
            d(&reply("554 5.7.1 Relay access denied")),
            Decision::Failed { .. }
        ));
    }

    #[test]
    fn backoff_starts_at_a_minute_grows_and_is_capped() {
        assert_eq!(backoff(0, false, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(1, false, 0.5), Duration::from_secs(120));
        assert_eq!(backoff(30, false, 0.5), MAX_RETRY);
        assert!(backoff(0, false, 0.0) < backoff(0, false, 1.0));
        assert_eq!(
            backoff(0, true, 0.5),
            Duration::from_secs(240),
            "throttling waits longer"
        );
    }

    #[test]
    fn throttling_replies_hold_the_account_longer() {
        let slow = decide(
            &reply("421 4.7.0 Too many connections"),
            0,
            Duration::ZERO,
            DEFAULT_LIFETIME,
            0.5,
        );
        let normal = decide(
            &reply("451 4.3.0 Later"),
            0,
            Duration::ZERO,
            DEFAULT_LIFETIME,
            0.5,
        );
        assert!(
            matches!((&slow, &normal), (Decision::HoldAccount(a), Decision::Retry(b)) if a > b),
            "{slow:?} {normal:?}"
        );
    }

    #[test]
    fn a_daily_limit_holds_the_account_for_a_day() {
        let d = decide(
            &reply("550 5.4.5 Daily user sending limit exceeded."),
            3,
            Duration::ZERO,
            DEFAULT_LIFETIME,
            0.5,
        );
        assert_eq!(d, Decision::HoldAccount(DAILY_LIMIT_HOLD));
        let auth = Attempt::Auth(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
                .parse()
                .unwrap(),
        );
        let d = decide(&auth, 0, Duration::ZERO, DEFAULT_LIFETIME, 0.5);
        assert_eq!(d, Decision::NeedsUser);
    }

    #[test]
    fn transient_failures_give_up_after_the_lifetime() {
        let old = decide(
            &reply("451 4.3.0 Later"),
            40,
            6 * DAY,
            DEFAULT_LIFETIME,
            0.5,
        );
        assert_eq!(
            old,
            Decision::Failed {
                gave_up_after_days: Some(5)
            }
        );
    }
}
