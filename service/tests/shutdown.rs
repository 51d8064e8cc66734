//! The real binary, a request in flight, and SIGTERM: the graceful-shutdown contract
//! of Step 3-4, checked end to end on a socket.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/health/live"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service did not start listening");
}

/// Starts the real binary on a free port and waits until it answers.
async fn start(env: &[(&str, &str)], stdout: Stdio) -> (Child, String, reqwest::Client) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_hello-service"))
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(stdout)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    wait_until_up(&client, &base).await;
    (child, base, client)
}

/// `GET /slow?seconds=N` in the background.
fn slow_request(
    client: &reqwest::Client,
    base: &str,
    seconds: u64,
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let (client, url) = (client.clone(), format!("{base}/slow?seconds={seconds}"));
    tokio::spawn(async move { client.get(url).send().await })
}

/// What the kubelet does first when a pod is deleted.
fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let env = [
        ("POD_NAME", "shutdown-test"),
        ("LOG_LEVEL", "debug"),
        ("DRAIN_TIMEOUT_SECONDS", "20"),
    ];
    let (child, base, client) = start(&env, Stdio::piped()).await;
    let slow = slow_request(&client, &base, 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = Instant::now();
    sigterm(&child);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // During the drain: still listening, and readiness says so.
    let ready = client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["shutting_down"], true);

    let slow = slow.await.unwrap().unwrap();
    assert_eq!(
        slow.status().as_u16(),
        200,
        "the in-flight request must finish"
    );
    let body: Value = slow.json().await.unwrap();
    assert_eq!(body["actual_seconds"], 3);

    let exit = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.status.success(), "exit status {:?}", exit.status);
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "shutdown took {:?}",
        sent.elapsed()
    );

    let lines: Vec<Value> = BufReader::new(&exit.stdout[..])
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("every log line is JSON"))
        .collect();
    let messages: Vec<&str> = lines.iter().filter_map(|l| l["message"].as_str()).collect();
    for expected in [
        "Received SIGTERM, starting graceful shutdown...",
        "All in-flight requests finished",
        "Shutdown complete",
    ] {
        assert!(
            messages.contains(&expected),
            "missing {expected:?} in {messages:?}"
        );
    }
    assert!(
        messages.contains(&"request handled"),
        "debug level logs every request"
    );
    assert!(lines.iter().all(|l| l["pod"] == "shutdown-test"
        && l["timestamp"].is_string()
        && l["logger"].is_string()));
}

#[tokio::test]
async fn drain_timeout_bounds_the_shutdown() {
    let (mut child, base, client) = start(&[("DRAIN_TIMEOUT_SECONDS", "1")], Stdio::null()).await;
    let _slow = slow_request(&client, &base, 30);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = Instant::now();
    sigterm(&child);
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success());
    assert!(
        sent.elapsed() < Duration::from_secs(8),
        "bounded by drain + close grace: {:?}",
        sent.elapsed()
    );
}
