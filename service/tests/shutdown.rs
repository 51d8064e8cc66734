//! The real binary, a request in flight, and SIGTERM: the graceful-shutdown contract
//! of Step 3-4, checked end to end on a socket.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
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

#[tokio::test]
async fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_hello-service"))
        .env("PORT", port.to_string())
        .env("POD_NAME", "shutdown-test")
        .env("LOG_LEVEL", "debug")
        .env("DRAIN_TIMEOUT_SECONDS", "20")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    wait_until_up(&client, &base).await;

    let slow = tokio::spawn({
        let (client, url) = (client.clone(), format!("{base}/slow?seconds=3"));
        async move { client.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
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
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hello-service"))
        .env("PORT", port.to_string())
        .env("DRAIN_TIMEOUT_SECONDS", "1")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    wait_until_up(&client, &base).await;
    let _slow = tokio::spawn({
        let (client, url) = (client.clone(), format!("{base}/slow?seconds=30"));
        async move { client.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
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
