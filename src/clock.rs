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

/// How far off `at` is from `now`, for people: "now", "in 59 s", "in 1 min 05 s",
/// "in 2 h 01 min".
pub fn countdown(at: Millis, now: Millis) -> String {
    let secs = (at - now).div_euclid(1000);
    if secs <= 0 {
        "now".into()
    } else if secs < 60 {
        format!("in {secs} s")
    } else if secs < 3600 {
        format!("in {} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("in {} h {:02} min", secs / 3600, secs % 3600 / 60)
    }
}

/// How far off `at` is, for people (see [`countdown`]).
pub fn relative(at: Millis) -> String {
    countdown(at, now_ms())
}

/// A moment in the history, in local time: the time of day, with the date when not today.
pub fn local(ms: Millis) -> String {
    let tz = jiff::tz::TimeZone::system();
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return ms.to_string();
    };
    let at = at.to_zoned_datetime(tz.clone());
    let today = jiff::Timestamp::now().to_zoned_datetime(tz).date();
    if at.date() == today {
        at.strftime("%H:%M:%S").to_string()
    } else {
        at.strftime("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(1_000, 5_000), "now");
        assert_eq!(countdown(65_000, 0), "in 1 min 05 s");
        assert_eq!(countdown(59_999, 0), "in 59 s");
        assert_eq!(countdown(3_600_000 * 2 + 60_000, 0), "in 2 h 01 min");
    }

    #[test]
    fn the_date_shows_unless_today() {
        let now = now_ms();
        assert_eq!(local(now).len(), "12:34:56".len());
        assert_eq!(local(0).len(), "1970-01-01 00:00:00".len());
    }
}
