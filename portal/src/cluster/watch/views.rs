//! Pure conversions from Kubernetes objects to the panels' views (no I/O, unit-tested).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Endpoints, Event, Node, Pod, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::cluster::release::REVISION_ANNOTATION;
use crate::live::{
    Address, DeploymentView, EndpointsView, EventView, NodeView, PodView, ReplicaSetView,
};

/// The env names whose values the history shows (the chart's config, never secrets).
const SHOWN_ENV: [&str; 3] = ["APP_VERSION", "LOG_LEVEL", "APP_ENV"];
const CONFIG_CHECKSUM: &str = "checksum/config";

fn secs(t: &Option<Time>) -> Option<i64> {
    t.as_ref().map(|t| t.0.as_second())
}

fn owner(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| o.uid.clone())
}

fn revision(meta: &ObjectMeta) -> Option<i64> {
    meta.annotations
        .as_ref()?
        .get(REVISION_ANNOTATION)?
        .parse()
        .ok()
}

/// `100m` → 100, `0.25` → 250, `2` → 2000.
pub fn cpu_millis(q: &Quantity) -> Option<i64> {
    let s = q.0.trim();
    if let Some(m) = s.strip_suffix('m') {
        return m.parse::<f64>().ok().map(|v| v.round() as i64);
    }
    if let Some(n) = s.strip_suffix('n') {
        return n.parse::<f64>().ok().map(|v| (v / 1e6).round() as i64);
    }
    if let Some(u) = s.strip_suffix('u') {
        return u.parse::<f64>().ok().map(|v| (v / 1e3).round() as i64);
    }
    s.parse::<f64>().ok().map(|v| (v * 1000.0).round() as i64)
}

/// `128Mi` → 134217728, `1G` → 1e9, `512` → 512.
pub fn bytes(q: &Quantity) -> Option<i64> {
    let s = q.0.trim();
    const UNITS: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, factor) in UNITS {
        if let Some(n) = s.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * factor).round() as i64);
        }
    }
    s.parse::<f64>().ok().map(|v| v.round() as i64)
}

fn sum(resources: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    resources.fold(None, |acc, v| match (acc, v) {
        (None, v) => v,
        (Some(a), Some(b)) => Some(a + b),
        (a, None) => a,
    })
}

fn resource(
    reqs: &[Option<&ResourceRequirements>],
    limits: bool,
    name: &str,
    parse: fn(&Quantity) -> Option<i64>,
) -> Option<i64> {
    sum(reqs.iter().map(|r| {
        let r = (*r)?;
        let map = if limits {
            r.limits.as_ref()?
        } else {
            r.requests.as_ref()?
        };
        parse(map.get(name)?)
    }))
}

pub fn pod(p: &Pod) -> PodView {
    let meta = &p.metadata;
    let spec = p.spec.as_ref();
    let status = p.status.as_ref();
    let statuses = status
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let containers = spec.map_or(0, |s| s.containers.len()) as u32;
    let reqs: Vec<_> = spec
        .map(|s| s.containers.iter().map(|c| c.resources.as_ref()).collect())
        .unwrap_or_default();
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    // What `kubectl get pods` prints in STATUS: a waiting or terminated reason wins.
    let waiting = statuses.iter().find_map(|c| {
        let st = c.state.as_ref()?;
        st.waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .or_else(|| st.terminated.as_ref().and_then(|t| t.reason.clone()))
    });
    let shown = if meta.deletion_timestamp.is_some() {
        "Terminating".to_owned()
    } else {
        waiting.unwrap_or_else(|| phase.clone())
    };
    PodView {
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        owner: owner(meta),
        phase,
        status: shown,
        ready: statuses.iter().filter(|c| c.ready).count() as u32,
        containers,
        restarts: statuses.iter().map(|c| c.restart_count).sum(),
        created: secs(&meta.creation_timestamp),
        ip: status.and_then(|s| s.pod_ip.clone()),
        node: spec.and_then(|s| s.node_name.clone()),
        last_termination: statuses
            .iter()
            .find_map(|c| c.last_state.as_ref()?.terminated.as_ref()?.reason.clone()),
        image: spec.and_then(|s| s.containers.first()?.image.clone()),
        version: meta
            .labels
            .as_ref()
            .and_then(|l| l.get("app.kubernetes.io/version").cloned()),
        cpu_request: resource(&reqs, false, "cpu", cpu_millis),
        cpu_limit: resource(&reqs, true, "cpu", cpu_millis),
        memory_request: resource(&reqs, false, "memory", bytes),
        memory_limit: resource(&reqs, true, "memory", bytes),
    }
}

pub fn replica_set(rs: &ReplicaSet) -> ReplicaSetView {
    let meta = &rs.metadata;
    let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    let container = template
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.first());
    let mut config: Vec<(String, String)> = container
        .and_then(|c| c.env.as_ref())
        .into_iter()
        .flatten()
        .filter(|e| SHOWN_ENV.contains(&e.name.as_str()))
        .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
        .collect();
    if let Some(sum) = template.and_then(|t| {
        t.metadata
            .as_ref()?
            .annotations
            .as_ref()?
            .get(CONFIG_CHECKSUM)
    }) {
        config.push((CONFIG_CHECKSUM.to_owned(), sum.chars().take(12).collect()));
    }
    ReplicaSetView {
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        owner: owner(meta),
        revision: revision(meta),
        desired: rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
        ready: rs
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        image: container.and_then(|c| c.image.clone()),
        config,
        created: secs(&meta.creation_timestamp),
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

pub fn deployment(d: &Deployment) -> DeploymentView {
    let meta = &d.metadata;
    let spec = d.spec.as_ref();
    let status = d.status.as_ref();
    let rolling = spec
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    DeploymentView {
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        replicas: spec.and_then(|s| s.replicas).unwrap_or(1),
        ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
        updated: status.and_then(|s| s.updated_replicas).unwrap_or(0),
        available: status.and_then(|s| s.available_replicas).unwrap_or(0),
        revision: revision(meta),
        image: spec.and_then(|s| s.template.spec.as_ref()?.containers.first()?.image.clone()),
        max_surge: rolling
            .and_then(|r| r.max_surge.as_ref())
            .map(int_or_string),
        max_unavailable: rolling
            .and_then(|r| r.max_unavailable.as_ref())
            .map(int_or_string),
        created: secs(&meta.creation_timestamp),
        generation: meta.generation.unwrap_or(0),
        observed_generation: status.and_then(|s| s.observed_generation).unwrap_or(0),
    }
}

pub fn endpoints(e: &Endpoints) -> EndpointsView {
    let mut view = EndpointsView {
        name: e.metadata.name.clone().unwrap_or_default(),
        ..Default::default()
    };
    for subset in e.subsets.iter().flatten() {
        let addr = |a: &k8s_openapi::api::core::v1::EndpointAddress| Address {
            ip: a.ip.clone(),
            pod: a.target_ref.as_ref().and_then(|t| t.name.clone()),
        };
        view.ready
            .extend(subset.addresses.iter().flatten().map(addr));
        view.not_ready
            .extend(subset.not_ready_addresses.iter().flatten().map(addr));
        view.ports.extend(
            subset
                .ports
                .iter()
                .flatten()
                .filter_map(|p| u16::try_from(p.port).ok()),
        );
    }
    view.ready.sort_by(|a, b| a.ip.cmp(&b.ip));
    view.not_ready.sort_by(|a, b| a.ip.cmp(&b.ip));
    view
}

pub fn event(e: &Event) -> EventView {
    let o = &e.involved_object;
    let last = secs(&e.last_timestamp)
        .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
        .or_else(|| secs(&e.first_timestamp))
        .or_else(|| secs(&e.metadata.creation_timestamp));
    EventView {
        uid: e.metadata.uid.clone().unwrap_or_default(),
        kind: e.type_.clone().unwrap_or_else(|| "Normal".into()),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            o.kind.as_deref().unwrap_or("?"),
            o.name.as_deref().unwrap_or("?")
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1),
        last,
    }
}

pub fn node(n: &Node) -> NodeView {
    let status = n.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    let images = status
        .and_then(|s| s.images.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|i| i.names.iter().flatten())
        .filter(|n| !n.contains('@'))
        .cloned()
        .collect();
    let alloc = status.and_then(|s| s.allocatable.as_ref());
    NodeView {
        name: n.metadata.name.clone().unwrap_or_default(),
        ready,
        images,
        cpu_allocatable: alloc.and_then(|a| cpu_millis(a.get("cpu")?)),
        memory_allocatable: alloc.and_then(|a| bytes(a.get("memory")?)),
    }
}

#[cfg(test)]
#[path = "views_tests.rs"]
mod tests;
