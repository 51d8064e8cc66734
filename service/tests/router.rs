//! Every endpoint and every bad input, through the router without a socket.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use hello_service::{AppState, Config, router};

fn state(pairs: &[(&str, &str)]) -> AppState {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    AppState::new(
        Config::from_lookup(|k| pairs.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone()))
            .unwrap(),
    )
}

async fn call(state: &AppState, method: Method, uri: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let res = router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {bytes:?}"));
    (status, body)
}

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    call(state, Method::GET, uri).await
}

#[tokio::test]
async fn root_says_hello_with_the_configured_version() {
    let s = state(&[("APP_VERSION", "1.0.0")]);
    let (status, body) = get(&s, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "message": hello_service::GREETING, "version": "1.0.0" })
    );
    #[cfg(not(feature = "v2"))]
    assert_eq!(body["message"], "Hello World");
    #[cfg(feature = "v2")]
    assert_eq!(body["message"], "Hello World v2");
}

#[tokio::test]
async fn info_reports_the_environment_with_tutorial_defaults() {
    let (status, body) = get(&state(&[]), "/info").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "app_env": "local", "app_version": "1.0.0", "log_level": "info", "pod_name": "unknown" })
    );
    let s = state(&[
        ("APP_ENV", "production"),
        ("POD_NAME", "hello-abc-123"),
        ("LOG_LEVEL", "debug"),
    ]);
    let (_, body) = get(&s, "/info").await;
    assert_eq!(body["app_env"], "production");
    assert_eq!(body["pod_name"], "hello-abc-123");
    assert_eq!(body["log_level"], "debug");
}

#[tokio::test]
async fn liveness_is_always_ok() {
    assert_eq!(
        get(&state(&[]), "/health/live").await,
        (StatusCode::OK, json!({ "status": "ok" }))
    );
}

#[tokio::test]
async fn readiness_follows_the_toggle() {
    let s = state(&[]);
    assert_eq!(
        get(&s, "/health/ready").await,
        (StatusCode::OK, json!({ "status": "ok" }))
    );
    assert_eq!(
        call(&s, Method::POST, "/admin/toggle-ready").await,
        (StatusCode::OK, json!({ "ready": false }))
    );
    assert_eq!(
        get(&s, "/health/ready").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "not ready", "shutting_down": false })
        )
    );
    assert_eq!(
        call(&s, Method::POST, "/admin/toggle-ready").await,
        (StatusCode::OK, json!({ "ready": true }))
    );
    assert_eq!(get(&s, "/health/ready").await.0, StatusCode::OK);
}

#[tokio::test]
async fn readiness_is_503_while_shutting_down_even_if_toggled_on() {
    let s = state(&[]);
    s.begin_shutdown();
    assert_eq!(
        get(&s, "/health/ready").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "not ready", "shutting_down": true })
        )
    );
    // Toggling cannot make a terminating pod ready again.
    assert_eq!(
        call(&s, Method::POST, "/admin/toggle-ready").await.1,
        json!({ "ready": false })
    );
}

#[tokio::test(start_paused = true)]
async fn slow_sleeps_and_caps_at_sixty_seconds() {
    let s = state(&[]);
    let (status, body) = get(&s, "/slow?seconds=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            body["requested_seconds"].as_u64(),
            body["actual_seconds"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let (_, body) = get(&s, "/slow?seconds=600").await;
    assert_eq!(
        (
            body["requested_seconds"].as_u64(),
            body["actual_seconds"].as_u64()
        ),
        (Some(600), Some(60))
    );
    let (_, body) = get(&s, "/slow").await;
    assert_eq!(body["actual_seconds"], 5);
}

#[tokio::test]
async fn bad_input_is_a_400_json_error() {
    let s = state(&[]);
    for uri in [
        "/slow?seconds=abc",
        "/slow?seconds=-1",
        "/slow?seconds=1.5",
        "/slow?seconds=99999999999999999999999",
        "/slow?seconds=",
        "/stress/cpu",
        "/stress/cpu?ms=0",
        "/stress/cpu?ms=10001",
        "/stress/cpu?ms=x",
    ] {
        let (status, body) = get(&s, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["status"], "error", "{uri}");
        assert_eq!(body["error"], "invalid_parameter", "{uri}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}"
        );
    }
    for uri in [
        "/stress/memory",
        "/stress/memory?mib=0",
        "/stress/memory?mib=513",
        "/stress/memory?mib=-3",
    ] {
        let (status, body) = call(&s, Method::POST, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["error"], "invalid_parameter");
    }
    assert_eq!(s.held_mib(), 0, "a refused request holds nothing");
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json() {
    let s = state(&[]);
    let (status, body) = get(&s, "/nope/../etc?x=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    let (status, body) = call(&s, Method::DELETE, "/").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");
    assert_eq!(
        get(&s, "/admin/toggle-ready").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn memory_is_held_and_released_within_bounds() {
    let s = state(&[]);
    let (status, body) = call(&s, Method::POST, "/stress/memory?mib=2").await;
    assert_eq!(
        (status, body["held_mib"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    let (_, body) = call(&s, Method::POST, "/stress/memory?mib=3").await;
    assert_eq!(body["held_mib"], 5);
    let (status, body) = call(&s, Method::DELETE, "/stress/memory").await;
    assert_eq!(
        (status, body["freed_mib"].as_u64()),
        (StatusCode::OK, Some(5))
    );
    assert_eq!(s.held_mib(), 0);
}

#[tokio::test]
async fn cpu_burn_reports_cpu_and_wall_time() {
    let (status, body) = get(&state(&[]), "/stress/cpu?ms=50").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["cpu_ms"].as_f64().unwrap() >= 49.0, "{body}");
    assert!(
        body["wall_ms"].as_f64().unwrap() >= body["cpu_ms"].as_f64().unwrap() - 1.0,
        "{body}"
    );
    assert!(body["cpu_share"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn every_answer_names_the_pod_that_gave_it() {
    let state = state(&[("POD_NAME", "hello-abc-1")]);
    for uri in ["/", "/health/ready", "/nope"] {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let res = router(state.clone()).oneshot(req).await.unwrap();
        assert_eq!(
            res.headers()
                .get("x-pod-name")
                .and_then(|v| v.to_str().ok()),
            Some("hello-abc-1"),
            "{uri}"
        );
    }
}

/// Two holds at once cannot both pass the cap: check and allocation share one lock.
#[test]
fn the_memory_cap_holds_for_calls_at_the_same_time() {
    let s = state(&[]);
    let results: Vec<Result<usize, usize>> = std::thread::scope(|t| {
        let calls: Vec<_> = (0..2).map(|_| t.spawn(|| s.hold_memory(6, 10))).collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(s.held_mib(), 6);
    s.release_memory();
}
