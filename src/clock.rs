//! Time: moments as stored ([`Millis`] since the Unix epoch) and as people read them (local
//! time, with the date when not today).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Now, in [`Millis`].
pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// How far off `at` is from `now`, for people: "now", "in 59 s", "in 45 min", "in 2 h 01
/// min" (seconds only in the last minute: a window showing it repaints once a minute before).
pub fn countdown(at: Millis, now: Millis) -> String {
    let secs = (at - now).div_euclid(1000);
    if secs <= 0 {
        tr!("countdown-now")
    } else if secs < 60 {
        tr!("countdown-seconds", seconds = secs)
    } else if secs < 3600 {
        tr!("countdown-minutes", minutes = secs / 60)
    } else {
        let minutes = format!("{:02}", secs % 3600 / 60);
        tr!("countdown-hours", hours = secs / 3600, minutes = minutes)
    }
}

/// How long after `now` [`countdown`] of `at` reads differently, in milliseconds; `None`
/// once it says "now" for good. A window showing countdowns repaints then, not every frame.
pub fn countdown_changes_in(at: Millis, now: Millis) -> Option<Millis> {
    let left = at - now;
    if left < 1000 {
        return None;
    }
    let step = if left <= 60_000 { 1000 } else { 60_000 };
    Some(left % step + 1)
}

/// How far off `at` is, for people (see [`countdown`]).
pub fn relative(at: Millis) -> String {
    countdown(at, now_ms())
}

/// A moment in local time, always with its day, in the person's language: "today 14:02:11",
/// "yesterday 09:15:00", "3 Nov 2026 14:02:11" ("3. Nov. 2026 14:02:11" in German).
pub fn local(ms: Millis) -> String {
    local_as(ms, "%H:%M:%S")
}

/// As [`local`], to the minute: "today 14:02".
pub fn local_minute(ms: Millis) -> String {
    local_as(ms, "%H:%M")
}

fn local_as(ms: Millis, time: &str) -> String {
    let tz = jiff::tz::TimeZone::system();
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return ms.to_string();
    };
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    on_day(at.to_zoned_datetime(tz), today, time)
}

/// The day and time (`time` its strftime format) as the person's language writes them (see
/// `date-*` in the messages).
fn on_day(at: jiff::ZonedDateTime, today: jiff::civil::Date, time: &str) -> String {
    let time = at.strftime(time).to_string();
    if at.date() == today {
        tr!("date-today", time = time)
    } else if today.yesterday().is_ok_and(|y| y == at.date()) {
        tr!("date-yesterday", time = time)
    } else {
        tr!(
            "date-day",
            day = at.day(),
            month = at.month(),
            year = at.year(),
            time = time
        )
    }
}

/// Tomorrow at 09:00 local time, as [`parse_moment`] reads it ("2026-12-03 09:00"): what
/// "send later" offers first.
pub fn tomorrow_morning() -> String {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date();
    let day = today.tomorrow().unwrap_or(today);
    format!("{} 09:00", day.strftime("%Y-%m-%d"))
}

/// A moment written by a person that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("clock-bad-moment", text = .0.as_str()))]
pub struct BadMoment(pub String);

/// A moment as a person writes it: ISO 8601 date and time ("2026-12-24 09:00",
/// "2026-12-24T09:00:30"), in the local time zone unless it carries an offset or "Z"
/// ("2026-12-24T08:00Z", "2026-12-24T09:00+01:00").
pub fn parse_moment(text: &str) -> Result<Millis, BadMoment> {
    parse_moment_in(text, jiff::tz::TimeZone::system())
}

fn parse_moment_in(text: &str, tz: jiff::tz::TimeZone) -> Result<Millis, BadMoment> {
    let t = text.trim();
    let bad = || BadMoment(t.to_string());
    if let Ok(at) = t.parse::<jiff::Timestamp>() {
        return Ok(at.as_millisecond());
    }
    let civil = t.parse::<jiff::civil::DateTime>().map_err(|_| bad())?;
    let at = civil.to_zoned_datetime(tz).map_err(|_| bad())?;
    Ok(at.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(1_000, 5_000), "now");
        assert_eq!(countdown(65_000, 0), "in 1 min");
        assert_eq!(countdown(59_999, 0), "in 59 s");
        assert_eq!(countdown(3_600_000 * 2 + 60_000, 0), "in 2 h 01 min");
        assert_eq!(countdown(45 * 60_000 + 30_000, 0), "in 45 min");
    }

    #[test]
    fn a_countdown_changes_exactly_when_it_says() {
        for left in [
            1_000, 1_001, 59_999, 61_500, 599_999, 600_000, 600_500, 2_700_123, 7_260_000,
        ] {
            let at = 1_000_000_000 + left;
            let now = 1_000_000_000;
            let d = countdown_changes_in(at, now).unwrap();
            assert_eq!(countdown(at, now + d - 1), countdown(at, now), "{left}");
            assert_ne!(countdown(at, now + d), countdown(at, now), "{left}");
        }
        assert_eq!(countdown_changes_in(1_999, 1_000), None, "\"now\" already");
    }

    #[test]
    fn moments_are_read_in_local_time_unless_they_say_otherwise() {
        let tz = jiff::tz::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let utc = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let at = |s| parse_moment_in(s, tz.clone());
        assert_eq!(at("2026-12-24 09:00"), Ok(utc("2026-12-24T08:00:00Z")));
        assert_eq!(at("2026-12-24T09:00:30"), Ok(utc("2026-12-24T08:00:30Z")));
        assert_eq!(at(" 2026-07-01 09:00 "), Ok(utc("2026-07-01T07:00:00Z")));
        assert_eq!(at("2026-12-24T09:00Z"), Ok(utc("2026-12-24T09:00:00Z")));
        assert_eq!(
            at("2026-12-24T09:00-05:00"),
            Ok(utc("2026-12-24T14:00:00Z"))
        );
        for wrong in ["tomorrow", "24.12.2026 09:00", "2026-13-01 09:00", ""] {
            let e = at(wrong).unwrap_err();
            assert!(e.to_string().contains("2026-12-24 09:00"), "{e}");
        }
    }

    #[test]
    fn every_moment_says_its_day() {
        let tz = jiff::tz::TimeZone::UTC;
        let at = |s: &str| {
            s.parse::<jiff::Timestamp>()
                .unwrap()
                .to_zoned_datetime(tz.clone())
        };
        let today = jiff::civil::date(2026, 12, 2);
        let s = "%H:%M:%S";
        assert_eq!(
            on_day(at("2026-12-02T14:02:11Z"), today, s),
            "today 14:02:11"
        );
        assert_eq!(
            on_day(at("2026-12-01T09:15:00Z"), today, s),
            "yesterday 09:15:00"
        );
        assert_eq!(
            on_day(at("2026-11-03T14:02:11Z"), today, s),
            "3 Nov 2026 14:02:11"
        );
        assert_eq!(
            on_day(at("2026-12-02T14:02:11Z"), today, "%H:%M"),
            "today 14:02"
        );
        assert!(local(now_ms()).starts_with("today "));
    }
}
