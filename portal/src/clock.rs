//! Wall-clock time as the portal stores it: milliseconds or seconds since the Unix epoch
//! (0 if the clock is before it), one place instead of a copy per module.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub fn now_secs() -> i64 {
    now_ms() / 1000
}
