//! What the live panels receive: compact views of cluster objects (never whole objects,
//! so nothing the panel does not show — or should not see — leaves the server), and the
//! messages of the one multiplexed stream a tab holds. Shared by the server and the wasm.

use serde::{Deserialize, Serialize};

use crate::names::PanelName;

/// One kind of live data a panel subscribes to. One shared feed per (namespace, topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Pods,
    ReplicaSets,
    Deployments,
    Endpoints,
    Events,
    Logs,
    Usage,
    Nodes,
    /// The learner's experiment runs (not a watch: the portal writes them).
    Experiments,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Self::Pods,
        Self::ReplicaSets,
        Self::Deployments,
        Self::Endpoints,
        Self::Events,
        Self::Logs,
        Self::Usage,
        Self::Nodes,
        Self::Experiments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pods => "pods",
            Self::ReplicaSets => "replicasets",
            Self::Deployments => "deployments",
            Self::Endpoints => "endpoints",
            Self::Events => "events",
            Self::Logs => "logs",
            Self::Usage => "usage",
            Self::Nodes => "nodes",
            Self::Experiments => "experiments",
        }
    }

    /// Whether its feed holds an API watch of its own (logs and usage read the pods
    /// feed; experiments are written by the portal).
    pub fn holds_watch(self) -> bool {
        !matches!(self, Self::Logs | Self::Usage | Self::Experiments)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The topics a lesson panel needs (`panel <name>` directives).
    pub fn for_panel(panel: PanelName) -> &'static [Topic] {
        match panel {
            PanelName::Status => &[Self::Nodes],
            PanelName::Release => &[Self::Deployments, Self::Pods, Self::Nodes],
            PanelName::History => &[Self::Deployments, Self::ReplicaSets],
            PanelName::Tree => &[Self::Deployments, Self::ReplicaSets, Self::Pods],
            PanelName::Pods | PanelName::Requests => &[Self::Pods],
            PanelName::Endpoints => &[Self::Endpoints],
            PanelName::Events => &[Self::Events],
            PanelName::Logs => &[Self::Logs, Self::Pods],
            PanelName::Usage => &[Self::Usage],
        }
    }
}

/// How a feed is doing, shown on every panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeedState {
    /// First list not complete yet.
    #[default]
    Connecting,
    /// Watching; what the panel shows is current.
    Live,
    /// The watch failed and is backing off; the panel shows the last known state.
    Reconnecting,
    /// No cluster answers at all (the panel explains how to start one).
    NoCluster,
}

/// A message of the live stream (one SSE `data:` line each), externally tagged
/// (`{"upsert":{…}}`): an internally tagged enum would make serde buffer every message
/// and compile a second deserializer per type into the wasm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wire {
    /// Everything the topic holds now; replaces what the panel had.
    Snapshot {
        topic: Topic,
        items: Vec<Item>,
    },
    Upsert {
        topic: Topic,
        item: Box<Item>,
    },
    Delete {
        topic: Topic,
        key: String,
    },
    State {
        topic: Topic,
        state: FeedState,
        /// Why it is not live, in Korean (the API server's words kept).
        message: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Pod(PodView),
    ReplicaSet(ReplicaSetView),
    Deployment(DeploymentView),
    Endpoints(EndpointsView),
    Event(EventView),
    Log(LogLine),
    Usage(UsageView),
    Node(NodeView),
    Cluster(ClusterView),
    Experiment(Box<super::experiment::ExperimentRun>),
}

impl Item {
    /// The key deltas refer to.
    pub fn key(&self) -> String {
        match self {
            Self::Pod(v) => v.name.clone(),
            Self::ReplicaSet(v) => v.name.clone(),
            Self::Deployment(v) => v.name.clone(),
            Self::Endpoints(v) => v.name.clone(),
            Self::Event(v) => v.uid.clone(),
            Self::Log(v) => format!("{:012}", v.seq),
            Self::Usage(v) => v.pod.clone(),
            Self::Node(v) => v.name.clone(),
            Self::Cluster(_) => "~cluster".to_owned(),
            Self::Experiment(r) => format!("{}:{}", r.experiment, r.variant),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PodView {
    pub name: String,
    pub uid: String,
    /// Owner ReplicaSet's uid, for the tree.
    pub owner: Option<String>,
    pub phase: String,
    /// `Terminating` while it has a deletion timestamp, else the kubectl-style status
    /// (Running, ContainerCreating, CrashLoopBackOff, OOMKilled…).
    pub status: String,
    pub ready: u32,
    pub containers: u32,
    pub restarts: i32,
    /// Unix seconds.
    pub created: Option<i64>,
    pub ip: Option<String>,
    pub node: Option<String>,
    /// The last termination reason of any container (OOMKilled, Error, Completed…).
    pub last_termination: Option<String>,
    pub image: Option<String>,
    /// `app.kubernetes.io/version` label.
    pub version: Option<String>,
    /// Sum over containers, millicores / bytes.
    pub cpu_request: Option<i64>,
    pub cpu_limit: Option<i64>,
    pub memory_request: Option<i64>,
    pub memory_limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReplicaSetView {
    pub name: String,
    pub uid: String,
    pub owner: Option<String>,
    pub revision: Option<i64>,
    pub desired: i32,
    pub ready: i32,
    pub image: Option<String>,
    /// The `APP_VERSION`/`LOG_LEVEL`/`APP_ENV` the template sets, or the config checksum.
    pub config: Vec<(String, String)>,
    pub created: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeploymentView {
    pub name: String,
    pub uid: String,
    pub replicas: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    pub revision: Option<i64>,
    pub image: Option<String>,
    pub max_surge: Option<String>,
    pub max_unavailable: Option<String>,
    pub created: Option<i64>,
    /// The spec's generation and the one the controller has acted on: equal once a
    /// change has been picked up.
    pub generation: i64,
    pub observed_generation: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Address {
    pub ip: String,
    pub pod: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EndpointsView {
    pub name: String,
    pub ready: Vec<Address>,
    pub not_ready: Vec<Address>,
    pub ports: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EventView {
    pub uid: String,
    /// Normal / Warning.
    pub kind: String,
    pub reason: String,
    /// `Pod/hello-hello-world-…`.
    pub object: String,
    pub message: String,
    pub count: i32,
    /// Unix seconds of the last occurrence.
    pub last: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LogLine {
    /// Arrival order across the namespace.
    pub seq: u64,
    pub pod: String,
    /// The line's own timestamp (the app's JSON `timestamp`, else the kubelet's).
    pub time: String,
    /// debug / info / warning / error, or empty for a line that is not JSON.
    pub level: String,
    pub message: String,
    /// The line's other fields, `key=value` (method, path, status of a request line).
    pub fields: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UsageView {
    pub pod: String,
    pub cpu_millis: i64,
    pub memory_bytes: i64,
    pub cpu_request: Option<i64>,
    pub cpu_limit: Option<i64>,
    pub memory_request: Option<i64>,
    pub memory_limit: Option<i64>,
    /// `metrics.k8s.io` or `kubelet`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NodeView {
    pub name: String,
    pub ready: bool,
    /// Image references the node holds (`docker.io/library/hello-world:1.0.0`).
    pub images: Vec<String>,
    pub cpu_allocatable: Option<i64>,
    pub memory_allocatable: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ClusterView {
    pub version: String,
    pub context: Option<String>,
}
