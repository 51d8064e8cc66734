//! A portal stopped (SIGTERM) in the middle of an experiment puts the learner's release
//! back before it exits: mid-3-1 the ConfigMap is the chart's again, mid-3-2 every pod
//! is ready again, and after a restart the run says it was stopped and put back.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod experiments;

use std::time::{Duration, Instant};

use e2e::Tools;
use e2e::browser::js;
use e2e::portal::Portal;
use experiments::{goto, open_in, post};

/// Its own namespace, so it runs beside `experiments_live`.
const NS: &str = "hello-stop";

fn kubectl(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-n", NS]);
    Tools.kubectl(&all).unwrap_or_default()
}

fn log_level() -> String {
    kubectl(&[
        "get",
        "configmap",
        "hello-hello-world-config",
        "-o",
        "jsonpath={.data.LOG_LEVEL}",
    ])
}

/// `ready` flags of the release's pods, e.g. `true true`.
fn readiness() -> String {
    kubectl(&[
        "get",
        "pods",
        "-l",
        "app.kubernetes.io/instance=hello",
        "-o",
        "jsonpath={.items[*].status.containerStatuses[0].ready}",
    ])
}

/// [`e2e::wait_for`] on a condition; a timeout fails the test.
fn wait_until(what: &str, timeout: Duration, ok: impl Fn() -> bool) {
    e2e::wait_for(what, timeout, || ok().then_some(())).unwrap();
}

/// SIGTERM, and how long the portal took to exit (it puts the release back first).
fn stop(portal: Portal) -> f64 {
    let start = Instant::now();
    portal.stop();
    start.elapsed().as_secs_f64()
}

/// After a restart the run stopped by the shutdown says so, and that it put things back.
async fn put_back_said(c: &fantoccini::Client, experiment: &str) {
    let run = js(
        c,
        &format!("const r = document.querySelector('[data-experiment={experiment}] .exp-run'); return [r?.dataset.runPhase, r?.querySelector('[data-verdict]')?.textContent];"),
    )
    .await;
    assert_eq!(run[0], "stopped", "{experiment}: {run}");
    assert!(
        run[1]
            .as_str()
            .unwrap_or_default()
            .contains("기준 값으로 되돌렸습니다"),
        "{experiment}: {run}"
    );
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
#[allow(clippy::print_stderr)] // the measured figures, for the report
async fn a_portal_stopped_mid_experiment_puts_the_release_back() {
    let b = open_in(NS, "3-1", "configmap").await;
    let db = b.portal.database.clone();

    // 3-1: stopped once the ConfigMap says debug.
    let (status, text) = post(&b.c, "experiment-start", "experiment=configmap&variant=").await;
    assert_eq!(status, 200, "{text}");
    wait_until("LOG_LEVEL=debug", Duration::from_secs(120), || {
        log_level() == "debug"
    });
    let took = stop(b.portal);
    eprintln!("[stop] mid-3-1: the portal exited {took:.1} s after SIGTERM");
    assert_eq!(log_level(), "info", "the ConfigMap is the chart's again");

    // 3-2: stopped once a pod has switched its readiness off.
    let portal = Portal::start(db.clone(), &[("PORTAL_NAMESPACE", NS)]);
    goto(&b.c, &portal, "3-1", "configmap").await;
    put_back_said(&b.c, "configmap").await;
    // The rollout back from debug that the put-back started is Kubernetes' to finish:
    // both pods ready before the next run, so "not ready" below is the experiment's doing.
    wait_until(
        "the rollout back to the baseline",
        Duration::from_secs(180),
        || readiness() == "true true",
    );
    goto(&b.c, &portal, "3-2", "readiness").await;
    let (status, text) = post(&b.c, "experiment-start", "experiment=readiness&variant=").await;
    assert_eq!(status, 200, "{text}");
    wait_until("a pod not ready", Duration::from_secs(120), || {
        readiness().contains("false")
    });
    let took = stop(portal);
    eprintln!("[stop] mid-3-2: the portal exited {took:.1} s after SIGTERM");
    let portal = Portal::start(db.clone(), &[("PORTAL_NAMESPACE", NS)]);
    goto(&b.c, &portal, "3-2", "readiness").await;
    put_back_said(&b.c, "readiness").await;
    portal.stop();
    let started = Instant::now();
    wait_until("every pod ready again", Duration::from_secs(30), || {
        let r = readiness();
        !r.is_empty() && !r.contains("false")
    });
    eprintln!(
        "[stop] mid-3-2: every pod ready {:.1} s after the portal exited",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_file(&db);
}
