//! The portal as a pod of the local cluster: its image built with buildah (cached by its
//! inputs) and imported into containerd, installed with its own chart into `portal-system`
//! (learner namespace `hello-incluster`, SQLite on a hostPath PV), then reached from the
//! host through its Service's ClusterIP: /healthz, /readyz, a Korean lesson page, a live
//! `nodes` snapshot over SSE from inside the cluster, RBAC as the chart grants it, and in
//! Chromium the header chip, then the learner release installed and removed from the page
//! (which uses every write the chart grants); then the chart upgraded to workshop mode
//! (`incluster/workshop.rs`). Prints the time of each phase.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // a failed unwrap is a failed test

use std::time::{Duration, Instant};

use e2e::browser::{Driver, click, eventually, js, save_screenshot};
use e2e::{Tools, ready_pods, repo_root, run, wait_for};

mod incluster;
use incluster::{can, sse_until};

pub const NS: &str = "portal-system";
const LEARNER_NS: &str = "hello-incluster";
pub const RELEASE: &str = "hello-k8s-portal";
const SELECTOR: &str = "app.kubernetes.io/instance=hello-k8s-portal";
/// Under the cluster's state, so `down.sh --purge` takes it too.
const DATA_DIR: &str = "/var/lib/hello-k8s/portal-data";
const UID: u32 = 10001;
/// Single-learner mode in a pod listens on 0.0.0.0: changes need this token.
const ACCESS: &str = "incluster-access-token";

/// Uninstalls the release however the test ends (the namespace stays: deleting it is slow).
struct Release;

impl Drop for Release {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let logs = Tools.kubectl(&["logs", "-n", NS, "-l", SELECTOR, "--tail=40"]);
            eprintln!("[incluster] 포털 로그:\n{}", logs.unwrap_or_default());
        }
        let _ = Tools.helm(&["uninstall", RELEASE, "-n", NS, "--wait", "--timeout=120s"]);
    }
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

#[tokio::test]
#[ignore = "needs the local cluster, buildah, Chromium: ./dev.sh test"]
async fn the_portal_runs_inside_the_cluster() {
    let total = Instant::now();

    // Image: built only when its inputs changed, imported when containerd lacks it.
    let started = Instant::now();
    // The same server binary the other tests run (no second, release build of the tree).
    let bin = format!("HK_PORTAL_BIN={}", e2e::portal::binary().display());
    let out = run(
        "env",
        &[&bin, "bash", "deploy/images/build.sh", "portal"],
        None,
    )
    .unwrap();
    eprint!("{out}");
    eprintln!("[incluster] 이미지 빌드/가져오기: {:.1} s", secs(started));

    // The hostPath PV's folder, owned by the image's user (hostPath gets no fsGroup).
    std::fs::create_dir_all(DATA_DIR).unwrap();
    std::os::unix::fs::chown(DATA_DIR, Some(UID), Some(UID)).unwrap();

    let started = Instant::now();
    let chart = repo_root().join("deploy/portal");
    let namespace = format!("portal.namespace={LEARNER_NS}");
    let data = format!("persistence.hostPath={DATA_DIR}");
    Tools
        .helm(&[
            "upgrade",
            "--install",
            RELEASE,
            chart.to_str().unwrap(),
            "-n",
            NS,
            "--create-namespace",
            "--set",
            &namespace,
            "--set",
            &data,
            "--set",
            "image.pullPolicy=Never",
            "--set",
            &format!("portal.accessToken={ACCESS}"),
        ])
        .unwrap();
    let _release = Release;
    let pod = wait_for("the portal pod Ready", Duration::from_secs(180), || {
        ready_pods(NS, SELECTOR).ok()?.into_iter().next()
    })
    .unwrap();
    eprintln!(
        "[incluster] helm install → 파드 Ready: {:.1} s",
        secs(started)
    );

    // Non-root on a read-only root filesystem, talking to the API through the Service env.
    let name = pod["metadata"]["name"].as_str().unwrap().to_owned();
    let exec = |cmd: &[&str]| {
        let mut args = vec!["exec", "-n", NS, name.as_str(), "--"];
        args.extend_from_slice(cmd);
        Tools.kubectl(&args)
    };
    assert_eq!(exec(&["id", "-u"]).unwrap().trim(), UID.to_string());
    assert!(
        exec(&["touch", "/app/x"]).is_err(),
        "the root filesystem is read-only"
    );
    let env = exec(&["env"]).unwrap();
    let api = Tools
        .kubectl(&[
            "get",
            "svc",
            "kubernetes",
            "-n",
            "default",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .unwrap();
    assert!(
        env.contains(&format!("KUBERNETES_SERVICE_HOST={api}")),
        "{env}"
    );
    assert!(!env.contains("KUBECONFIG"), "in-cluster config only: {env}");

    // From the host through the Service (kube-proxy), as a browser on the node would.
    let ip = Tools
        .kubectl(&[
            "get",
            "svc",
            RELEASE,
            "-n",
            NS,
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .unwrap();
    // Port 80 left implicit: the browser's Origin must equal the Host the portal sees.
    let base = format!("http://{}", ip.trim());
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let request = http.get(format!("{base}{path}"));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    // A Ready pod is not yet a reachable Service: until kube-proxy has the new endpoint
    // (seconds on a busy node) the ClusterIP answers "connection refused".
    let started = Instant::now();
    let routed = async {
        while started.elapsed() < Duration::from_secs(60) {
            if http.get(format!("{base}/healthz")).send().await.is_ok() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        false
    };
    assert!(
        routed.await,
        "the Service did not route to the portal within 60 s"
    );
    eprintln!(
        "[incluster] Ready → Service 가 연결됨: {:.1} s",
        secs(started)
    );
    let started = Instant::now();
    let (status, page) = get("/lessons/1-1").await;
    eprintln!("[incluster] 첫 레슨 페이지: {:.3} s", secs(started));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(r#"<html lang="ko""#), "Korean HTML");
    assert!(page.contains("환경 준비"), "the lesson's title");
    assert_eq!(get("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(get("/readyz").await, (200, "ok".to_owned()));
    // The API server's service proxy reaches it as well.
    let proxied = Tools.service_proxy(NS, RELEASE, 80, "/readyz").unwrap();
    assert_eq!(proxied.trim(), "ok");

    // Live from inside the cluster: the node in a snapshot, and the learner namespace's
    // pods watch live (the namespaced grants work).
    let node = Tools
        .kubectl(&["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])
        .unwrap();
    let started = Instant::now();
    let url = format!("{base}/api/live?topics=nodes,pods");
    let snapshot = sse_until(&url, None, Duration::from_secs(60), |m| {
        m["snapshot"]["topic"] == "nodes" && m.to_string().contains(&format!("\"{node}\""))
    })
    .await;
    eprintln!("[incluster] SSE nodes 스냅숏: {:.1} s", secs(started));
    assert!(snapshot.to_string().contains("\"cluster\""), "{snapshot}");
    sse_until(&url, None, Duration::from_secs(30), |m| {
        m["state"]["topic"] == "pods" && m["state"]["state"] == "live"
    })
    .await;

    // RBAC: what single-learner mode needs, and nothing past it.
    assert!(can(&["watch", "pods"], LEARNER_NS));
    assert!(can(&["get", "pods/log"], LEARNER_NS));
    assert!(can(&["patch", "deployments/hello-hello-world"], LEARNER_NS));
    assert!(can(
        &["delete", "configmaps/hello-hello-world-config"],
        LEARNER_NS
    ));
    assert!(can(&["create", "namespaces/hello-incluster"], LEARNER_NS));
    assert!(!can(&["create", "namespaces/another"], LEARNER_NS));
    assert!(can(&["get", "nodes/proxy"], LEARNER_NS));
    assert!(!can(&["get", "secrets"], LEARNER_NS), "no secrets");
    assert!(!can(&["delete", "namespaces/kube-system"], LEARNER_NS));
    assert!(!can(&["patch", "deployments/coredns"], "kube-system"));
    assert!(!can(&["create", "pods"], LEARNER_NS));

    // In Chromium: the header chip says the portal drives the cluster from inside.
    let driver = Driver::start();
    let c = driver.browser("incluster").await;
    let started = Instant::now();
    c.goto(&format!("{base}/cluster")).await.unwrap();
    eventually(
        &c,
        "chip on",
        "document.querySelector('.cluster-chip[data-cluster=on]')",
        Duration::from_secs(30),
    )
    .await;
    eventually(
        &c,
        "node ready",
        "document.querySelector('[data-node-ready=true]')",
        Duration::from_secs(30),
    )
    .await;
    eprintln!(
        "[incluster] 브라우저: 칩 on, 노드 Ready: {:.1} s",
        secs(started)
    );
    let chip = js(
        &c,
        "return document.querySelector('.cluster-chip').textContent;",
    )
    .await;
    assert!(
        chip.as_str().unwrap().contains("클러스터 내부"),
        "in-cluster config, no kubeconfig context: {chip}"
    );
    save_screenshot(&c, "incluster-cluster").await;

    // 설치 → 2/2 Ready → 제거, from the portal in the pod, as its ServiceAccount. Changes
    // need a session that gave the access token: opened once with `?access=`, which the
    // portal takes off the address.
    let refused = c
        .execute_async(
            "const done = arguments[0]; fetch('/api/release-install', { method: 'POST' }).then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused, 401, "no change without the access token");
    c.goto(&format!("{base}/lessons/1-4?access={ACCESS}"))
        .await
        .unwrap();
    assert_eq!(
        c.current_url().await.unwrap().query(),
        None,
        "the token is taken off the address"
    );
    eventually(
        &c,
        "lesson pods panel",
        "document.querySelector('[data-panel=pods] [data-live=live]')",
        Duration::from_secs(30),
    )
    .await;
    c.goto(&format!("{base}/cluster")).await.unwrap();
    eventually(
        &c,
        "release panel live",
        "document.querySelector('[data-panel=release] [data-live=live]')",
        Duration::from_secs(30),
    )
    .await;
    let started = Instant::now();
    click(&c, "[data-action=install]").await;
    eventually(
        &c,
        "2/2 Ready",
        "document.querySelectorAll('[data-panel=pods] tr[data-ready=\"1/1\"][data-status=Running]').length === 2",
        Duration::from_secs(180),
    )
    .await;
    eprintln!(
        "[incluster] 포털에서 설치 → 파드 2/2 Ready: {:.1} s",
        secs(started)
    );
    save_screenshot(&c, "incluster-installed").await;
    click(&c, "[data-action=uninstall]").await;
    click(&c, "[data-action=uninstall-confirm]").await;
    eventually(
        &c,
        "release gone",
        "document.querySelector('[data-panel=release] [data-release-state=absent]')",
        Duration::from_secs(120),
    )
    .await;

    // The same chart in workshop mode: learner namespaces made and watched in the cluster.
    incluster::workshop::check(&base, &chart).await;
    eprintln!("[incluster] 합계: {:.1} s", secs(total));
}
