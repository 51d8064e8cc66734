//! The foundation proof on the real local cluster: the lessons' Helm workflow —
//! install, reach the service, upgrade to 2.0.0, roll back, uninstall — works here.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::{Duration, Instant};

use e2e::{Tools, chart_dir, wait_for};
use serde_json::Value;

const NS: &str = "hello";
const SVC: &str = "hello-hello-world";
const SELECTOR: &str = "app.kubernetes.io/name=hello-world,app.kubernetes.io/instance=hello";

fn ready_pods() -> Vec<String> {
    e2e::ready_pods(NS, SELECTOR)
        .unwrap()
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_owned))
        .collect()
}

/// `GET path` through the API server's service proxy, parsed.
fn via_proxy(path: &str) -> Value {
    serde_json::from_str(&Tools.service_proxy(NS, SVC, 80, path).unwrap()).unwrap()
}

/// `GET path` straight to the ClusterIP from this host, as kube-proxy routes it.
fn via_cluster_ip(ip: &str, path: &str) -> Option<Value> {
    let out = e2e::run(
        "curl",
        &["-s", "--max-time", "5", &format!("http://{ip}{path}")],
        None,
    )
    .ok()?;
    serde_json::from_str(&out).ok()
}

/// Waits until every answer through the Service says `message`/`version`.
fn wait_for_answers(message: &str, version: &str) {
    wait_for(
        &format!("{message} {version} from every pod"),
        Duration::from_secs(180),
        || {
            let all = (0..8).all(|_| {
                let v = via_proxy("/");
                v["message"] == message && v["version"] == version
            });
            all.then_some(())
        },
    )
    .unwrap();
}

fn rollout_done() {
    Tools
        .kubectl(&[
            "rollout",
            "status",
            "deployment/hello-hello-world",
            "-n",
            NS,
            "--timeout=180s",
        ])
        .unwrap();
}

#[test]
#[ignore = "needs the local cluster: ./dev.sh test"]
fn install_reach_upgrade_rollback_uninstall() {
    let chart = chart_dir();
    let chart = chart.to_str().unwrap();
    let _ = Tools.helm(&["uninstall", "hello", "--wait", "--timeout", "180s"]);
    wait_for("no leftover namespace", Duration::from_secs(180), || {
        Tools
            .kubectl(&["get", "namespace", NS])
            .is_err()
            .then_some(())
    })
    .unwrap();

    // Install: two pods Ready within 120 s.
    let started = Instant::now();
    Tools.helm(&["install", "hello", chart]).unwrap();
    let pods = wait_for("2/2 pods Ready", Duration::from_secs(120), || {
        let ready = ready_pods();
        (ready.len() == 2).then_some(ready)
    })
    .unwrap();
    eprintln!(
        "[measure] helm install → 2/2 Ready: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The same answer through the ClusterIP (from the host) and the API server proxy.
    let ip = Tools
        .kubectl(&[
            "get",
            "svc",
            SVC,
            "-n",
            NS,
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .unwrap();
    let expected = serde_json::json!({ "message": "Hello World", "version": "1.0.0" });
    let direct = wait_for("ClusterIP answers", Duration::from_secs(30), || {
        via_cluster_ip(&ip, "/")
    })
    .unwrap();
    assert_eq!(direct, expected);
    assert_eq!(via_proxy("/"), expected);

    let info = via_proxy("/info");
    assert_eq!(info["app_env"], "production");
    assert_eq!(info["app_version"], "1.0.0");
    assert!(
        pods.iter().any(|p| info["pod_name"] == p.as_str()),
        "{info} not from {pods:?}"
    );

    // Upgrade to 2.0.0: a real code change, rolled out.
    Tools
        .helm(&[
            "upgrade",
            "hello",
            chart,
            "--set",
            "image.tag=2.0.0",
            "--set",
            "app.version=2.0.0",
        ])
        .unwrap();
    rollout_done();
    wait_for_answers("Hello World v2", "2.0.0");
    let history = Tools.helm(&["history", "hello", "-o", "json"]).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&history)
            .unwrap()
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // Roll back to revision 1.
    Tools.helm(&["rollback", "hello", "1"]).unwrap();
    rollout_done();
    wait_for_answers("Hello World", "1.0.0");

    // Uninstall leaves nothing behind: the namespace the chart made goes too.
    let started = Instant::now();
    Tools
        .helm(&["uninstall", "hello", "--wait", "--timeout", "180s"])
        .unwrap();
    wait_for("namespace hello removed", Duration::from_secs(180), || {
        Tools
            .kubectl(&["get", "namespace", NS])
            .is_err()
            .then_some(())
    })
    .unwrap();
    eprintln!(
        "[measure] helm uninstall → namespace gone: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let leftovers = Tools
        .kubectl(&[
            "get",
            "all,configmap,ingress",
            // Only this release's namespace: other tests keep their own releases elsewhere.
            "-n",
            NS,
            "-l",
            "app.kubernetes.io/instance=hello",
            "-o",
            "name",
        ])
        .unwrap();
    assert!(leftovers.trim().is_empty(), "left behind: {leftovers}");
    assert!(
        Tools.helm(&["status", "hello"]).is_err(),
        "the release is gone"
    );
}
