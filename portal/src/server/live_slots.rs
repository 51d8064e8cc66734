//! Caps on open live streams. A tab holds one stream, so a session with more than a
//! dozen is a script; streams without a session (the header's node chip on a first
//! visit) share a small allowance; and the portal as a whole stops before it runs out
//! of sockets. Past a cap the answer is 429, and the browser's live client tries again
//! a few seconds later.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Slots {
    global: usize,
    per_session: usize,
    anonymous: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    anonymous: usize,
    by_session: HashMap<String, usize>,
}

impl Default for Slots {
    fn default() -> Self {
        Self::new(4000, 12, 200)
    }
}

/// One open stream; dropping it (the browser went away) frees the slot.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    session: Option<String>,
}

impl Slots {
    pub fn new(global: usize, per_session: usize, anonymous: usize) -> Self {
        Self {
            global,
            per_session,
            anonymous,
            open: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a stream of `session` (`None`: no session), or `None` past a cap.
    pub fn take(self: &Arc<Self>, session: Option<&str>) -> Option<Slot> {
        let mut open = self.lock();
        if open.total >= self.global {
            return None;
        }
        match session {
            Some(id) => {
                let n = open.by_session.entry(id.to_owned()).or_default();
                if *n >= self.per_session {
                    return None;
                }
                *n += 1;
            }
            None if open.anonymous >= self.anonymous => return None,
            None => open.anonymous += 1,
        }
        open.total += 1;
        Some(Slot {
            slots: self.clone(),
            session: session.map(str::to_owned),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        open.total -= 1;
        match &self.session {
            Some(id) => {
                if let Some(n) = open.by_session.get_mut(id) {
                    *n -= 1;
                    if *n == 0 {
                        open.by_session.remove(id);
                    }
                }
            }
            None => open.anonymous -= 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_session_for_the_anonymous_and_overall() {
        let slots = Arc::new(Slots::new(5, 2, 1));
        let a: Vec<_> = (0..2).map(|_| slots.take(Some("a"))).collect();
        assert!(a.iter().all(Option::is_some));
        assert!(
            slots.take(Some("a")).is_none(),
            "a third tab of one session"
        );
        let anon = slots.take(None);
        assert!(anon.is_some() && slots.take(None).is_none());
        let b = [slots.take(Some("b")), slots.take(Some("b"))];
        assert!(b.iter().all(Option::is_some));
        assert!(slots.take(Some("c")).is_none(), "the portal is full (5)");
        drop(a);
        assert!(
            slots.take(Some("a")).is_some(),
            "closed tabs free their slots"
        );
        assert_eq!(slots.lock().by_session.get("a"), None, "freed on drop");
    }
}
