//! A-3's canary on the local cluster, in Chromium: 2.0.0 beside 1.0.0 at two splits,
//! each measured over at least 200 requests against its target, one promoted and one
//! aborted without a failed request, and the release back at its baseline afterwards.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod experiments;

use e2e::Tools;
use e2e::browser::js;
use experiments::{Run, open_in, passed, post, run};

/// Its own namespace, so it runs beside the other experiment tests.
const NS: &str = "hello-canary";

fn kubectl(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-n", NS]);
    Tools.kubectl(&all).unwrap_or_default()
}

async fn choose(c: &fantoccini::Client, split: &str) {
    js(
        c,
        &format!(
            "const s = document.querySelector('[data-experiment=canary] [data-field=split]'); s.value = '{split}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true;"
        ),
    )
    .await;
}

/// The share was measured on enough requests, close to the target, and nothing failed.
fn measured_near(r: &Run, target: f64) {
    let share = r.number("measured");
    let count: u32 = r
        .figure("measured")
        .split('(')
        .nth(1)
        .and_then(|t| t.split('개').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(count >= 200, "measured over {count} requests");
    assert!(
        (share - target).abs() <= 10.0,
        "2.0.0 answered {share}% against {target}%"
    );
    let (during, failed) = r.ratio("during");
    assert!(
        during > 0 && failed == 0,
        "{during} requests, {failed} failed"
    );
    let (right, after) = r.ratio("after");
    assert!(after > 0 && right == after, "after: {right}/{after}");
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn a_canary_takes_its_share_and_is_promoted_or_aborted_without_errors() {
    let b = open_in(NS, "a-3", "canary").await;
    let pods_before = kubectl(&["get", "pods", "-o", "name"]);
    for (body, expect) in [
        (
            "experiment=canary&variant=&params[split]=9:1",
            "알 수 없는 비율",
        ),
        ("experiment=canary&variant=one-replica", "없는 변형"),
    ] {
        let (status, text) = post(&b.c, "experiment-start", body).await;
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(expect), "{body}: {text}");
    }
    assert_eq!(
        pods_before,
        kubectl(&["get", "pods", "-o", "name"]),
        "refused calls change nothing"
    );

    choose(&b.c, "1:3").await;
    let r = run(&b.c, "canary", "").await;
    passed(&r, "A-3 canary 1:3, promoted");
    measured_near(&r, 25.0);

    choose(&b.c, "1:1").await;
    let r = run(&b.c, "canary", "abort").await;
    passed(&r, "A-3 canary 1:1, aborted");
    measured_near(&r, 50.0);

    // Back at the baseline: no canary, the release's two pods.
    assert_eq!(
        kubectl(&["get", "deployments", "-o", "name"]).trim(),
        "deployment.apps/hello-hello-world"
    );
    assert_eq!(
        kubectl(&[
            "get",
            "deployment",
            "hello-hello-world",
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "2"
    );
    b.portal.stop();
}
