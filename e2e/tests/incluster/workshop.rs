//! The in-cluster portal upgraded to workshop mode from its own chart: the portal's
//! ServiceAccount may make learner namespaces, impersonate learners and bind only the
//! chart's learner ClusterRole; a learner joins over HTTP, gets a namespace whose
//! RoleBinding points at that ClusterRole, watches it live as that learner, cannot read
//! another namespace; the host ends the workshop and the namespace goes.

use std::path::Path;
use std::time::{Duration, Instant};

use e2e::{Tools, learner_namespaces, wait_for};

use super::{NS, RELEASE, can, sse_until};

const CODE: &str = "incluster-code";
const TOKEN: &str = "incluster-host-token";
/// `portal.learnerRole` of the chart for this release and namespace.
const LEARNER_ROLE: &str = "hello-k8s-portal-portal-system-learner";

/// A server function call as a page of the portal makes it. No answer at all is status
/// 0: while the Deployment replaces its pod the Service has no endpoint, and kube-proxy
/// refuses the connection.
async fn call(
    http: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let sent = http
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .form(form)
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => return (0, None, e.to_string()),
    };
    let status = response.status().as_u16();
    let values = response.headers().get_all("set-cookie");
    let cookie = e2e::session_cookie(values.iter().filter_map(|v| v.to_str().ok()));
    (status, cookie, response.text().await.unwrap_or_default())
}

pub async fn check(base: &str, chart: &Path) {
    let started = Instant::now();
    Tools
        .helm(&[
            "upgrade",
            RELEASE,
            chart.to_str().unwrap(),
            "-n",
            NS,
            "--reuse-values",
            "--set",
            "workshop.enabled=true",
            "--set",
            &format!("workshop.code={CODE}"),
            "--set",
            &format!("workshop.hostToken={TOKEN}"),
            "--wait",
            "--timeout=180s",
        ])
        .unwrap();

    // What the chart grants for it, and nothing wider.
    assert!(can(&["create", "namespaces/hk-anything"], "default"));
    assert!(can(
        &["impersonate", "serviceaccounts/learner"],
        "hk-anything"
    ));
    // Only the learner account: the API server refuses any other identity.
    assert!(!can(
        &["impersonate", "serviceaccounts/default"],
        "kube-system"
    ));
    assert!(!can(
        &["impersonate", "serviceaccounts/portal"],
        "hk-anything"
    ));
    assert!(can(
        &["bind", &format!("clusterroles/{LEARNER_ROLE}")],
        "default"
    ));
    assert!(!can(&["bind", "clusterroles/cluster-admin"], "default"));
    assert!(!can(&["create", "clusterrolebindings"], "default"));
    assert!(!can(&["get", "secrets"], "hk-anything"), "still no secrets");

    // The old pod may still answer for a moment: join once the new one does.
    let http = reqwest::Client::new();
    let before = learner_namespaces();
    let (cookie, message) = {
        let mut joined = None;
        for _ in 0..60 {
            let (status, cookie, text) = call(
                &http,
                base,
                "workshop-join",
                &[("code", CODE), ("name", "클러스터 안")],
            )
            .await;
            if status == 200 {
                joined = Some((cookie.expect("a session cookie"), text));
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        joined.expect("the learner joins within 60 s")
    };
    let ns = learner_namespaces()
        .into_iter()
        .find(|n| !before.contains(n))
        .unwrap_or_else(|| panic!("no new learner namespace after: {message}"));
    eprintln!(
        "[incluster] 워크숍 모드로 업그레이드 → 참가, 네임스페이스 {ns}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let role_ref = Tools
        .kubectl(&[
            "get",
            "rolebinding",
            "learner",
            "-n",
            &ns,
            "-o",
            "jsonpath={.roleRef.kind}/{.roleRef.name}",
        ])
        .unwrap();
    assert_eq!(role_ref, format!("ClusterRole/{LEARNER_ROLE}"));
    let roles = Tools
        .kubectl(&["get", "roles", "-n", &ns, "-o", "name"])
        .unwrap();
    assert!(roles.trim().is_empty(), "no Role of its own: {roles}");

    // Live as that learner (an impersonated watch the API server allows in `ns` only).
    sse_until(
        &format!("{base}/api/live?topics=pods"),
        Some(&cookie),
        Duration::from_secs(30),
        |m| m["state"]["topic"] == "pods" && m["state"]["state"] == "live",
    )
    .await;
    let learner = format!("system:serviceaccount:{ns}:learner");
    let as_learner = |verb: &str, what: &str, in_ns: &str| {
        Tools
            .kubectl(&["auth", "can-i", verb, what, "-n", in_ns, "--as", &learner])
            .is_ok_and(|out| out.trim() == "yes")
    };
    assert!(as_learner("create", "deployments", &ns));
    assert!(
        !as_learner("list", "pods", NS),
        "not the portal's namespace"
    );
    assert!(
        !as_learner("get", "secrets", &ns),
        "not even its own secrets"
    );

    // The host ends the workshop: the namespace goes.
    let (status, _, text) = call(&http, base, "host-end", &[("token", TOKEN)]).await;
    assert_eq!(status, 200, "{text}");
    wait_for(
        "the learner namespace removed",
        Duration::from_secs(120),
        || {
            let phase = Tools
                .kubectl(&["get", "ns", &ns, "-o", "jsonpath={.status.phase}"])
                .unwrap_or_default();
            (phase.is_empty() || phase == "Terminating").then_some(())
        },
    )
    .unwrap();
    eprintln!(
        "[incluster] 워크숍 확인 합계: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
