//! A per-learner rate limit on cluster actions: a fixed window of `max` actions per
//! `window`, so one learner's script cannot flood the shared API server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Limiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: Mutex::default(),
        }
    }

    /// `Err` with seconds to wait when `who` has used up the window.
    pub fn check(&self, who: &str, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(who.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_learner_gets_max_actions_per_window() {
        let l = Limiter::new(2, Duration::from_secs(60));
        let t = Instant::now();
        assert!(l.check("a", t).is_ok() && l.check("a", t).is_ok());
        assert_eq!(l.check("a", t + Duration::from_secs(15)), Err(45));
        assert!(l.check("b", t).is_ok(), "others are not affected");
        assert!(
            l.check("a", t + Duration::from_secs(61)).is_ok(),
            "a new window"
        );
    }
}
