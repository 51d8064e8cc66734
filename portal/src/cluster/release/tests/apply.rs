use serde_json::{Value, json};

use super::chart;
use crate::cluster::release::{install, render, uninstall, upgrade};
use crate::cluster::testing::{mock_client, requests, status};

/// Server-side apply answers with the applied object; echoing the body is enough here.
fn echo(r: &crate::cluster::testing::Recorded) -> (u16, Value) {
    (200, r.body.clone())
}

#[tokio::test]
async fn install_applies_every_object_in_order_as_the_portal() {
    let (values, meta) = chart(None);
    let rendered = render(&values, "hello", &meta);
    let (client, task) = mock_client(5, echo);
    install(&client, &rendered).await.unwrap();
    let seen = requests(task).await;

    let paths: Vec<&str> = seen.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/namespaces/hello",
            "/api/v1/namespaces/hello/configmaps/hello-hello-world-config",
            "/apis/apps/v1/namespaces/hello/deployments/hello-hello-world",
            "/api/v1/namespaces/hello/services/hello-hello-world",
            "/apis/networking.k8s.io/v1/namespaces/hello/ingresses/hello-hello-world",
        ]
    );
    for r in &seen {
        assert_eq!(r.method, "PATCH", "{}", r.path);
        assert!(
            r.query.contains("fieldManager=hello-k8s-portal"),
            "{}",
            r.query
        );
        assert!(r.query.contains("force=true"), "{}", r.query);
    }
    // The bodies are the rendered objects themselves (apiVersion and kind included).
    assert_eq!(
        seen[0].body,
        serde_json::to_value(&rendered.namespace).unwrap()
    );
    assert_eq!(
        seen[2].body,
        serde_json::to_value(&rendered.deployment).unwrap()
    );
    assert_eq!(seen[4].body["kind"], "Ingress");
}

#[tokio::test]
async fn upgrade_without_ingress_removes_the_old_one_and_tolerates_its_absence() {
    let (mut values, meta) = chart(None);
    values.ingress.enabled = false;
    values.image.tag = "2.0.0".into();
    let rendered = render(&values, "hello", &meta);
    let (client, task) = mock_client(5, |r| {
        if r.method == "DELETE" {
            (
                404,
                status(
                    404,
                    "NotFound",
                    "ingresses.networking.k8s.io \"hello-hello-world\" not found",
                ),
            )
        } else {
            echo(r)
        }
    });
    upgrade(&client, &rendered).await.unwrap();
    let seen = requests(task).await;
    assert_eq!(seen.iter().filter(|r| r.method == "PATCH").count(), 4);
    assert_eq!(
        seen[2].body["spec"]["template"]["spec"]["containers"][0]["image"],
        "hello-world:2.0.0"
    );
    assert_eq!(
        (seen[4].method.as_str(), seen[4].path.as_str()),
        (
            "DELETE",
            "/apis/networking.k8s.io/v1/namespaces/hello/ingresses/hello-hello-world"
        )
    );
}

#[tokio::test]
async fn applying_twice_sends_the_same_requests() {
    let (values, meta) = chart(None);
    let rendered = render(&values, "hello", &meta);
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (client, task) = mock_client(5, echo);
        install(&client, &rendered).await.unwrap();
        runs.push(
            requests(task)
                .await
                .into_iter()
                .map(|r| (r.path, r.query, r.body))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn a_failed_apply_stops_before_the_next_object() {
    let (values, meta) = chart(None);
    let rendered = render(&values, "hello", &meta);
    let (client, task) = mock_client(3, |r| {
        if r.path.contains("/deployments/") {
            (
                422,
                status(
                    422,
                    "Invalid",
                    "Deployment.apps \"hello-hello-world\" is invalid: spec.replicas: Invalid value: -1",
                ),
            )
        } else {
            echo(r)
        }
    });
    let err = install(&client, &rendered).await.unwrap_err();
    assert_eq!(
        requests(task).await.len(),
        3,
        "nothing after the Deployment"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "API 서버가 객체를 거부했습니다: Deployment.apps \"hello-hello-world\" is invalid"
        ),
        "{msg}"
    );
    assert!(
        msg.ends_with("(Deployment hello/hello-hello-world 적용)"),
        "{msg}"
    );
}

#[tokio::test]
async fn uninstall_deletes_in_reverse_and_tolerates_404() {
    let (_, meta) = chart(None);
    let (client, task) = mock_client(6, |r| {
        if r.path.contains("/ingresses/") || r.path.ends_with("-canary") {
            (404, status(404, "NotFound", "not found"))
        } else {
            (
                200,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 200}),
            )
        }
    });
    let deleted = uninstall(&client, "hello", "hello", &meta).await.unwrap();
    let seen = requests(task).await;
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            (
                "DELETE",
                "/apis/networking.k8s.io/v1/namespaces/hello/ingresses/hello-hello-world"
            ),
            (
                "DELETE",
                "/api/v1/namespaces/hello/services/hello-hello-world"
            ),
            (
                "DELETE",
                "/apis/apps/v1/namespaces/hello/deployments/hello-hello-world-canary"
            ),
            (
                "DELETE",
                "/apis/apps/v1/namespaces/hello/deployments/hello-hello-world"
            ),
            (
                "DELETE",
                "/api/v1/namespaces/hello/configmaps/hello-hello-world-config"
            ),
            ("DELETE", "/api/v1/namespaces/hello"),
        ]
    );
    assert_eq!(seen[3].body["propagationPolicy"], "Background");
    assert_eq!(
        deleted,
        [
            "Service/hello-hello-world",
            "Deployment/hello-hello-world",
            "ConfigMap/hello-hello-world-config",
            "Namespace/hello"
        ]
    );
}

#[tokio::test]
async fn uninstall_of_nothing_is_fine() {
    let (_, meta) = chart(None);
    let (client, task) = mock_client(6, |_| (404, status(404, "NotFound", "not found")));
    assert!(
        uninstall(&client, "hello", "hello", &meta)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(requests(task).await.len(), 6);
}
