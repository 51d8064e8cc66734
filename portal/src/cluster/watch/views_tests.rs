use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Endpoints, Event, Node, Pod};
use serde_json::json;

use super::*;

fn from<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("valid object")
}

#[test]
fn quantities_parse_as_kubectl_prints_them() {
    let q = |s: &str| Quantity(s.to_owned());
    assert_eq!(cpu_millis(&q("250m")), Some(250));
    assert_eq!(cpu_millis(&q("0.1")), Some(100));
    assert_eq!(cpu_millis(&q("2")), Some(2000));
    assert_eq!(cpu_millis(&q("1500000n")), Some(2));
    assert_eq!(bytes(&q("128Mi")), Some(134_217_728));
    assert_eq!(bytes(&q("1G")), Some(1_000_000_000));
    assert_eq!(bytes(&q("512")), Some(512));
    assert_eq!(bytes(&q("lots")), None);
}

#[test]
fn a_pod_shows_what_kubectl_get_pods_shows() {
    let p: Pod = from(json!({
        "metadata": {"name": "hello-hello-world-abc-x1", "uid": "u1", "creationTimestamp": "2026-12-01T10:00:00Z",
            "labels": {"app.kubernetes.io/version": "1.0.0"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "hello-hello-world-abc", "uid": "rs1", "controller": true}]},
        "spec": {"nodeName": "node1", "containers": [{"name": "app", "image": "hello-world:1.0.0",
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}}}]},
        "status": {"phase": "Running", "podIP": "10.244.0.5", "containerStatuses": [{"name": "app", "ready": false, "restartCount": 2,
            "image": "x", "imageID": "y", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}
    }));
    let v = pod(&p);
    assert_eq!(v.status, "CrashLoopBackOff");
    assert_eq!((v.ready, v.containers, v.restarts), (0, 1, 2));
    assert_eq!(v.last_termination.as_deref(), Some("OOMKilled"));
    assert_eq!(v.owner.as_deref(), Some("rs1"));
    assert_eq!(v.ip.as_deref(), Some("10.244.0.5"));
    assert_eq!((v.cpu_request, v.cpu_limit), (Some(100), Some(250)));
    assert_eq!(v.memory_limit, Some(268_435_456));
    assert_eq!(v.version.as_deref(), Some("1.0.0"));
    assert_eq!(v.created, Some(1_796_119_200));

    let mut deleting = p.clone();
    deleting.metadata.deletion_timestamp = p.metadata.creation_timestamp.clone();
    assert_eq!(pod(&deleting).status, "Terminating");
}

#[test]
fn replica_sets_carry_revision_image_and_config() {
    let rs: ReplicaSet = from(json!({
        "metadata": {"name": "d-abc", "uid": "rs1", "annotations": {"deployment.kubernetes.io/revision": "3"}},
        "spec": {"replicas": 2, "selector": {}, "template": {
            "metadata": {"annotations": {"checksum/config": "0123456789abcdef0123"}},
            "spec": {"containers": [{"name": "app", "image": "hello-world:2.0.0",
                "env": [{"name": "APP_VERSION", "value": "2.0.0"}, {"name": "SECRET_TOKEN", "value": "x"}]}]}}},
        "status": {"replicas": 2, "readyReplicas": 1}
    }));
    let v = replica_set(&rs);
    assert_eq!(v.revision, Some(3));
    assert_eq!((v.desired, v.ready), (2, 1));
    assert_eq!(v.image.as_deref(), Some("hello-world:2.0.0"));
    // Only the chart's config reaches the browser, never other env values.
    assert_eq!(
        v.config,
        vec![
            ("APP_VERSION".to_owned(), "2.0.0".to_owned()),
            ("checksum/config".to_owned(), "0123456789ab".to_owned())
        ]
    );
}

#[test]
fn endpoints_split_ready_and_not_ready() {
    let e: Endpoints = from(json!({
        "metadata": {"name": "svc"},
        "subsets": [{"addresses": [{"ip": "10.0.0.2", "targetRef": {"name": "p2"}}, {"ip": "10.0.0.1"}],
            "notReadyAddresses": [{"ip": "10.0.0.3", "targetRef": {"name": "p3"}}], "ports": [{"port": 8080}]}]
    }));
    let v = endpoints(&e);
    assert_eq!(
        v.ready.iter().map(|a| a.ip.as_str()).collect::<Vec<_>>(),
        ["10.0.0.1", "10.0.0.2"]
    );
    assert_eq!(v.not_ready[0].pod.as_deref(), Some("p3"));
    assert_eq!(v.ports, [8080]);
}

#[test]
fn events_and_nodes() {
    let e: Event = from(json!({
        "metadata": {"name": "e", "uid": "e1"}, "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Killing", "message": "Stopping container app", "type": "Normal", "count": 2,
        "lastTimestamp": "2026-12-01T10:00:05Z"
    }));
    let v = event(&e);
    assert_eq!(
        (v.object.as_str(), v.reason.as_str(), v.count),
        ("Pod/p", "Killing", 2)
    );
    assert_eq!(v.last, Some(1_796_119_205));

    let n: Node = from(json!({
        "metadata": {"name": "n1"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}],
            "allocatable": {"cpu": "2", "memory": "4Gi"},
            "images": [{"names": ["docker.io/library/hello-world:1.0.0", "docker.io/library/hello-world@sha256:00"]}]}
    }));
    let v = node(&n);
    assert!(v.ready);
    assert_eq!(v.images, ["docker.io/library/hello-world:1.0.0"]);
    assert_eq!(v.cpu_allocatable, Some(2000));
}
