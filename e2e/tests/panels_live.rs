//! The live panels on the local cluster, in Chromium, with no reload anywhere: install
//! from the page → 2/2 Ready; a pod deleted with kubectl → Terminating, its replacement,
//! Endpoints changing; an upgrade to debug and a request whose log line arrives; a
//! rollback; the API server stopped and restarted → "reconnecting", then correct again;
//! uninstall empties the panels. Screenshots in e2e/.work/screenshots/panels-*.png.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;
use std::time::Duration;

use e2e::browser::{Driver, click, eventually, js, save_screenshot};
use e2e::portal::Portal;
use e2e::{Tools, repo_root};
use serde_json::Value;

/// A namespace of its own, so this test never touches the lessons' `hello`.
const NS: &str = "hello-panels";
const SECS: fn(u64) -> Duration = Duration::from_secs;

fn pods_ready(n: usize) -> String {
    format!(
        "document.querySelectorAll('[data-panel=pods] tr[data-ready=\"1/1\"][data-status=Running]').length === {n}"
    )
}

fn ready_ips(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

const READY_IPS: &str = "return [...document.querySelectorAll('[data-panel=endpoints] .ep-ready')].map(e => e.dataset.ip);";

/// Kills the API server outright (SIGTERM would let it drain its watches for minutes)
/// and waits until the process is gone.
fn stop_api_server() {
    // The cluster's state folder, as e2e/cluster/lib.sh picks it.
    let state = std::env::var("HK_STATE").unwrap_or_else(|_| "/var/lib/hello-k8s".into());
    let pid = std::fs::read_to_string(format!("{state}/run/kube-apiserver.pid")).unwrap();
    let pid = pid.trim();
    let killed = Command::new("kill").args(["-KILL", pid]).status().unwrap();
    assert!(killed.success());
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
    });
    assert!(gone, "the API server did not exit");
}

fn start_api_server_again() {
    let up = repo_root().join("e2e/cluster/up.sh");
    let status = Command::new("bash")
        .arg(up)
        .env("HK_SKIP_IMAGE_BUILD", "1")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "up.sh could not restart the API server");
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn the_panels_follow_the_cluster_live() {
    let _ = Tools.kubectl(&[
        "delete",
        "namespace",
        NS,
        "--ignore-not-found",
        "--wait=true",
        "--timeout=180s",
    ]);
    let db = std::env::temp_dir().join(format!("hk-panels-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let portal = Portal::start(db, &[("PORTAL_NAMESPACE", NS)]);
    let driver = Driver::start();
    let c = driver.browser("panels").await;
    c.goto(&portal.url("/cluster")).await.unwrap();

    // Live, with the node and both images seen.
    eventually(
        &c,
        "pods panel live",
        "document.querySelector('[data-panel=pods] [data-live]')?.dataset.live === 'live'",
        SECS(20),
    )
    .await;
    eventually(
        &c,
        "node ready",
        "document.querySelector('[data-node-ready=true]')",
        SECS(20),
    )
    .await;
    eventually(
        &c,
        "image 1.0.0",
        "document.querySelector('[data-image=\"1.0.0\"][data-present=true]')",
        SECS(5),
    )
    .await;
    eventually(
        &c,
        "header chip",
        "document.querySelector('.cluster-chip[data-cluster=on]')",
        SECS(5),
    )
    .await;
    // A session exists once the page is alive (the visit is recorded by an island).
    c.goto(&portal.url("/lessons/1-4")).await.unwrap();
    eventually(
        &c,
        "lesson pods panel",
        "document.querySelector('[data-panel=pods] [data-live=live]')",
        SECS(20),
    )
    .await;
    c.goto(&portal.url("/cluster")).await.unwrap();
    eventually(
        &c,
        "release panel live",
        "document.querySelector('[data-panel=release] [data-live=live]')",
        SECS(20),
    )
    .await;

    // 설치 → two pods Ready, pushed (no reload).
    click(&c, "[data-action=install]").await;
    let took = eventually(&c, "2/2 Ready", &pods_ready(2), SECS(180)).await;
    eprintln!(
        "[panels] 설치 클릭 → 파드 2/2 Ready: {:.1} s",
        took.as_secs_f64()
    );
    eventually(
        &c,
        "endpoints 2 ready",
        "document.querySelector('[data-panel=endpoints] [data-endpoints]')?.dataset.ready === '2'",
        SECS(30),
    )
    .await;
    eventually(
        &c,
        "tree with 2 pods",
        "document.querySelectorAll('[data-panel=tree] .tree-pod').length === 2",
        SECS(10),
    )
    .await;
    // The scheduler's and kubelet's events, and `kubectl top` from the kubelet.
    eventually(
        &c,
        "events",
        "[...document.querySelectorAll('[data-panel=events] tr[data-reason]')].some(r => r.dataset.reason === 'Scheduled')",
        SECS(30),
    )
    .await;
    let took = eventually(
        &c,
        "usage of both pods",
        "[...document.querySelectorAll('[data-panel=usage] tr[data-pod]')].filter(r => +r.dataset.memory > 0).length === 2",
        SECS(90),
    )
    .await;
    eprintln!(
        "[panels] 사용량 패널에 두 파드: {:.1} s",
        took.as_secs_f64()
    );
    save_screenshot(&c, "panels-01-installed").await;
    // One pod's log as a download (`kubectl logs --tail`).
    let first = js(
        &c,
        "return document.querySelector('[data-panel=pods] tr[data-pod]').dataset.pod;",
    )
    .await;
    let first = first.as_str().unwrap().to_owned();
    let download = c
        .execute_async(
            &format!("const done = arguments[0]; fetch('/api/logs?pod={first}&tail=5').then(r => r.text().then(t => done([r.status, t])));"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(download[0], 200, "log download: {download}");
    assert!(
        download[1].as_str().unwrap().contains("\"level\""),
        "JSON log lines: {download}"
    );
    let refused = c
        .execute_async(
            "const done = arguments[0]; fetch('/api/logs?pod=kube-apiserver&tail=5').then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused, 400, "a pod outside the release is refused");

    // A pod deleted behind the portal's back: Terminating, replaced, Endpoints change.
    let before = ready_ips(&js(&c, READY_IPS).await);
    let victim = Tools
        .kubectl(&[
            "get",
            "pods",
            "-n",
            NS,
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .unwrap();
    Tools
        .kubectl(&["delete", "pod", &victim, "-n", NS, "--wait=false"])
        .unwrap();
    let sel = format!("[data-panel=pods] tr[data-pod=\"{victim}\"]");
    eventually(
        &c,
        "victim terminating",
        &format!("document.querySelector('{sel}')?.dataset.status === 'Terminating'"),
        SECS(20),
    )
    .await;
    eventually(
        &c,
        "replacement arrives",
        "document.querySelectorAll('[data-panel=pods] tr[data-pod]').length === 3",
        SECS(30),
    )
    .await;
    save_screenshot(&c, "panels-02-terminating").await;
    let changed = format!(
        "JSON.stringify([...document.querySelectorAll('[data-panel=endpoints] .ep-ready')].map(e => e.dataset.ip)) !== '{}'",
        serde_json::to_string(&before).unwrap()
    );
    eventually(&c, "endpoints changed", &changed, SECS(30)).await;
    eventually(
        &c,
        "victim gone",
        &format!("!document.querySelector('{sel}')"),
        SECS(90),
    )
    .await;
    eventually(&c, "2/2 again", &pods_ready(2), SECS(90)).await;

    // Upgrade to debug from the form: the pods roll (config checksum), revision 2.
    js(
        &c,
        "document.querySelector('[data-panel=release] details.upgrade').open = true; return true;",
    )
    .await;
    eventually(
        &c,
        "upgrade form",
        "document.querySelector('[data-field=log-level]')",
        SECS(10),
    )
    .await;
    js(&c, "const s = document.querySelector('[data-field=log-level]'); s.value = 'debug'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;").await;
    click(&c, "[data-action=upgrade]").await;
    eventually(
        &c,
        "upgrade ok",
        "document.querySelector('[data-panel=release] [data-result=ok]')",
        SECS(30),
    )
    .await;
    eventually(&c, "revision 2 current", "document.querySelector('[data-panel=history] tr[data-current=true]')?.dataset.revision === '2'", SECS(30)).await;
    eventually(
        &c,
        "rolled",
        "document.querySelectorAll('[data-panel=tree] .tree-rs').length === 2",
        SECS(30),
    )
    .await;
    eventually(
        &c,
        "2/2 after upgrade",
        &format!(
            "{} && document.querySelectorAll('[data-panel=pods] tr[data-pod]').length === 2",
            pods_ready(2)
        ),
        SECS(180),
    )
    .await;

    // The request tester's request shows up as the answering pod's debug log line.
    click(&c, "[data-panel=requests] [data-action=send]").await;
    eventually(
        &c,
        "answer 200",
        "document.querySelector('.request-results li[data-status=\"200\"]')",
        SECS(20),
    )
    .await;
    let pod = js(
        &c,
        "return document.querySelector('.request-results li[data-status=\"200\"]').dataset.pod;",
    )
    .await;
    let pod = pod.as_str().unwrap().to_owned();
    assert!(
        pod.starts_with("hello-hello-world-"),
        "the answer names its pod: {pod}"
    );
    let line = format!(
        "[...document.querySelectorAll('.log-line[data-pod=\"{pod}\"]')].some(l => l.textContent.includes('path=/ status=200'))"
    );
    let took = eventually(&c, "request log line", &line, SECS(20)).await;
    eprintln!(
        "[panels] 요청 → 로그 패널에 줄 도착: {:.1} s",
        took.as_secs_f64()
    );
    save_screenshot(&c, "panels-03-request-log").await;

    // Rollback to revision 1 from the history view.
    click(
        &c,
        "[data-panel=history] tr[data-revision=\"1\"] [data-action=rollback]",
    )
    .await;
    eventually(&c, "revision 3 current", "document.querySelector('[data-panel=history] tr[data-current=true]')?.dataset.revision === '3'", SECS(30)).await;
    eventually(
        &c,
        "2/2 after rollback",
        &format!(
            "{} && document.querySelectorAll('[data-panel=pods] tr[data-pod]').length === 2",
            pods_ready(2)
        ),
        SECS(180),
    )
    .await;

    // The API server goes away: the panels say so, then recover with the right state.
    stop_api_server();
    eventually(
        &c,
        "reconnecting",
        "document.querySelector('[data-panel=pods] [data-live=reconnecting]')",
        SECS(60),
    )
    .await;
    save_screenshot(&c, "panels-04-reconnecting").await;
    start_api_server_again();
    let took = eventually(
        &c,
        "live again",
        "document.querySelector('[data-panel=pods] [data-live=live]')",
        SECS(120),
    )
    .await;
    eprintln!(
        "[panels] API 서버 재시작 → 패널 다시 실시간: {:.1} s",
        took.as_secs_f64()
    );
    eventually(&c, "state right after reconnect", &pods_ready(2), SECS(60)).await;

    // 제거 (with confirmation) empties the panels.
    click(&c, "[data-action=uninstall]").await;
    click(&c, "[data-action=uninstall-confirm]").await;
    eventually(
        &c,
        "no pods",
        "document.querySelectorAll('[data-panel=pods] tr[data-pod]').length === 0",
        SECS(180),
    )
    .await;
    eventually(
        &c,
        "no deployment",
        "document.querySelector('[data-panel=release] [data-release-state=absent]')",
        SECS(30),
    )
    .await;
    save_screenshot(&c, "panels-05-uninstalled").await;
    let _ = Tools.kubectl(&[
        "delete",
        "namespace",
        NS,
        "--ignore-not-found",
        "--wait=false",
    ]);
}
