use serde_json::{Value, json};

use crate::cluster::Error;
use crate::cluster::release::{history, rollback};
use crate::cluster::testing::{Recorded, mock_client, requests, status};

const DEPLOY_PATH: &str = "/apis/apps/v1/namespaces/hello/deployments/hello-hello-world";
const RS_PATH: &str = "/apis/apps/v1/namespaces/hello/replicasets";

fn selector() -> Value {
    json!({"app.kubernetes.io/name": "hello-world", "app.kubernetes.io/instance": "hello"})
}

fn deployment(revision: u32, paused: bool) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "hello-hello-world", "namespace": "hello", "uid": "deploy-uid",
                     "annotations": {"deployment.kubernetes.io/revision": revision.to_string()}},
        "spec": {"paused": paused, "selector": {"matchLabels": selector()},
                 "template": {"metadata": {"labels": selector()}, "spec": {"containers": [{"name": "hello-world", "image": "hello-world:2.0.0"}]}}}
    })
}

fn replica_set(revision: Option<u32>, tag: &str, owner: &str, replicas: u32) -> Value {
    let hash = format!("hash{tag}");
    let mut labels = selector();
    labels["pod-template-hash"] = json!(hash);
    let annotations = revision.map_or(
        json!({}),
        |r| json!({"deployment.kubernetes.io/revision": r.to_string()}),
    );
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("hello-hello-world-{hash}"), "namespace": "hello",
                     "creationTimestamp": "2025-01-02T03:04:05Z", "annotations": annotations,
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "hello-hello-world", "uid": owner, "controller": true}]},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels.clone()},
                 "template": {"metadata": {"labels": labels, "annotations": {"checksum/config": format!("sum{tag}")}},
                              "spec": {"containers": [{"name": "hello-world", "image": format!("hello-world:{tag}"),
                                       "env": [{"name": "PORT", "value": "8080"},
                                               {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}]}]}}},
        "status": {"replicas": replicas, "readyReplicas": replicas}
    })
}

/// The Deployment at revision 2 (image 2.0.0) and, out of order, its two ReplicaSets plus
/// one that is not its own and one without a revision.
fn api(paused: bool) -> impl Fn(&Recorded) -> (u16, Value) + Send + 'static {
    move |r: &Recorded| match (r.method.as_str(), r.path.as_str()) {
        ("GET", DEPLOY_PATH) => (200, deployment(2, paused)),
        ("GET", RS_PATH) => (
            200,
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSetList", "metadata": {}, "items": [
                replica_set(Some(2), "2.0.0", "deploy-uid", 2),
                replica_set(Some(1), "1.0.0", "deploy-uid", 0),
                replica_set(Some(9), "9.9.9", "someone-else", 1),
                replica_set(None, "0.0.0", "deploy-uid", 0),
            ]}),
        ),
        ("PATCH", DEPLOY_PATH) => (200, deployment(3, paused)),
        _ => (404, status(404, "NotFound", "unexpected request")),
    }
}

#[tokio::test]
async fn history_lists_the_deployments_own_revisions_oldest_first() {
    let (client, task) = mock_client(2, api(false));
    let revisions = history(&client, "hello", "hello-hello-world")
        .await
        .unwrap();
    let seen = requests(task).await;
    assert_eq!(seen[0].path, DEPLOY_PATH);
    assert_eq!(seen[1].path, RS_PATH);
    assert!(
        seen[1].query.contains("labelSelector=app.kubernetes.io%2Finstance%3Dhello%2Capp.kubernetes.io%2Fname%3Dhello-world"),
        "{}",
        seen[1].query
    );

    let summary: Vec<_> = revisions
        .iter()
        .map(|r| (r.revision, r.image.as_deref(), r.replicas, r.current))
        .collect();
    assert_eq!(
        summary,
        [
            (1, Some("hello-world:1.0.0"), 0, false),
            (2, Some("hello-world:2.0.0"), 2, true)
        ]
    );
    let first = &revisions[0];
    assert_eq!(first.replica_set, "hello-hello-world-hash1.0.0");
    assert_eq!(first.config_checksum.as_deref(), Some("sum1.0.0"));
    assert_eq!(
        first.created.map(|t| t.to_string()).as_deref(),
        Some("2025-01-02T03:04:05Z")
    );
    let env: Vec<_> = first
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        env,
        [("PORT", "8080"), ("POD_NAME", "fieldRef: metadata.name")]
    );
    assert_eq!(revisions[1].ready_replicas, 2);
}

#[tokio::test]
async fn rollback_puts_the_old_template_back_without_its_hash_label() {
    let (client, task) = mock_client(3, api(false));
    let to = rollback(&client, "hello", "hello-hello-world", 1)
        .await
        .unwrap();
    assert_eq!(
        (to.revision, to.image.as_deref()),
        (1, Some("hello-world:1.0.0"))
    );
    let seen = requests(task).await;
    let patch = &seen[2];
    assert_eq!(
        (patch.method.as_str(), patch.path.as_str()),
        ("PATCH", DEPLOY_PATH)
    );
    assert_eq!(patch.content_type, "application/strategic-merge-patch+json");
    assert!(
        patch.query.contains("fieldManager=hello-k8s-portal"),
        "{}",
        patch.query
    );
    assert_eq!(
        patch.body,
        json!({"spec": {"template": {
            "$patch": "replace",
            "metadata": {"labels": selector(), "annotations": {"checksum/config": "sum1.0.0"}},
            "spec": {"containers": [{"name": "hello-world", "image": "hello-world:1.0.0",
                     "env": [{"name": "PORT", "value": "8080"},
                             {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}]}]}
        }}})
    );
}

#[tokio::test]
async fn rollback_to_an_unknown_revision_says_which_exist() {
    let (client, task) = mock_client(2, api(false));
    let err = rollback(&client, "hello", "hello-hello-world", 9)
        .await
        .unwrap_err();
    assert_eq!(requests(task).await.len(), 2, "no patch");
    assert!(
        matches!(err, Error::RevisionNotFound { revision: 9, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "리비전 9 이(가) 없습니다 (있는 리비전: 1, 2)"
    );
}

#[tokio::test]
async fn a_paused_deployment_is_not_rolled_back() {
    let (client, task) = mock_client(2, api(true));
    let err = rollback(&client, "hello", "hello-hello-world", 1)
        .await
        .unwrap_err();
    requests(task).await;
    assert!(err.to_string().contains("일시 정지(paused)"), "{err}");
}

#[tokio::test]
async fn history_of_a_missing_deployment_is_not_found() {
    let (client, task) = mock_client(1, |_| {
        (
            404,
            status(
                404,
                "NotFound",
                "deployments.apps \"hello-hello-world\" not found",
            ),
        )
    });
    let err = history(&client, "hello", "hello-hello-world")
        .await
        .unwrap_err();
    requests(task).await;
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "대상을 찾을 수 없습니다: deployments.apps \"hello-hello-world\" not found (Deployment hello/hello-hello-world 조회)"
    );
}
