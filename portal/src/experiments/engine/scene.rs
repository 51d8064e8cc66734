//! What an experiment sees of the namespace: the shared live feeds (the same watches the
//! panels use, no extra API load), read as one `Scene`, and waits on conditions over it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cluster::watch::{Feed, Hub, Subscription};
use crate::live::{
    DeploymentView, EndpointsView, EventView, FeedState, Item, LogLine, NodeView, PodView,
    ReplicaSetView, Topic,
};

use crate::experiments::error::{Error, Result};

/// The topics an experiment follows (the observer turns their changes into marks).
pub const TOPICS: [Topic; 7] = [
    Topic::Pods,
    Topic::Endpoints,
    Topic::ReplicaSets,
    Topic::Deployments,
    Topic::Events,
    Topic::Logs,
    Topic::Nodes,
];

/// The feeds, subscribed for the run's duration (so none is swept meanwhile).
#[derive(Debug)]
pub struct Stage {
    /// The release's Deployment/Service name.
    pub fullname: String,
    feeds: Vec<Arc<Feed>>,
    _subs: Vec<Subscription>,
}

/// The release as it is now.
#[derive(Debug, Clone, Default)]
pub struct Scene {
    /// The Deployment's pods (not Terminating ones of other owners), by name.
    pub pods: Vec<PodView>,
    pub endpoints: Option<EndpointsView>,
    pub deployment: Option<DeploymentView>,
    pub logs: Vec<LogLine>,
    pub events: Vec<EventView>,
    pub nodes: Vec<NodeView>,
}

impl Scene {
    pub fn pod(&self, name: &str) -> Option<&PodView> {
        self.pods.iter().find(|p| p.name == name)
    }

    /// The pod the learner picked (it must be one of the release's now), or the first.
    pub fn choose_pod(&self, wanted: Option<&str>) -> Result<String> {
        match wanted {
            Some(p) if self.pod(p).is_some() => Ok(p.to_owned()),
            Some(p) => Err(Error::Refused(format!(
                "지금 실행 중인 파드가 아닙니다: {p}"
            ))),
            None => self
                .pods
                .first()
                .map(|p| p.name.clone())
                .ok_or_else(|| Error::Precondition("실행 중인 파드가 없습니다.".into())),
        }
    }

    /// Pods not being deleted.
    pub fn live_pods(&self) -> impl Iterator<Item = &PodView> {
        self.pods.iter().filter(|p| p.status != "Terminating")
    }

    pub fn ready_ips(&self) -> Vec<String> {
        self.endpoints
            .iter()
            .flat_map(|e| e.ready.iter().map(|a| a.ip.clone()))
            .collect()
    }

    /// Whether `pod`'s address is among the ready addresses of the Service.
    pub fn serves(&self, pod: &str) -> bool {
        self.endpoints
            .iter()
            .flat_map(|e| e.ready.iter())
            .any(|a| a.pod.as_deref() == Some(pod))
    }

    /// The rollout is over: the controller saw the latest spec, every wanted pod is
    /// updated, ready and in the Endpoints, and no other pod is left.
    pub fn settled(&self, min_generation: i64) -> bool {
        let Some(d) = &self.deployment else {
            return false;
        };
        let want = d.replicas;
        d.generation >= min_generation
            && d.observed_generation >= d.generation
            && d.updated == want
            && d.ready == want
            && d.available == want
            && self.pods.len() as i32 == want
            && self
                .pods
                .iter()
                .all(|p| p.status == "Running" && p.ready == p.containers)
            && self.ready_ips().len() as i32 == want
    }
}

impl Stage {
    /// Subscribes to the feeds of `namespace` and waits until the watches have listed.
    pub async fn open(hub: &Arc<Hub>, namespace: &str, fullname: &str) -> Result<Self> {
        let feeds: Vec<Arc<Feed>> = TOPICS.iter().map(|t| hub.feed(namespace, *t)).collect();
        let subs = feeds.iter().map(|f| f.subscribe()).collect();
        let stage = Self {
            fullname: fullname.to_owned(),
            feeds,
            _subs: subs,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let states: Vec<FeedState> = stage.feeds.iter().map(|f| f.health().state).collect();
            if states.contains(&FeedState::NoCluster) {
                return Err(Error::Precondition(
                    crate::cluster::watch::NO_CLUSTER.to_owned(),
                ));
            }
            if states.iter().all(|s| *s == FeedState::Live) {
                return Ok(stage);
            }
            if Instant::now() > deadline {
                return Err(Error::Timeout {
                    what: "클러스터 감시 시작".into(),
                    secs: 20,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn feeds(&self) -> &[Arc<Feed>] {
        &self.feeds
    }

    fn items(&self, topic: Topic) -> Vec<Item> {
        self.feeds
            .iter()
            .find(|f| f.topic == topic)
            .map(|f| f.items())
            .unwrap_or_default()
    }

    pub fn scene(&self) -> Scene {
        let deployment = self
            .items(Topic::Deployments)
            .into_iter()
            .find_map(|i| match i {
                Item::Deployment(d) if d.name == self.fullname => Some(d),
                _ => None,
            });
        let owner = deployment.as_ref().map(|d| d.uid.clone());
        let replica_sets: Vec<ReplicaSetView> = self
            .items(Topic::ReplicaSets)
            .into_iter()
            .filter_map(|i| match i {
                Item::ReplicaSet(r) if owner.is_some() && r.owner == owner => Some(r),
                _ => None,
            })
            .collect();
        let pods = self
            .items(Topic::Pods)
            .into_iter()
            .filter_map(|i| match i {
                Item::Pod(p)
                    if replica_sets
                        .iter()
                        .any(|r| Some(&r.uid) == p.owner.as_ref()) =>
                {
                    Some(p)
                }
                _ => None,
            })
            .collect();
        let endpoints = self
            .items(Topic::Endpoints)
            .into_iter()
            .find_map(|i| match i {
                Item::Endpoints(e) if e.name == self.fullname => Some(e),
                _ => None,
            });
        let logs = self
            .items(Topic::Logs)
            .into_iter()
            .filter_map(|i| match i {
                Item::Log(l) => Some(l),
                _ => None,
            })
            .collect();
        let events = self
            .items(Topic::Events)
            .into_iter()
            .filter_map(|i| match i {
                Item::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        let nodes = self
            .items(Topic::Nodes)
            .into_iter()
            .filter_map(|i| match i {
                Item::Node(n) => Some(n),
                _ => None,
            })
            .collect();
        Scene {
            pods,
            endpoints,
            deployment,
            logs,
            events,
            nodes,
        }
    }

    /// Waits until `check` returns something, looking every 100 ms. `what` names the
    /// awaited thing in the timeout message.
    pub async fn until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Scene) -> Option<T>,
    ) -> Result<T> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = check(&self.scene()) {
                return Ok(found);
            }
            if Instant::now() > deadline {
                return Err(Error::Timeout {
                    what: what.to_owned(),
                    secs: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the rollout of generation `generation` to be over.
    pub async fn settled(&self, generation: i64, timeout: Duration) -> Result<()> {
        self.until("롤아웃 완료", timeout, |s| {
            s.settled(generation).then_some(())
        })
        .await
    }
}
