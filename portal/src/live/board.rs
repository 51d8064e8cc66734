//! The workshop host's board as the server pushes it to `/host` (`server/host_live.rs`)
//! and the host page's island reads it.

use serde::{Deserialize, Serialize};

/// What the host sees: whether joining is open, and every learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub joining: bool,
    pub learners: Vec<LearnerRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerRow {
    pub id: String,
    pub name: String,
    pub namespace: String,
    /// Last seen (ms since the epoch); the page counts the seconds itself.
    pub seen_ms: i64,
    pub lessons_done: Vec<String>,
    /// (experiment, verdict word) of the latest runs.
    pub verdicts: Vec<(String, String)>,
    /// Experiments that failed two or more times in a row.
    pub stuck: Vec<String>,
    /// `resource used/hard`.
    pub quota: Vec<String>,
}
