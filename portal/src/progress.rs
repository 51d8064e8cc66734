//! A learner's progress: lessons visited and done, and the final checklist's ticks.
//! Kept in the learner's session (SQLite-backed), so it survives a portal restart.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub visited: BTreeSet<String>,
    pub done: BTreeSet<String>,
    /// Ticked items of the wrap-up checklist, by position.
    pub checklist: BTreeSet<u16>,
}

impl Progress {
    pub const SESSION_KEY: &'static str = "progress";
    /// More checklist items than any lesson has: anything above is bad input.
    pub const MAX_CHECKLIST_ITEMS: u16 = 64;

    pub fn is_done(&self, id: &str) -> bool {
        self.done.contains(id)
    }

    pub fn is_visited(&self, id: &str) -> bool {
        self.visited.contains(id)
    }
}
