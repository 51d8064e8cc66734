//! Sessions in Redis (`PORTAL_SESSION_REDIS`): two portals that share nothing but one
//! Redis (Debian's redis-server; separate SQLite files) serve the same learner — progress
//! saved through one is read through the other and survives both restarting — while a
//! portal keeping sessions in its own SQLite file does not know that learner.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;

use e2e::free_port;
use e2e::portal::Portal;

/// Whether the sidebar of a lesson page, fetched with `cookie`, marks `lesson` done.
async fn done_in(http: &reqwest::Client, portal: &Portal, cookie: &str, lesson: &str) -> bool {
    let page = http
        .get(portal.url("/lessons/1-2"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!(r#"href="/lessons/{lesson}""#);
    // `<li data-state="done" class="nav-item"><a href="/lessons/1-1">…</li>`
    page.split(r#"<li data-state=""#).any(|item| {
        item.starts_with(r#"done""#) && item.split("</li>").next().unwrap_or("").contains(&link)
    })
}

#[tokio::test]
#[ignore = "needs redis-server and a release portal: ./dev.sh test"]
async fn two_portals_share_sessions_through_redis() {
    let redis = e2e::services::redis();
    let url = redis.url.clone();
    let dir = std::env::temp_dir().join(format!("hk-sessions-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = [
        ("PORTAL_SESSION_REDIS", url.as_str()),
        ("PORTAL_CLUSTER", "off"),
    ];
    let a = Portal::start(dir.join("a.sqlite3"), &env);
    let b = Portal::start(dir.join("b.sqlite3"), &env);
    let alone = Portal::start(dir.join("c.sqlite3"), &[("PORTAL_CLUSTER", "off")]);

    // Through A: 1-1 done (the first request makes the session).
    let http = reqwest::Client::new();
    let response = http
        .post(a.url("/api/lesson-done"))
        .header("origin", &a.base)
        .form(&[("id", "1-1"), ("done", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let values = response.headers().get_all("set-cookie");
    let cookie = e2e::session_cookie(values.iter().filter_map(|v| v.to_str().ok()))
        .expect("a session cookie");

    assert!(done_in(&http, &a, &cookie, "1-1").await, "A shows it");
    assert!(
        done_in(&http, &b, &cookie, "1-1").await,
        "B reads the same session from Redis"
    );
    assert!(
        !done_in(&http, &b, &cookie, "1-2").await,
        "and only what was done"
    );
    assert!(
        !done_in(&http, &alone, &cookie, "1-1").await,
        "a portal with SQLite sessions does not know it"
    );

    // Both replicas restart; the session is still there.
    a.stop();
    b.stop();
    let b = Portal::start(dir.join("b.sqlite3"), &env);
    assert!(done_in(&http, &b, &cookie, "1-1").await, "after a restart");

    // A Redis that does not answer: the portal refuses to start, in Korean.
    b.stop();
    let bad = Command::new(e2e::portal::binary())
        .current_dir(e2e::repo_root())
        .env("PORTAL_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("PORTAL_DATABASE", dir.join("d.sqlite3"))
        .env("PORTAL_CLUSTER", "off")
        .env(
            "PORTAL_SESSION_REDIS",
            format!("redis://127.0.0.1:{}/0", free_port()),
        )
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!bad.status.success(), "{said}");
    assert!(said.contains("Redis 에 연결하지 못했습니다"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
