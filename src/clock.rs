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

/// How far off `at` is, for people: "now", "in 40 s", "in 5 min", "in 3 h".
pub fn relative(at: Millis) -> String {
    let secs = (at - now_ms()) / 1000;
    if secs <= 0 {
        "now".into()
    } else if secs < 120 {
        format!("in {secs} s")
    } else if secs < 7200 {
        format!("in {} min", secs / 60)
    } else {
        format!("in {} h", secs / 3600)
    }
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
    fn the_date_shows_unless_today() {
        let now = now_ms();
        assert_eq!(local(now).len(), "12:34:56".len());
        assert_eq!(local(0).len(), "1970-01-01 00:00:00".len());
    }
}
