//! The observer: while a run lasts, every change of the release's pods, Endpoints,
//! ReplicaSets, events and the app's notable log lines becomes a timeline mark. The
//! diffs are pure functions over two states, tested below.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::AbortHandle;

use super::recorder::Recorder;
use crate::cluster::watch::Feed;
use crate::live::{EndpointsView, EventView, Item, MarkKind, PodView, ReplicaSetView, Topic};

/// Stops the observer when dropped.
#[derive(Debug)]
pub struct Observer(AbortHandle);

impl Drop for Observer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// App log messages worth a mark (the service's own words, see `service/src`).
const NOTABLE_LOGS: [&str; 11] = [
    "SIGTERM",
    "Readiness toggled",
    "in-flight",
    "Drain timeout",
    "Slow endpoint called",
    "Slow request finished",
    "Holding memory",
    "CPU burn finished",
    "Application started",
    "Shutdown complete",
    "Connections still open",
];

/// Event reasons worth a mark besides every Warning.
const NOTABLE_EVENTS: [&str; 6] = [
    "Killing",
    "ScalingReplicaSet",
    "Started",
    "SuccessfulCreate",
    "SuccessfulDelete",
    "Scheduled",
];

pub fn spawn(feeds: &[Arc<Feed>], rec: Recorder, fullname: String) -> Observer {
    let feeds: Vec<Arc<Feed>> = feeds
        .iter()
        .filter(|f| f.topic != Topic::Nodes)
        .cloned()
        .collect();
    let task = tokio::spawn(async move {
        let mut prev: Vec<BTreeMap<String, Item>> = feeds.iter().map(|f| map(f)).collect();
        let mut subs: Vec<_> = feeds.iter().map(|f| f.subscribe().changes).collect();
        loop {
            // Any change on any feed, then diff every feed (cheap: a few dozen items).
            let wait = subs.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures::future::select_all(wait).await;
            let now = Instant::now();
            for (i, feed) in feeds.iter().enumerate() {
                let next = map(feed);
                for (kind, text) in diff(feed.topic, &prev[i], &next, &fullname) {
                    rec.mark_at(now, kind, text);
                }
                prev[i] = next;
            }
        }
    });
    Observer(task.abort_handle())
}

fn map(feed: &Feed) -> BTreeMap<String, Item> {
    feed.items().into_iter().map(|i| (i.key(), i)).collect()
}

/// `hello-hello-world-7c9d6b5f4-8xq2m` → `7c9d6b5f4-8xq2m`.
pub fn short<'a>(name: &'a str, fullname: &str) -> &'a str {
    name.strip_prefix(fullname)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(name)
}

/// The marks between two states of one topic: one named step per kind of object.
pub fn diff(
    topic: Topic,
    before: &BTreeMap<String, Item>,
    after: &BTreeMap<String, Item>,
    fullname: &str,
) -> Vec<(MarkKind, String)> {
    let mut out = Vec::new();
    for (key, item) in after {
        let old = before.get(key);
        match (item, old) {
            (Item::Pod(p), None) => out.push((
                MarkKind::Pod,
                format!("파드 {} 생성 ({})", short(&p.name, fullname), p.status),
            )),
            (Item::Pod(p), Some(Item::Pod(o))) => pod_changed(&mut out, p, o, fullname),
            (Item::Endpoints(e), old) => {
                let old = match old {
                    Some(Item::Endpoints(o)) => Some(o),
                    _ => None,
                };
                endpoints_changed(&mut out, e, old, fullname);
            }
            (Item::ReplicaSet(r), old) => {
                let old = match old {
                    Some(Item::ReplicaSet(o)) => Some(o),
                    _ => None,
                };
                out.extend(replicaset_changed(r, old, fullname));
            }
            (Item::Event(e), old) => {
                let newer = match old {
                    Some(Item::Event(o)) => e.count > o.count,
                    _ => true,
                };
                if newer {
                    out.extend(notable_event(e, fullname));
                }
            }
            (Item::Log(l), None) if NOTABLE_LOGS.iter().any(|n| l.message.contains(n)) => {
                out.push((
                    MarkKind::Log,
                    format!("{}: {}", short(&l.pod, fullname), l.message),
                ));
            }
            _ => {}
        }
    }
    if topic == Topic::Pods {
        for (key, item) in before {
            if let (Item::Pod(p), false) = (item, after.contains_key(key)) {
                out.push((
                    MarkKind::Pod,
                    format!("파드 {} 사라짐", short(&p.name, fullname)),
                ));
            }
        }
    }
    out
}

/// Status, readiness and restarts of a pod that was there before.
fn pod_changed(out: &mut Vec<(MarkKind, String)>, p: &PodView, o: &PodView, fullname: &str) {
    let name = short(&p.name, fullname);
    if p.status != o.status {
        out.push((
            MarkKind::Pod,
            format!("파드 {name}: {} → {}", o.status, p.status),
        ));
    }
    if p.ready != o.ready {
        let word = if p.ready == p.containers {
            "준비됨"
        } else {
            "준비 안 됨"
        };
        out.push((
            MarkKind::Pod,
            format!("파드 {name} {word} ({}/{})", p.ready, p.containers),
        ));
    }
    if p.restarts > o.restarts {
        let why = p.last_termination.as_deref().unwrap_or("알 수 없음");
        out.push((
            MarkKind::Pod,
            format!(
                "파드 {name} 컨테이너 재시작 {}회째 (직전 종료 이유: {why})",
                p.restarts
            ),
        ));
    }
}

/// Addresses that came into the ready list or left it (3-2's whole point).
fn endpoints_changed(
    out: &mut Vec<(MarkKind, String)>,
    e: &EndpointsView,
    old: Option<&EndpointsView>,
    fullname: &str,
) {
    let was_ready = |ip: &str| old.is_some_and(|o| o.ready.iter().any(|a| a.ip == ip));
    for a in &e.ready {
        if !was_ready(&a.ip) {
            let pod = a.pod.as_deref().map(|p| short(p, fullname)).unwrap_or("?");
            out.push((
                MarkKind::Endpoint,
                format!("{} ({pod}) Endpoints 에 들어옴 — 트래픽을 받습니다", a.ip),
            ));
        }
    }
    for a in old.iter().flat_map(|o| o.ready.iter()) {
        if !e.ready.iter().any(|n| n.ip == a.ip) {
            let pod = a.pod.as_deref().map(|p| short(p, fullname)).unwrap_or("?");
            let how = if e.not_ready.iter().any(|n| n.ip == a.ip) {
                "준비 안 됨으로 옮겨짐"
            } else {
                "빠짐"
            };
            out.push((
                MarkKind::Endpoint,
                format!(
                    "{} ({pod}) Endpoints 에서 {how} — 트래픽을 받지 않습니다",
                    a.ip
                ),
            ));
        }
    }
}

/// A new ReplicaSet, or one whose desired or ready count moved (a rollout's steps).
fn replicaset_changed(
    r: &ReplicaSetView,
    old: Option<&ReplicaSetView>,
    fullname: &str,
) -> Option<(MarkKind, String)> {
    let tag = r
        .image
        .as_deref()
        .and_then(|i| i.rsplit(':').next())
        .unwrap_or("?");
    let rev = r.revision.map_or_else(|| "?".into(), |v| v.to_string());
    let name = short(&r.name, fullname);
    let text = match old {
        None => format!(
            "레플리카셋 {name} 생성 (리비전 {rev}, {tag}, 원하는 수 {})",
            r.desired
        ),
        Some(o) if o.desired != r.desired => format!(
            "레플리카셋 {name} ({tag}) 원하는 수 {} → {}",
            o.desired, r.desired
        ),
        Some(o) if o.ready != r.ready => {
            format!("레플리카셋 {name} ({tag}) 준비 {} → {}", o.ready, r.ready)
        }
        _ => return None,
    };
    Some((MarkKind::ReplicaSet, text))
}

/// A warning, or one of the events the lessons talk about.
fn notable_event(e: &EventView, fullname: &str) -> Option<(MarkKind, String)> {
    // MissingClusterDNS: clusters without a DNS add-on say it for every pod.
    if e.reason == "MissingClusterDNS"
        || !(e.kind == "Warning" || NOTABLE_EVENTS.contains(&e.reason.as_str()))
    {
        return None;
    }
    Some((
        MarkKind::Event,
        format!(
            "{} {}: {}",
            e.reason,
            short_object(&e.object, fullname),
            e.message
        ),
    ))
}

fn short_object(object: &str, fullname: &str) -> String {
    match object.split_once('/') {
        Some((kind, name)) => format!("{kind}/{}", short(name, fullname)),
        None => object.to_owned(),
    }
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
