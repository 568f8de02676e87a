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

/// Now, in the system's time zone.
pub fn local_now() -> jiff::ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system())
}

/// The moment `ms` in the system's time zone; `None` when it is out of range.
pub fn local_at(ms: Millis) -> Option<jiff::ZonedDateTime> {
    let at = jiff::Timestamp::from_millisecond(ms).ok()?;
    Some(at.to_zoned_datetime(jiff::tz::TimeZone::system()))
}

fn local_as(ms: Millis, time: &str) -> String {
    match local_at(ms) {
        Some(at) => on_day(at, local_now().date(), time),
        None => ms.to_string(),
    }
}

/// A coming moment as a list shows it, the time first so that moments close together are
/// told apart: "14:05" today, "09:00 tomorrow", else "09:00, 11 Dec 2026".
pub fn time_first(ms: Millis) -> String {
    match local_at(ms) {
        Some(at) => time_first_on(at, local_now().date()),
        None => ms.to_string(),
    }
}

fn time_first_on(at: jiff::ZonedDateTime, today: jiff::civil::Date) -> String {
    let time = at.strftime("%H:%M").to_string();
    if at.date() == today {
        time
    } else if today.tomorrow().is_ok_and(|t| t == at.date()) {
        tr!("time-tomorrow", time = time)
    } else {
        let day = on_day(at, jiff::civil::Date::MIN, "");
        tr!("time-on-day", time = time, day = day.trim_end())
    }
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

/// The next 09:00 local time — today's when it is still to come, else tomorrow's — as
/// [`parse_moment`] reads it ("2026-12-03 09:00"): what "send later" offers first.
pub fn next_morning() -> String {
    next_morning_after(&local_now())
}

fn next_morning_after(now: &jiff::ZonedDateTime) -> String {
    let today = now.date();
    let day = if now.time() < jiff::civil::time(9, 0, 0, 0) {
        today
    } else {
        today.tomorrow().unwrap_or(today)
    };
    format!("{} 09:00", day.strftime("%Y-%m-%d"))
}

/// A moment written by a person that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tr!("clock-bad-moment", text = .0.as_str()))]
pub struct BadMoment(pub String);

/// A moment as a person writes it, in local time: a time alone ("21:30", "00:21": its next
/// coming), a day and a time ("today 15:00", "tomorrow 9:00", "friday 14:00", in English or
/// German: "heute", "morgen", "Freitag"; a day alone is its 09:00), German dates
/// ("24.12.2026 09:00"), or ISO 8601 ("2026-12-24 09:00", "2026-12-24T09:00:30"; with an
/// offset or "Z" it is read in that zone: "2026-12-24T09:00+01:00").
pub fn parse_moment(text: &str) -> Result<Millis, BadMoment> {
    parse_moment_at(text, &local_now())
}

/// The days of the week as people write them, English and German, Monday first.
const WEEKDAYS: [&[&str]; 7] = [
    &["monday", "mon", "montag", "mo"],
    &["tuesday", "tue", "tues", "dienstag", "di"],
    &["wednesday", "wed", "mittwoch", "mi"],
    &["thursday", "thu", "thurs", "donnerstag", "do"],
    &["friday", "fri", "freitag", "fr"],
    &["saturday", "sat", "samstag", "sonnabend", "sa"],
    &["sunday", "sun", "sonntag", "so"],
];

fn parse_moment_at(text: &str, now: &jiff::ZonedDateTime) -> Result<Millis, BadMoment> {
    let t = text.trim();
    let bad = || BadMoment(t.to_string());
    if let Ok(at) = t.parse::<jiff::Timestamp>() {
        return Ok(at.as_millisecond());
    }
    let tz = now.time_zone().clone();
    let civil = t
        .parse::<jiff::civil::DateTime>()
        .ok()
        .or_else(|| jiff::civil::DateTime::strptime("%d.%m.%Y %H:%M", t).ok())
        .or_else(|| natural(t, now));
    let civil = civil.ok_or_else(bad)?;
    let at = civil.to_zoned_datetime(tz).map_err(|_| bad())?;
    Ok(at.timestamp().as_millisecond())
}

/// "21:30", "tomorrow 9:00", "Freitag", "heute 15:00" as a local date and time.
fn natural(text: &str, now: &jiff::ZonedDateTime) -> Option<jiff::civil::DateTime> {
    let lower = text.to_lowercase();
    let mut parts = lower.split_whitespace();
    let (day, time) = match (parts.next()?, parts.next(), parts.next()) {
        (only, None, None) => match clock_time(only) {
            Some(time) => (None, Some(time)),
            None => (Some(only), None),
        },
        (day, Some(time), None) => (Some(day), Some(clock_time(time)?)),
        _ => return None,
    };
    let today = now.date();
    let at =
        |date: jiff::civil::Date| date.to_datetime(time.unwrap_or(jiff::civil::time(9, 0, 0, 0)));
    let day = day.map(|d| d.trim_end_matches([',', '.']));
    let date = match day {
        None => {
            let time = time?;
            if time > now.time() {
                today
            } else {
                today.tomorrow().ok()?
            }
        }
        Some("today" | "heute") => today,
        Some("tomorrow" | "morgen") => today.tomorrow().ok()?,
        Some(name) => {
            let wanted = WEEKDAYS.iter().position(|names| names.contains(&name))?;
            // The next such day whose moment is still to come (today's, if it is).
            (0..8).find_map(|ahead| {
                let d = today.checked_add(jiff::Span::new().days(ahead)).ok()?;
                let same = d.weekday().to_monday_zero_offset() as usize == wanted;
                (same && at(d) > now.datetime()).then_some(d)
            })?
        }
    };
    Some(at(date))
}

/// "21:30", "9:05", "09:00:30" as a time of day.
fn clock_time(text: &str) -> Option<jiff::civil::Time> {
    jiff::civil::Time::strptime("%H:%M", text)
        .or_else(|_| jiff::civil::Time::strptime("%H:%M:%S", text))
        .ok()
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
        let now = jiff::Timestamp::now().to_zoned_datetime(tz.clone());
        let at = |s| parse_moment_at(s, &now);
        assert_eq!(at("2026-12-24 09:00"), Ok(utc("2026-12-24T08:00:00Z")));
        assert_eq!(at("2026-12-24T09:00:30"), Ok(utc("2026-12-24T08:00:30Z")));
        assert_eq!(at(" 2026-07-01 09:00 "), Ok(utc("2026-07-01T07:00:00Z")));
        assert_eq!(at("2026-12-24T09:00Z"), Ok(utc("2026-12-24T09:00:00Z")));
        assert_eq!(
            at("2026-12-24T09:00-05:00"),
            Ok(utc("2026-12-24T14:00:00Z"))
        );
        assert_eq!(at("24.12.2026 09:00"), Ok(utc("2026-12-24T08:00:00Z")));
        for wrong in ["next week", "2026-13-01 09:00", "25:00", ""] {
            let e = at(wrong).unwrap_err();
            assert!(e.to_string().contains("2026-12-24 09:00"), "{e}");
        }
    }

    #[test]
    fn times_alone_days_and_weekdays_mean_their_next_coming() {
        let tz = jiff::tz::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        // Monday 7 December 2026, 00:19 local time.
        let now = jiff::civil::date(2026, 12, 7)
            .at(0, 19, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap();
        let local = |s: &str| {
            s.parse::<jiff::civil::DateTime>()
                .unwrap()
                .to_zoned_datetime(tz.clone())
                .unwrap()
                .timestamp()
                .as_millisecond()
        };
        let at = |s| parse_moment_at(s, &now);
        assert_eq!(at("00:21"), Ok(local("2026-12-07 00:21")), "later today");
        assert_eq!(at("00:10"), Ok(local("2026-12-08 00:10")), "gone: tomorrow");
        assert_eq!(at("21:30"), Ok(local("2026-12-07 21:30")));
        assert_eq!(at("today 15:00"), Ok(local("2026-12-07 15:00")));
        assert_eq!(at("Tomorrow 9:00"), Ok(local("2026-12-08 09:00")));
        assert_eq!(at("morgen"), Ok(local("2026-12-08 09:00")));
        assert_eq!(at("Freitag 14:00"), Ok(local("2026-12-11 14:00")));
        assert_eq!(at("monday 08:00"), Ok(local("2026-12-07 08:00")), "today's");
        assert_eq!(
            at("mon 00:05"),
            Ok(local("2026-12-14 00:05")),
            "next week's"
        );
        assert_eq!(
            next_morning_after(&now),
            "2026-12-07 09:00",
            "today's 09:00"
        );
        let day = jiff::civil::date(2026, 12, 7);
        let zoned = |s: &str| {
            s.parse::<jiff::civil::DateTime>()
                .unwrap()
                .to_zoned_datetime(tz.clone())
                .unwrap()
        };
        assert_eq!(time_first_on(zoned("2026-12-07 21:30"), day), "21:30");
        assert_eq!(
            time_first_on(zoned("2026-12-08 09:00"), day),
            "09:00 tomorrow"
        );
        assert_eq!(
            time_first_on(zoned("2026-12-11 14:00"), day),
            "14:00, 11 Dec 2026"
        );
        let noon = jiff::civil::date(2026, 12, 7)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(tz.clone());
        assert_eq!(next_morning_after(&noon.unwrap()), "2026-12-08 09:00");
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
