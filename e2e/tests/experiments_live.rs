//! The Part 3 experiments on the local cluster, in Chromium: each is started with its
//! button, followed to its verdict on the page, and its measured facts are checked.
//! Screenshots in e2e/.work/screenshots/experiment-*.png.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod experiments;

use std::time::Duration;

use e2e::browser::{eventually, js};
use e2e::portal::Portal;
use experiments::{NS, goto, open, passed, post, run};

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn configmap_rolls_the_pods_and_a_configmap_edit_alone_does_not() {
    let b = open("3-1", "configmap").await;
    let r = run(&b.c, "configmap", "").await;
    passed(&r, "3-1 LOG_LEVEL=debug");
    let (debug, all) = r.ratio("pods_reporting");
    assert!(
        all >= 2 && debug == all,
        "every pod reports debug: {debug}/{all}"
    );
    assert_eq!(r.figure("pods_replaced"), format!("{all}/{all}"));
    assert!(r.number("debug_lines") >= 1.0);

    let r = run(&b.c, "configmap", "dev").await;
    passed(&r, "3-1 values-dev.yaml");
    assert_eq!(
        r.figure("pods_reporting"),
        "1/1",
        "values-dev has one replica"
    );
    let r = run(&b.c, "configmap", "prod").await;
    passed(&r, "3-1 values-prod.yaml");
    assert_eq!(
        r.figure("pods_reporting"),
        "3/3",
        "values-prod has three replicas"
    );

    let r = run(&b.c, "configmap", "configmap-only").await;
    passed(&r, "3-1 ConfigMap only");
    assert_eq!(r.figure("pods_restarted"), "0");
    assert_eq!(r.figure("pods_old_value"), "2/2");
    b.portal.stop();
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn readiness_takes_a_pod_out_of_the_endpoints_and_back() {
    let b = open("3-2", "readiness").await;
    let r = run(&b.c, "readiness", "").await;
    passed(&r, "3-2 readiness");
    let left = r.number("endpoint_removed_s");
    assert!(
        (10.0..=30.0).contains(&left),
        "left the Endpoints after {left} s"
    );
    assert!(r.number("endpoint_returned_s") <= 30.0);
    assert_eq!(r.figure("errors"), "0", "no request failed");
    let (other, window) = r.ratio("answered_by_other");
    assert!(
        window > 0 && other == window,
        "the other pod answered {other}/{window}"
    );

    let r = run(&b.c, "readiness", "one-replica").await;
    passed(&r, "3-2 one replica");
    let (failed, window) = r.ratio("failed_while_none_ready");
    assert!(
        window > 0 && failed == window,
        "with no ready pod every request failed: {failed}/{window}"
    );
    b.portal.stop();
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn resources_throttle_cpu_and_oomkill_past_the_memory_limit() {
    let b = open("3-3", "resources").await;
    let r = run(&b.c, "resources", "").await;
    passed(&r, "3-3 resources");
    assert_eq!(r.figure("cpu_limit"), "250m");
    assert_eq!(r.figure("memory_limit"), "256Mi");
    assert!(
        r.number("cpu_share") <= 0.4,
        "throttled: {}",
        r.figure("cpu_share")
    );
    assert_eq!(r.figure("last_reason"), "OOMKilled");
    assert!(
        r.figure("restarts").ends_with('1') || r.figure("restarts").contains("→"),
        "restarted: {}",
        r.figure("restarts")
    );
    b.portal.stop();
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn graceful_shutdown_finishes_the_slow_request_and_without_prestop_cuts_it() {
    let b = open("3-4", "graceful-shutdown").await;
    let r = run(&b.c, "graceful-shutdown", "").await;
    passed(&r, "3-4 graceful shutdown");
    assert_eq!(
        r.figure("slow_status"),
        "200",
        "the slow request got 200 after its pod was deleted"
    );
    let sigterm = r.number("sigterm_s");
    assert!(
        (9.0..=15.0).contains(&sigterm),
        "SIGTERM after the 10 s preStop: {sigterm}"
    );
    assert!(
        r.number("app_exit_s") <= 45.0,
        "the app is done inside the 45 s budget"
    );

    let r = run(&b.c, "graceful-shutdown", "no-prestop").await;
    passed(&r, "3-4 no preStop, 5 s grace");
    assert_ne!(r.figure("slow_status"), "200", "the request is cut");
    b.portal.stop();
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn rolling_update_has_no_errors_and_rollback_brings_back_1_0_0() {
    let b = open("3-5", "rolling-update").await;
    let r = run(&b.c, "rolling-update", "").await;
    passed(&r, "3-5 rolling update");
    assert!(r.number("requests") >= 200.0);
    assert_eq!(r.figure("errors"), "0");
    assert_eq!(r.figure("versions"), "1.0.0, 2.0.0");
    let (base, after) = r.ratio("after_rollback");
    assert!(
        after > 0 && base == after,
        "all 1.0.0 after the rollback: {base}/{after}"
    );
    assert!(
        r.number("max_pods") <= 3.0 && r.number("min_serving") >= 2.0,
        "maxSurge 1, maxUnavailable 0"
    );
    let bars = js(
        &b.c,
        "return document.querySelectorAll('[data-experiment=rolling-update] .mix-second').length;",
    )
    .await;
    assert!(
        bars.as_u64().unwrap_or(0) >= 20,
        "a per-second version chart: {bars}"
    );
    b.portal.stop();
}

/// Bad parameters and a second run are refused and change nothing; a finished run and
/// its 성공 survive a portal restart.
#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn experiments_refuse_bad_input_and_keep_their_runs() {
    let b = open("3-2", "readiness").await;
    let pods_before = e2e::Tools
        .kubectl(&["get", "pods", "-n", NS, "-o", "name"])
        .unwrap();
    for (body, expect) in [
        ("experiment=nope&variant=", "알 수 없는 실험"),
        ("experiment=readiness", "요청 형식이 올바르지 않습니다"),
        ("experiment=readiness&variant=fast", "없는 변형"),
        (
            "experiment=graceful-shutdown&variant=&params[seconds]=0",
            "1 에서 60",
        ),
        (
            "experiment=graceful-shutdown&variant=&params[seconds]=61",
            "1 에서 60",
        ),
        (
            "experiment=configmap&variant=&params[log_level]=verbose",
            "debug, info, warning, error",
        ),
        (
            "experiment=readiness&variant=&params[pod]=kube-apiserver",
            "릴리스 파드가 아닙니다",
        ),
    ] {
        let (status, text) = post(&b.c, "experiment-start", body).await;
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(expect), "{body}: {text}");
    }
    let pods_after = e2e::Tools
        .kubectl(&["get", "pods", "-n", NS, "-o", "name"])
        .unwrap();
    assert_eq!(pods_before, pods_after, "refused calls change nothing");
    let (status, _) = post(&b.c, "experiment-start", "experiment=readiness&variant=").await;
    assert_eq!(status, 200);
    let (status, text) = post(
        &b.c,
        "experiment-start",
        "experiment=rolling-update&variant=",
    )
    .await;
    assert_eq!(status, 409, "a second run is refused: {text}");
    assert!(text.contains("진행 중"), "{text}");
    let (status, text) = post(&b.c, "experiment-reset", "").await;
    assert_eq!(status, 409, "reset waits too: {text}");
    eventually(
        &b.c,
        "readiness verdict",
        "document.querySelector('[data-experiment=readiness] .exp-run')?.dataset.runPhase === 'passed'",
        Duration::from_secs(120),
    )
    .await;
    // Restart: the run, its verdict and the lesson's ✓ come back.
    let db = b.portal.database.clone();
    b.portal.stop();
    let portal = Portal::start(db, &[("PORTAL_NAMESPACE", NS)]);
    goto(&b.c, &portal, "3-2", "readiness").await;
    let phase = js(
        &b.c,
        "return document.querySelector('[data-experiment=readiness] .exp-run')?.dataset.runPhase;",
    )
    .await;
    assert_eq!(phase, "passed", "the run is shown again after a restart");
    let state = js(&b.c, "return document.querySelector('.nav-item a[href=\"/lessons/3-2\"]').closest('.nav-item').dataset.state;").await;
    assert_eq!(state, "done", "a 성공 marks the lesson done");
    let (status, text) = post(&b.c, "experiment-reset", "").await;
    assert_eq!(status, 200, "reset: {text}");
    portal.stop();
}
