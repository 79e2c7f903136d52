//! Instants are stored as integer microseconds since the Unix epoch, in UTC: the one time
//! type both SQLite and PostgreSQL store alike through sqlx's `Any` driver.

use serde::{Deserialize, Serialize};

/// A point in time, UTC, microsecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    pub fn as_micros(self) -> i64 {
        self.0
    }

    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        Self(chrono::Utc::now().timestamp_micros())
    }
}

impl Timestamp {
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }
}

#[cfg(feature = "ssr")]
impl Timestamp {
    /// `2026-11-30 09:00 (JST, +09:00)`: local time in the tenant's zone, with the offset,
    /// as people read it on screens, notices and mails. Unknown zones fall back to Tokyo.
    pub fn format_in_zone(self, zone: &str) -> String {
        use chrono::TimeZone;
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        match tz.timestamp_micros(self.0).single() {
            Some(local) => format!(
                "{} ({}, {})",
                local.format("%Y-%m-%d %H:%M"),
                local.format("%Z"),
                local.format("%:z")
            ),
            None => String::from("-"),
        }
    }

    /// The last minute of `date` in the tenant's zone (23:59): when a deadline on that day
    /// passes. Unknown zones: Tokyo.
    pub fn end_of_day_in_zone(date: crate::domain::dates::CalendarDate, zone: &str) -> Timestamp {
        use chrono::TimeZone;
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        let local = chrono::NaiveDate::from_ymd_opt(date.year as i32, date.month, date.day)
            .and_then(|d| d.and_hms_opt(23, 59, 0))
            .expect("a calendar date is a real day");
        let instant = tz
            .from_local_datetime(&local)
            .latest()
            .expect("23:59 exists in every zone we offer");
        Timestamp(instant.timestamp_micros())
    }

    /// The hour (0–23) of this instant in the tenant's zone (unknown zones: Tokyo).
    pub fn hour_in_zone(self, zone: &str) -> u32 {
        use chrono::{TimeZone, Timelike};
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        tz.timestamp_micros(self.0)
            .single()
            .map_or(0, |local| local.hour())
    }

    /// The calendar date of this instant in the tenant's zone (unknown zones: Tokyo).
    pub fn date_in_zone(self, zone: &str) -> crate::domain::dates::CalendarDate {
        use chrono::{Datelike, TimeZone};
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        let local = tz
            .timestamp_micros(self.0)
            .single()
            .expect("an instant has one local time")
            .date_naive();
        crate::domain::dates::CalendarDate::new(local.year() as u32, local.month(), local.day())
            .expect("chrono gives real dates")
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn formats_in_japan_time_with_the_offset() {
        // 2026-11-27 00:00:00 UTC is 09:00 in Tokyo.
        let ts = Timestamp::from_micros(1_795_737_600_000_000);
        assert_eq!(
            ts.format_in_zone("Asia/Tokyo"),
            "2026-11-27 09:00 (JST, +09:00)"
        );
        assert_eq!(
            ts.format_in_zone("Nowhere/Else"),
            "2026-11-27 09:00 (JST, +09:00)"
        );
        assert_eq!(ts.format_in_zone("UTC"), "2026-11-27 00:00 (UTC, +00:00)");
        assert_eq!(
            ts.plus_seconds(3600).as_micros(),
            ts.as_micros() + 3_600_000_000
        );
    }
    #[test]
    fn a_deadline_ends_at_23_59_in_the_tenants_zone() {
        let date = crate::domain::dates::CalendarDate::new(2026, 10, 31).unwrap();
        assert_eq!(
            Timestamp::end_of_day_in_zone(date, "Asia/Tokyo").format_in_zone("Asia/Tokyo"),
            "2026-10-31 23:59 (JST, +09:00)"
        );
    }
}
