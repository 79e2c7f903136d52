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
