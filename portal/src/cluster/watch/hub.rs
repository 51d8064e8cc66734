//! The hub: at most one feed — so one API watch — per (namespace, topic), however many
//! tabs are open. Feeds start with their first subscriber and stop a while after the
//! last one leaves.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Endpoints, Event, Node, Pod};
use kube::Api;
use tokio::task::AbortHandle;

use super::conn::{ClusterConn, NO_CLUSTER};
use super::feed::Feed;
use super::{logs, usage, views, watcher};
use crate::live::{ClusterView, FeedState, Item, Topic};

/// Events and log lines kept per namespace.
const EVENTS_KEPT: usize = 500;
const LOG_LINES_KEPT: usize = 1000;
/// A feed with no subscriber is stopped after this long.
const IDLE: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Entry {
    feed: Arc<Feed>,
    task: AbortHandle,
    idle_since: Option<Instant>,
}

/// Counters for `/metrics` and the fan-out benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// Feeds started that hold an API watch (logs and usage hold none of their own).
    pub watches_started: AtomicU64,
    pub feeds_started: AtomicU64,
}

#[derive(Debug)]
pub struct Hub {
    conn: ClusterConn,
    feeds: Mutex<HashMap<(String, Topic), Entry>>,
    pub stats: Stats,
    /// Workshop mode: a namespace's watches run as its learner (impersonated), so the
    /// API server checks them too.
    act_as_learner: bool,
}

impl Hub {
    pub fn new(conn: ClusterConn) -> Arc<Self> {
        Self::with_learners(conn, false)
    }

    pub fn with_learners(conn: ClusterConn, act_as_learner: bool) -> Arc<Self> {
        let hub = Arc::new(Self {
            conn,
            feeds: Mutex::default(),
            stats: Stats::default(),
            act_as_learner,
        });
        tokio::spawn(sweep(Arc::downgrade(&hub)));
        hub
    }

    pub fn conn(&self) -> &ClusterConn {
        &self.conn
    }

    /// Feeds running now that hold an API watch.
    pub fn active_watches(&self) -> usize {
        self.lock().keys().filter(|(_, t)| t.holds_watch()).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Topic), Entry>> {
        self.feeds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The feed of `topic` in `namespace`, started if it is not running. Nodes are
    /// cluster-wide: one feed whatever the namespace.
    pub fn feed(self: &Arc<Self>, namespace: &str, topic: Topic) -> Arc<Feed> {
        let ns = if topic == Topic::Nodes { "" } else { namespace };
        let mut feeds = self.lock();
        if let Some(entry) = feeds.get_mut(&(ns.to_owned(), topic)) {
            entry.idle_since = None;
            return entry.feed.clone();
        }
        let cap = match topic {
            Topic::Events => Some(EVENTS_KEPT),
            Topic::Logs => Some(LOG_LINES_KEPT),
            _ => None,
        };
        let feed = Feed::new(topic, cap);
        if topic == Topic::Experiments {
            // Written by the experiments, not by a watch: always current.
            feed.set_health(FeedState::Live, None);
        } else if self.conn.now().is_none() {
            feed.set_health(FeedState::NoCluster, Some(NO_CLUSTER.to_owned()));
        }
        self.stats.feeds_started.fetch_add(1, Ordering::Relaxed);
        if topic.holds_watch() {
            self.stats.watches_started.fetch_add(1, Ordering::Relaxed);
        }
        // Logs and usage read the pods feed; take it before spawning, without the lock.
        drop(feeds);
        let pods = matches!(topic, Topic::Logs | Topic::Usage).then(|| self.feed(ns, Topic::Pods));
        let task = tokio::spawn(start(
            self.conn.clone(),
            feed.clone(),
            ns.to_owned(),
            pods,
            self.act_as_learner,
        ))
        .abort_handle();
        let mut feeds = self.lock();
        // Another caller may have raced us here; keep theirs.
        if let Some(entry) = feeds.get(&(ns.to_owned(), topic)) {
            task.abort();
            return entry.feed.clone();
        }
        feeds.insert(
            (ns.to_owned(), topic),
            Entry {
                feed: feed.clone(),
                task,
                idle_since: None,
            },
        );
        feed
    }

    /// Stops feeds nobody has listened to for [`IDLE`]. Experiment feeds stay: they are
    /// the record of the runs (a few items per namespace), not a watch.
    fn sweep_once(&self, now: Instant) {
        self.lock().retain(|(ns, topic), entry| {
            if entry.feed.subscribers() > 0 || *topic == Topic::Experiments {
                entry.idle_since = None;
                return true;
            }
            let since = *entry.idle_since.get_or_insert(now);
            if now.duration_since(since) < IDLE {
                return true;
            }
            tracing::debug!(namespace = %ns, topic = topic.as_str(), "feed stopped (idle)");
            entry.task.abort();
            false
        });
    }
}

async fn sweep(hub: std::sync::Weak<Hub>) {
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    loop {
        tick.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        hub.sweep_once(Instant::now());
    }
}

async fn start(
    conn: ClusterConn,
    feed: Arc<Feed>,
    ns: String,
    pods: Option<Arc<Feed>>,
    act_as_learner: bool,
) {
    if feed.topic == Topic::Experiments {
        return;
    }
    // Subscribe before waiting: a subscribed pods feed is never swept as idle.
    let pods = pods.map(|p| {
        let sub = p.subscribe();
        (p, sub)
    });
    let connected = conn.connected().await;
    // Usage reads the kubelet through the node proxy (cluster-wide) and keeps only this
    // namespace's pods, so it stays on the portal's own client.
    let client = if act_as_learner && !ns.is_empty() && feed.topic != Topic::Usage {
        match connected.acting_as(&crate::cluster::workshop::learner_user(&ns)) {
            Ok(c) => c,
            Err(e) => {
                feed.set_health(FeedState::Reconnecting, Some(e.to_string()));
                return;
            }
        }
    } else {
        connected.client.clone()
    };
    match feed.topic {
        Topic::Pods => {
            watcher::run(
                feed,
                Api::<Pod>::namespaced(client, &ns),
                |p| Item::Pod(views::pod(p)),
                false,
            )
            .await
        }
        Topic::ReplicaSets => {
            let api = Api::<ReplicaSet>::namespaced(client, &ns);
            watcher::run(
                feed,
                api,
                |r| Item::ReplicaSet(views::replica_set(r)),
                false,
            )
            .await
        }
        Topic::Deployments => {
            let api = Api::<Deployment>::namespaced(client, &ns);
            watcher::run(feed, api, |d| Item::Deployment(views::deployment(d)), false).await
        }
        Topic::Endpoints => {
            let api = Api::<Endpoints>::namespaced(client, &ns);
            watcher::run(feed, api, |e| Item::Endpoints(views::endpoints(e)), false).await
        }
        Topic::Events => {
            let api = Api::<Event>::namespaced(client, &ns);
            watcher::run(feed, api, |e| Item::Event(views::event(e)), true).await
        }
        Topic::Nodes => {
            feed.upsert(Item::Cluster(ClusterView {
                version: connected.info.server_version.clone(),
                context: connected.info.context.clone(),
            }));
            watcher::run(
                feed,
                Api::<Node>::all(client),
                |n| Item::Node(views::node(n)),
                false,
            )
            .await
        }
        Topic::Logs => {
            if let Some((pods, sub)) = pods {
                logs::run(feed, pods, sub, client, ns).await;
            }
        }
        Topic::Usage => {
            if let Some((pods, sub)) = pods {
                usage::run(feed, pods, sub, client, ns).await;
            }
        }
        Topic::Experiments => {}
    }
}
