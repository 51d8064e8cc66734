//! Fixed-window counters: a per-learner rate limit on cluster actions (one learner's
//! script cannot flood the shared API server) and [`Guesses`], the cap on wrong join
//! codes and host tokens (a secret cannot be found by trying).

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

    /// Like [`Self::check`], without using up anything.
    pub fn peek(&self, who: &str, now: Instant) -> Result<(), u64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        match seen.get(who) {
            Some((start, used))
                if now.duration_since(*start) < self.window && *used >= self.max =>
            {
                let wait = self.window.saturating_sub(now.duration_since(*start));
                Err(wait.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }
}

/// Wrong guesses of a secret, counted per client address and per session: after `max`
/// failures in a window every further guess from either is refused unchecked, so a right
/// guess found later in the window is refused too.
#[derive(Debug)]
pub struct Guesses(Limiter);

impl Guesses {
    /// Five wrong guesses a minute: plenty for a typo, nothing for a search.
    pub fn new() -> Self {
        Self(Limiter::new(5, Duration::from_secs(60)))
    }

    /// `Err` with seconds to wait when one of `keys` has no guesses left.
    pub fn allowed(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        keys.iter().try_for_each(|k| self.0.peek(k, now))
    }

    pub fn failed(&self, keys: &[String], now: Instant) {
        for k in keys {
            let _ = self.0.check(k, now);
        }
    }
}

impl Default for Guesses {
    fn default() -> Self {
        Self::new()
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

    #[test]
    fn five_wrong_guesses_then_none_from_that_address_or_session() {
        let g = Guesses::new();
        let t = Instant::now();
        let (ip, s1, s2) = (
            "addr:10.0.0.1".to_owned(),
            "session:a".to_owned(),
            "session:b".to_owned(),
        );
        for _ in 0..5 {
            assert!(g.allowed(&[ip.clone(), s1.clone()], t).is_ok());
            g.failed(&[ip.clone(), s1.clone()], t);
        }
        assert_eq!(g.allowed(&[ip.clone(), s1.clone()], t), Err(60));
        // A fresh session from the same address does not reset the count.
        assert!(g.allowed(&[ip.clone(), s2.clone()], t).is_err());
        assert!(g.allowed(&["addr:10.0.0.2".to_owned(), s2], t).is_ok());
        assert!(g.allowed(&[ip, s1], t + Duration::from_secs(60)).is_ok());
    }
}
