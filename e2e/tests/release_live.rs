//! The portal's release layer on the real local cluster, the lessons' helm workflow
//! without helm: install → upgrade to 2.0.0 → history → rollback → uninstall. It uses
//! its own namespace so it can run next to the helm tests (which use `hello`).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use e2e::{Tools, chart_dir, wait_for};
use portal::cluster::images::available_tags;
use portal::cluster::release::{history, install, render, rollback, uninstall, upgrade};
use portal::cluster::values::{ChartMeta, Overrides, Values};
use portal::cluster::{ClusterInfo, connect};

const NS: &str = "hk-release-test";
const DEPLOY: &str = "hello-hello-world";
const SELECTOR: &str = "app.kubernetes.io/name=hello-world,app.kubernetes.io/instance=hello";

fn namespace_gone() {
    wait_for(
        "namespace hk-release-test gone",
        Duration::from_secs(180),
        || {
            Tools
                .kubectl(&["get", "namespace", NS])
                .is_err()
                .then_some(())
        },
    )
    .expect("the namespace should go away");
}

fn rolled_out() {
    Tools
        .kubectl(&[
            "rollout",
            "status",
            &format!("deployment/{DEPLOY}"),
            "-n",
            NS,
            "--timeout=180s",
        ])
        .expect("kubectl rollout status");
}

/// The images of the pods that are Ready and not on their way out.
fn ready_pod_images() -> Vec<String> {
    e2e::ready_pods(NS, SELECTOR)
        .expect("kubectl get pods")
        .iter()
        .filter_map(|p| {
            p["spec"]["containers"][0]["image"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn wait_for_ready_pods(count: usize, image: &str) {
    wait_for(
        &format!("{count} Ready pods of {image}"),
        Duration::from_secs(180),
        || {
            let images = ready_pod_images();
            (images.len() == count && images.iter().all(|i| i == image)).then_some(())
        },
    )
    .expect("pods should become Ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the local cluster: ./dev.sh test"]
async fn install_upgrade_history_rollback_uninstall() {
    let (
        client,
        ClusterInfo {
            context,
            server_version,
        },
    ) = connect().await.unwrap();
    assert!(server_version.starts_with("v1."), "{server_version}");
    assert!(
        context.is_some(),
        "the local cluster comes from a kubeconfig"
    );

    let meta = ChartMeta::load(&chart_dir()).unwrap();
    let mut values = Values::load(&chart_dir(), &[]).unwrap();
    values.namespace = NS.into();
    uninstall(&client, NS, "hello", &meta).await.unwrap();
    namespace_gone();

    // helm install
    install(&client, &render(&values, "hello", &meta))
        .await
        .unwrap();
    rolled_out();
    wait_for_ready_pods(2, "hello-world:1.0.0");
    // Installing again changes nothing: the history below would show a third revision.
    install(&client, &render(&values, "hello", &meta))
        .await
        .unwrap();
    let cm = Tools
        .kubectl_json(&[
            "get",
            "configmap",
            "hello-hello-world-config",
            "-n",
            NS,
            "-o",
            "json",
            "--show-managed-fields",
        ])
        .unwrap();
    assert_eq!(cm["data"]["LOG_LEVEL"], "info");
    let managers = cm["metadata"]["managedFields"].to_string();
    assert!(managers.contains("hello-k8s-portal"), "{managers}");

    // helm upgrade --set image.tag=2.0.0 --set app.version=2.0.0, with the node's tags
    let tags = available_tags(&client, &values.image.repository)
        .await
        .unwrap();
    assert!(tags.contains(&"2.0.0".to_owned()), "{tags:?}");
    let v2 = Overrides {
        image_tag: Some("2.0.0".into()),
        app_version: Some("2.0.0".into()),
        ..Default::default()
    };
    let v2 = values.with_overrides(&v2, &tags).unwrap();
    upgrade(&client, &render(&v2, "hello", &meta))
        .await
        .unwrap();
    rolled_out();
    wait_for_ready_pods(2, "hello-world:2.0.0");

    // helm history
    let revisions = history(&client, NS, DEPLOY).await.unwrap();
    let summary: Vec<_> = revisions
        .iter()
        .map(|r| (r.revision, r.image.clone().unwrap_or_default(), r.current))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "hello-world:1.0.0".to_owned(), false),
            (2, "hello-world:2.0.0".to_owned(), true)
        ]
    );
    assert_ne!(
        revisions[0].config_checksum, revisions[1].config_checksum,
        "APP_VERSION changed"
    );
    assert!(revisions.iter().all(|r| r.created.is_some()));

    // helm rollback hello 1
    let err = rollback(&client, NS, DEPLOY, 7).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "리비전 7 이(가) 없습니다 (있는 리비전: 1, 2)"
    );
    let back = rollback(&client, NS, DEPLOY, 1).await.unwrap();
    assert_eq!(back.image.as_deref(), Some("hello-world:1.0.0"));
    rolled_out();
    wait_for_ready_pods(2, "hello-world:1.0.0");
    let image = Tools
        .kubectl(&[
            "get",
            "deployment",
            DEPLOY,
            "-n",
            NS,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
        .unwrap();
    assert_eq!(image, "hello-world:1.0.0");
    // As with `kubectl rollout undo`, the old template comes back as a new revision.
    let revisions = history(&client, NS, DEPLOY).await.unwrap();
    let current: Vec<_> = revisions
        .iter()
        .filter(|r| r.current)
        .map(|r| (r.revision, r.image.clone()))
        .collect();
    assert_eq!(current, [(3, Some("hello-world:1.0.0".to_owned()))]);

    // helm uninstall
    let deleted = uninstall(&client, NS, "hello", &meta).await.unwrap();
    assert_eq!(deleted.len(), 5, "{deleted:?}");
    namespace_gone();
}
