//! What an experiment run looks like on the wire: its phase, the timeline of what
//! happened, the measured figures and the verdict. The latest run of each experiment is
//! one item of the `experiments` topic, so the panel updates live and shows the last run
//! again when the learner comes back. Shared by the server and the wasm.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunPhase {
    /// Running: the step says where it is.
    #[default]
    Running,
    /// Finished and the claim held (성공).
    Passed,
    /// Finished and the claim did not hold, or a step failed (실패).
    Failed,
    /// Cut short: a precondition was missing, or the portal restarted mid-run.
    Stopped,
}

impl RunPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
        }
    }

    pub fn is_over(self) -> bool {
        self != Self::Running
    }
}

/// Where a timeline entry came from (it picks the entry's colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// Something the experiment did (an upgrade, a delete, a toggle).
    Action,
    Pod,
    Endpoint,
    ReplicaSet,
    /// A Kubernetes event (probe failures, kills, scaling).
    Event,
    /// A line of the app's own log (SIGTERM, readiness toggled…).
    Log,
    /// A request the portal sent and its answer.
    Request,
    /// The verdict and the measured figures.
    Verdict,
}

impl MarkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::Pod => "pod",
            Self::Endpoint => "endpoint",
            Self::ReplicaSet => "replicaset",
            Self::Event => "event",
            Self::Log => "log",
            Self::Request => "request",
            Self::Verdict => "verdict",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Action => "실행",
            Self::Pod => "파드",
            Self::Endpoint => "엔드포인트",
            Self::ReplicaSet => "레플리카셋",
            Self::Event => "이벤트",
            Self::Log => "앱 로그",
            Self::Request => "요청",
            Self::Verdict => "판정",
        }
    }
}

/// One timestamped line of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// Milliseconds since the run started.
    pub at_ms: i64,
    pub kind: MarkKind,
    pub text: String,
}

/// A measured number: `key` is stable (tests and the host dashboard read it), `label`
/// is the Korean name, `value` the number with its unit as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// One second of the rolling-update traffic: who answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixSecond {
    pub second: u32,
    /// (version, answers) in first-seen order.
    pub versions: Vec<(String, u32)>,
    pub errors: u32,
}

/// The latest run of one experiment in one namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ExperimentRun {
    /// `configmap`, `readiness`, `resources`, `graceful-shutdown`, `rolling-update`.
    pub experiment: String,
    /// `""` for the main run, else the variant's name (`one-replica`, `no-prestop`…).
    pub variant: String,
    pub run_id: u64,
    /// Unix milliseconds.
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub phase: RunPhase,
    /// What it is doing now (or did last), in Korean.
    pub step: String,
    pub timeline: Vec<Mark>,
    pub figures: Vec<Figure>,
    /// Why it passed or failed, in Korean.
    pub verdict: Option<String>,
    pub mix: Vec<MixSecond>,
    /// Timeline entries dropped past the cap (the oldest are kept).
    pub dropped: u32,
}

impl ExperimentRun {
    pub fn figure(&self, key: &str) -> Option<&str> {
        self.figures
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }
}
