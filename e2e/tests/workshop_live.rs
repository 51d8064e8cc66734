//! Workshop mode on the local cluster, in Chromium: two learners join in separate
//! browsers, each gets a namespace; both install and run an experiment at the same time;
//! A's crafted requests against B are refused (by the portal, and by the API server for
//! A's impersonated identity); the host sees both; a restart keeps progress; the idle
//! TTL removes the namespaces.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod experiments;

use std::time::Duration;

use e2e::browser::{Driver, click, eventually, js, save_screenshot};
use e2e::portal::Portal;
use e2e::{Tools, learner_namespaces};
use fantoccini::Client;
use portal::server::SESSION_COOKIE;

const CODE: &str = "hello-room-42";
const TOKEN: &str = "host-token-test";

fn env(idle: &str) -> Vec<(&'static str, String)> {
    vec![
        ("PORTAL_WORKSHOP_CODE", CODE.into()),
        ("PORTAL_HOST_TOKEN", TOKEN.into()),
        ("PORTAL_LEARNER_IDLE_SECONDS", idle.into()),
    ]
}

fn start(db: &std::path::Path, idle: &str) -> Portal {
    let env = env(idle);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Portal::start(db.to_path_buf(), &pairs)
}

async fn type_into(c: &Client, field: &str, text: &str) {
    js(
        c,
        &format!("const e = document.querySelector('[data-field={field}]'); e.value = {text:?}; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"),
    )
    .await;
}

async fn join(c: &Client, portal: &Portal, name: &str) -> String {
    let before = learner_namespaces();
    c.goto(&portal.url("/join")).await.unwrap();
    eventually(
        c,
        "join form",
        "document.querySelector('.join-form[data-ready=true]')",
        Duration::from_secs(10),
    )
    .await;
    type_into(c, "code", CODE).await;
    type_into(c, "name", name).await;
    let session = async || {
        c.get_named_cookie(SESSION_COOKIE)
            .await
            .ok()
            .map(|k| k.value().to_owned())
    };
    let id_before = session().await;
    click(c, "[data-action=join]").await;
    eventually(
        c,
        "joined",
        "location.pathname === '/lessons/1-1'",
        Duration::from_secs(30),
    )
    .await;
    let id_after = session().await;
    assert!(
        id_after.is_some() && id_after != id_before,
        "joining gives the browser a new session id (no fixation)"
    );
    let after = learner_namespaces();
    let new: Vec<_> = after.into_iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new.len(), 1, "one namespace per learner");
    new[0].clone()
}

fn pods(ns: &str) -> String {
    Tools
        .kubectl(&["get", "pods", "-n", ns, "-o", "name"])
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs the local cluster, Chromium and a built portal: ./dev.sh test"]
async fn two_learners_are_isolated_by_the_api_server() {
    for ns in learner_namespaces() {
        let _ = Tools.kubectl(&["delete", "ns", &ns, "--wait=false"]);
    }
    let db = std::env::temp_dir().join(format!("hk-workshop-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let portal = start(&db, "7200");
    let driver = Driver::start();
    let a = driver.browser("learner-a").await;
    let b = driver.browser("learner-b").await;

    // Wrong code, then the real one.
    a.goto(&portal.url("/join")).await.unwrap();
    eventually(
        &a,
        "join form",
        "document.querySelector('.join-form[data-ready=true]')",
        Duration::from_secs(10),
    )
    .await;
    type_into(&a, "code", "wrong").await;
    type_into(&a, "name", "가영").await;
    click(&a, "[data-action=join]").await;
    eventually(&a, "refused", "document.querySelector('[data-join=error]')?.textContent.includes('참가 코드가 맞지 않습니다')", Duration::from_secs(10)).await;
    let ns_a = join(&a, &portal, "가영").await;
    let ns_b = join(&b, &portal, "나래").await;
    eprintln!("[workshop] learners: A={ns_a} B={ns_b}");

    // Both install and run an experiment at the same time, each in their own namespace.
    for (c, lesson, experiment) in [(&a, "3-2", "readiness"), (&b, "3-3", "resources")] {
        experiments::goto(c, &portal, lesson, experiment).await;
        click(c, "[data-action=exp-install]").await;
    }
    for c in [&a, &b] {
        eventually(
            c,
            "installed",
            "!document.querySelector('[data-precondition=release]')",
            Duration::from_secs(60),
        )
        .await;
    }
    click(&a, "[data-experiment=readiness] button[data-variant=\"\"]").await;
    click(&b, "[data-experiment=resources] button[data-variant=\"\"]").await;
    for (c, experiment) in [(&a, "readiness"), (&b, "resources")] {
        let done = format!(
            "document.querySelector('[data-experiment={experiment}] .exp-run')?.dataset.runPhase === 'passed'"
        );
        let took = eventually(c, experiment, &done, Duration::from_secs(300)).await;
        eprintln!(
            "[workshop] {experiment} passed for its learner after {:.1} s",
            took.as_secs_f64()
        );
    }
    save_screenshot(&a, "workshop-learner-a").await;
    assert!(
        pods(&ns_a).contains("pod/hello-hello-world-"),
        "A's pods are in A's namespace"
    );
    assert!(pods(&ns_b).contains("pod/hello-hello-world-"));

    // A crafted request from A naming B's pod: refused by the portal, B untouched.
    let b_pods = pods(&ns_b);
    let b_pod = b_pods
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("pod/")
        .to_owned();
    let (status, text) = experiments::post(
        &a,
        "send-request",
        &format!("endpoint=/admin/toggle-ready&pod={b_pod}"),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    let (status, text) = experiments::post(
        &a,
        "experiment-start",
        &format!("experiment=readiness&variant=&params[pod]={b_pod}"),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    // The identity the portal uses for A, against B's namespace: the API server says no.
    let as_a = format!("--as=system:serviceaccount:{ns_a}:learner");
    for args in [
        vec![
            "delete",
            "pod",
            b_pod.as_str(),
            "-n",
            ns_b.as_str(),
            as_a.as_str(),
        ],
        vec!["get", "pods", "-n", ns_b.as_str(), as_a.as_str()],
        vec!["get", "secrets", "-n", ns_a.as_str(), as_a.as_str()],
        vec!["create", "namespace", "x-by-a", as_a.as_str()],
    ] {
        let refused = Tools.kubectl(&args).unwrap_err().to_string();
        assert!(
            refused.contains("Forbidden") || refused.contains("forbidden"),
            "{args:?}: {refused}"
        );
    }
    let out = Tools.kubectl(&["get", "pods", "-n", &ns_a, &as_a]).unwrap();
    assert!(
        out.contains("hello-hello-world-"),
        "A may read its own namespace"
    );
    assert_eq!(pods(&ns_b), b_pods, "B's objects are untouched");

    // Quota: 10 replicas are refused in Korean before anything is applied.
    let (status, text) = experiments::post(
        &a,
        "release-upgrade",
        "form[image_tag]=1.0.0&form[replicas]=10&form[log_level]=info&form[app_env]=production",
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("1 에서 5 사이"), "{text}");
    // Even past the portal, the namespace quota stops the API server from making 10 pods.
    Tools
        .kubectl(&[
            "scale",
            "deployment/hello-hello-world",
            "--replicas=10",
            "-n",
            &ns_a,
            &as_a,
        ])
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let count = pods(&ns_a).lines().count();
    assert!(count <= 8, "the quota caps pods at 8: {count}");
    let events = Tools
        .kubectl(&[
            "get",
            "events",
            "-n",
            &ns_a,
            "--field-selector",
            "reason=FailedCreate",
            "-o",
            "jsonpath={.items[*].message}",
        ])
        .unwrap();
    assert!(events.contains("exceeded quota"), "{events}");
    Tools
        .kubectl(&[
            "scale",
            "deployment/hello-hello-world",
            "--replicas=2",
            "-n",
            &ns_a,
            &as_a,
        ])
        .unwrap();

    // The host sees both learners and their verdicts.
    let host = driver.browser("host").await;
    host.goto(&portal.url("/host")).await.unwrap();
    eventually(
        &host,
        "host form",
        "document.querySelector('.host-board[data-ready=true]')",
        Duration::from_secs(10),
    )
    .await;
    type_into(&host, "token", TOKEN).await;
    click(&host, "[data-action=host-load]").await;
    eventually(
        &host,
        "two learners",
        "document.querySelectorAll('[data-host=table] tr[data-learner]').length === 2",
        Duration::from_secs(15),
    )
    .await;
    let passed = js(
        &host,
        "return [...document.querySelectorAll('[data-host=table] .verdict[data-verdict=passed]')].map(e => e.dataset.experiment).sort();",
    )
    .await;
    assert_eq!(
        passed,
        serde_json::json!(["readiness", "resources"]),
        "both verdicts on the host's board"
    );
    let done = js(&host, "return document.querySelector('[data-host=table] tr[data-learner] td[data-done]')?.dataset.done;").await;
    assert_ne!(
        done,
        serde_json::json!("0"),
        "a passed experiment counts as a lesson done"
    );
    // Pushed, not polled: A marks a lesson done and the open board shows it.
    js(
        &a,
        "fetch('/api/lesson-done', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=1-1&done=true' }); return true;",
    )
    .await;
    eventually(
        &host,
        "A's lesson on the live board",
        &format!("document.querySelector('[data-host=table] tr[data-learner={ns_a}] td[data-done]')?.textContent.includes('1-1') && document.querySelector('[data-host-link]')?.dataset.hostLink === 'live'"),
        Duration::from_secs(10),
    )
    .await;
    save_screenshot(&host, "workshop-host").await;

    // The host closes joining: a newcomer is refused in Korean; then it opens again.
    click(&host, "[data-action=host-joining][data-joining=open]").await;
    eventually(
        &host,
        "joining closed",
        "document.querySelector('[data-action=host-joining][data-joining=closed]')",
        Duration::from_secs(10),
    )
    .await;
    let late = reqwest::Client::new()
        .post(portal.url("/api/workshop-join"))
        .header("origin", &portal.base)
        .form(&[("code", CODE), ("name", "늦은 사람")])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status().as_u16(), 403);
    assert!(late.text().await.unwrap().contains("참가를 받지 않습니다"));
    click(&host, "[data-action=host-joining][data-joining=closed]").await;
    eventually(
        &host,
        "joining open again",
        "document.querySelector('[data-action=host-joining][data-joining=open]')",
        Duration::from_secs(10),
    )
    .await;

    // A restart keeps who is who and what they did; the panels come back.
    portal.stop();
    let portal = start(&db, "7200");
    experiments::goto(&a, &portal, "3-2", "readiness").await;
    let phase = js(
        &a,
        "return document.querySelector('[data-experiment=readiness] .exp-run')?.dataset.runPhase;",
    )
    .await;
    assert_eq!(phase, "passed");
    let state = js(&a, "return document.querySelector('.nav-item a[href=\"/lessons/3-2\"]').closest('.nav-item').dataset.state;").await;
    assert_eq!(state, "done", "A's 3-2 is done after the restart");
    // The host's session outlives the restart too: the board follows without the token.
    host.goto(&portal.url("/host")).await.unwrap();
    eventually(
        &host,
        "the board after a restart, no token typed",
        "document.querySelectorAll('[data-host=table] tr[data-learner]').length === 2",
        Duration::from_secs(15),
    )
    .await;

    // Idle TTL: with a 5 s TTL both learners and namespaces go.
    portal.stop();
    let portal = start(&db, "5");
    let gone = (0..60).any(|_| {
        std::thread::sleep(Duration::from_secs(1));
        let left = learner_namespaces();
        !left.contains(&ns_a) && !left.contains(&ns_b)
            || Tools
                .kubectl(&["get", "ns", &ns_a, "-o", "jsonpath={.status.phase}"])
                .unwrap_or_default()
                == "Terminating"
    });
    assert!(gone, "idle learners' namespaces are removed");
    portal.stop();
}
