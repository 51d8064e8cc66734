//! Workshop mode on two portal replicas that share one PostgreSQL (Debian's server,
//! started here) and one Redis: learners join through both; replica A is killed
//! (SIGKILL) while a learner's experiment runs on it; the host's board on B still lists
//! everyone, every progress row is unchanged, the run shows as interrupted and the
//! namespace is put back, and the run can be started again and passes; the idle
//! sweeper ran once per cycle, not once per replica; closing joining through B holds on
//! A and after restarts.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::{Duration, Instant};

use e2e::Tools;
use e2e::portal::Portal;
use e2e::services::{Postgres, redis};
use portal::live::Board;

const CODE: &str = "replicas-room-7";
const TOKEN: &str = "host-token-replicas";
/// The sweeper's cycle (`PORTAL_SWEEP_SECONDS`).
const SWEEP_S: u64 = 2;

fn start(name: &str, db: &str, redis: &str) -> Portal {
    let sweep = SWEEP_S.to_string();
    let env = [
        ("PORTAL_WORKSHOP_CODE", CODE),
        ("PORTAL_HOST_TOKEN", TOKEN),
        ("PORTAL_SESSION_REDIS", redis),
        ("PORTAL_SWEEP_SECONDS", sweep.as_str()),
        ("PORTAL_REPLICA", name),
        ("PORTAL_LEASE_NAMESPACE", "default"),
    ];
    Portal::start(db.into(), &env)
}

/// A server function call: status, the session cookie it set (if any), the body.
async fn call(
    http: &reqwest::Client,
    portal: &Portal,
    endpoint: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut req = http
        .post(portal.url(&format!("/api/{endpoint}")))
        .header("origin", &portal.base)
        .form(form);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let values = res.headers().get_all("set-cookie");
    let cookie = e2e::session_cookie(values.iter().filter_map(|v| v.to_str().ok()));
    (status, cookie, res.text().await.unwrap())
}

/// The learner behind `cookie` starts 3-2's readiness run: status, body.
async fn start_readiness(http: &reqwest::Client, portal: &Portal, cookie: &str) -> (u16, String) {
    let form = [("experiment", "readiness"), ("variant", "")];
    let (status, _, text) = call(http, portal, "experiment-start", Some(cookie), &form).await;
    (status, text)
}

/// The phases of every learner's latest readiness run, as the host's board shows them.
fn readiness(board: &Board) -> Vec<String> {
    board
        .learners
        .iter()
        .flat_map(|l| &l.verdicts)
        .filter(|(k, _)| k == "readiness")
        .map(|(_, phase)| phase.clone())
        .collect()
}

/// Someone joining now: refused while joining is closed.
async fn late_join(http: &reqwest::Client, portal: &Portal) -> (u16, String) {
    let form = [("code", CODE), ("name", "늦은 사람")];
    let (status, _, text) = call(http, portal, "workshop-join", None, &form).await;
    (status, text)
}

async fn board(http: &reqwest::Client, portal: &Portal) -> Board {
    let (status, _, text) = call(http, portal, "host-overview", None, &[("token", TOKEN)]).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn rows(db: &sqlx::PgPool, sql: &str) -> Vec<(String, String)> {
    sqlx::query_as(sql).fetch_all(db).await.unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL, redis-server, the local cluster and the portal: ./dev.sh test"]
async fn two_replicas_share_postgres_and_survive_losing_one() {
    let pg = Postgres::start("replicas");
    let redis = redis();
    let db = sqlx::PgPool::connect(&pg.url).await.unwrap();
    let a = start("replica-a", &pg.url, &redis.url);
    let b = start("replica-b", &pg.url, &redis.url);
    let both_up = Instant::now();
    let http = reqwest::Client::new();

    // Two learners, one through each replica; each marks a lesson done through the other.
    let mut cookies = Vec::new();
    for (name, via) in [("첫째", &a), ("둘째", &b)] {
        let (status, cookie, text) = call(
            &http,
            via,
            "workshop-join",
            None,
            &[("code", CODE), ("name", name)],
        )
        .await;
        assert_eq!(status, 200, "{name} joins: {text}");
        cookies.push(cookie.expect("a session cookie"));
    }
    for (cookie, lesson, via) in [(&cookies[0], "1-1", &b), (&cookies[1], "1-2", &a)] {
        let form = [("id", lesson), ("done", "true")];
        let (status, _, text) = call(&http, via, "lesson-done", Some(cookie), &form).await;
        assert_eq!(status, 200, "{text}");
    }
    let learners = "SELECT id, progress FROM learners ORDER BY id";
    let before = rows(&db, learners).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(
        before.iter().any(|(_, p)| p.contains("1-1"))
            && before.iter().any(|(_, p)| p.contains("1-2"))
    );
    let on_b = board(&http, &b).await;
    assert_eq!(
        on_b.learners.len(),
        2,
        "B's board lists the learner who joined through A"
    );

    // Joining closed through B is closed on A too.
    let (status, _, _) = call(
        &http,
        &b,
        "host-joining",
        None,
        &[("token", TOKEN), ("open", "false")],
    )
    .await;
    assert_eq!(status, 200);
    let (status, text) = late_join(&http, &a).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("참가를 받지 않습니다"), "{text}");

    // The first learner installs the release and runs an experiment on A; B's board
    // shows it running.
    let (status, _, text) = call(&http, &a, "release-install", Some(&cookies[0]), &[]).await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = start_readiness(&http, &a, &cookies[0]).await;
    assert_eq!(status, 200, "{text}");
    let running = |board: &Board| readiness(board).contains(&"running".to_owned());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !running(&board(&http, &b).await) {
        assert!(Instant::now() < deadline, "B never showed the run of A");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Both replicas stay up for ten sweep cycles at least, so that a second sweeper
    // would show in the count.
    let ten_cycles = Duration::from_secs(10 * SWEEP_S);
    tokio::time::sleep(
        ten_cycles
            .saturating_sub(both_up.elapsed())
            .max(Duration::from_secs(2)),
    )
    .await;

    // Sweeps while both replicas ran: one per cycle, never two at once.
    let sweeps: Vec<(i64, String)> =
        sqlx::query_as("SELECT at_ms, replica FROM workshop_sweeps ORDER BY at_ms")
            .fetch_all(&db)
            .await
            .unwrap();
    let window = both_up.elapsed().as_secs();
    let cycles = window / SWEEP_S;
    eprintln!(
        "[replicas] {} sweeps in {window} s ({cycles} cycles of {SWEEP_S} s), by {:?}",
        sweeps.len(),
        sweeps
            .iter()
            .map(|(_, r)| r.as_str())
            .collect::<std::collections::BTreeSet<_>>()
    );
    assert!(
        sweeps.len() as u64 <= cycles + 2,
        "at most one sweep per cycle: {sweeps:?}"
    );
    assert!(
        sweeps.len() as u64 >= cycles / 2,
        "the sweeper runs: {sweeps:?}"
    );
    for pair in sweeps.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 >= 1000,
            "two sweeps in one cycle: {pair:?}"
        );
    }

    // A vanishes mid-run.
    let killed = Instant::now();
    a.kill();
    let on_b = board(&http, &b).await;
    assert_eq!(on_b.learners.len(), 2, "the survivor lists everyone");
    let interrupted =
        "SELECT namespace, run FROM experiment_runs WHERE run LIKE '%포털 인스턴스가 멈춰%'";
    let deadline = Instant::now() + Duration::from_secs(90);
    let run = loop {
        if let Some((ns, run)) = rows(&db, interrupted).await.pop() {
            break (ns, run);
        }
        assert!(
            Instant::now() < deadline,
            "the run of the killed replica was never marked interrupted"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let run: serde_json::Value = serde_json::from_str(&run.1).unwrap();
    assert_eq!(run["phase"], "stopped", "{run}");
    eprintln!(
        "[replicas] kill → run marked interrupted: {:.1} s",
        killed.elapsed().as_secs_f64()
    );
    let stopped = |board: &Board| readiness(board).contains(&"stopped".to_owned());
    assert!(
        stopped(&board(&http, &b).await),
        "B's board shows the run as interrupted"
    );

    // The namespace goes back to the baseline: 2 ready pods of 1.0.0.
    let learner_ns: String = sqlx::query_scalar(
        "SELECT namespace FROM experiment_runs WHERE run LIKE '%포털 인스턴스가 멈춰%'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = Tools
            .kubectl(&[
                "get", "deployment", "hello-hello-world", "-n", &learner_ns, "-o",
                "jsonpath={.status.readyReplicas}/{.spec.replicas}/{.spec.template.spec.containers[0].image}",
            ])
            .unwrap_or_default();
        if ready.starts_with("2/2/") && ready.ends_with(":1.0.0") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{learner_ns} not back at the baseline: {ready}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!(
        "[replicas] kill → namespace back at the baseline: {:.1} s",
        killed.elapsed().as_secs_f64()
    );

    // Nothing of anyone's progress was lost, row by row; joining stays closed after
    // restarts of both replicas.
    assert_eq!(rows(&db, learners).await, before, "progress rows unchanged");
    let a = start("replica-a2", &pg.url, &redis.url);
    let (status, text) = late_join(&http, &a).await;
    assert_eq!(status, 403, "closed survives A's restart: {text}");
    b.stop();
    let b = start("replica-b2", &pg.url, &redis.url);
    assert!(
        !board(&http, &b).await.joining,
        "closed survives B's restart"
    );
    assert_eq!(board(&http, &b).await.learners.len(), 2);

    // The interrupted run can be started again (its claim went with A), and it passes.
    let restarted = Instant::now();
    let (status, text) = start_readiness(&http, &a, &cookies[0]).await;
    assert_eq!(status, 200, "the interrupted run starts again: {text}");
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let phases = readiness(&board(&http, &b).await);
        if phases.iter().any(|p| p == "passed") {
            break;
        }
        assert!(
            !phases.iter().any(|p| p == "failed"),
            "the restarted run failed: {phases:?}"
        );
        assert!(
            Instant::now() < deadline,
            "the restarted run did not pass in 240 s: {phases:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!(
        "[replicas] the interrupted run, started again through a restarted replica: passed in {:.1} s",
        restarted.elapsed().as_secs_f64()
    );

    // The host ends the workshop: learners and namespaces go.
    let (status, _, text) = call(&http, &b, "host-end", None, &[("token", TOKEN)]).await;
    assert_eq!(status, 200, "{text}");
    let _ = Tools.kubectl(&[
        "delete",
        "lease",
        "hello-k8s-portal-singleton",
        "-n",
        "default",
        "--ignore-not-found",
    ]);
    a.stop();
    b.stop();
}
