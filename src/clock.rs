//! Moments for people: local time, with the date when not today.

use crate::outbox::store::Millis;

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
        let now = crate::outbox::store::now_ms();
        assert_eq!(local(now).len(), "12:34:56".len());
        assert_eq!(local(0).len(), "1970-01-01 00:00:00".len());
    }
}
