//! Helpers of the in-cluster test: RBAC questions as the portal's ServiceAccount, the
//! SSE stream read until a message matches, and the workshop-mode check.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

pub mod workshop;

use std::time::{Duration, Instant};

use e2e::Tools;

use super::{NS, RELEASE};

/// `kubectl auth can-i` as the portal's ServiceAccount.
pub fn can(verb_resource: &[&str], ns: &str) -> bool {
    let who = format!("system:serviceaccount:{NS}:{RELEASE}");
    let mut args = vec!["auth", "can-i"];
    args.extend_from_slice(verb_resource);
    args.extend_from_slice(&["-n", ns, "--as", &who]);
    // `can-i` exits 1 for "no".
    Tools.kubectl(&args).is_ok_and(|out| out.trim() == "yes")
}

/// Reads the SSE stream until `found` accepts a `data:` message or `timeout` passes.
pub async fn sse_until(
    url: &str,
    cookie: Option<&str>,
    timeout: Duration,
    mut found: impl FnMut(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let client = reqwest::Client::new();
    let mut request = client.get(url).header("accept", "text/event-stream");
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    let mut response = request.send().await.unwrap().error_for_status().unwrap();
    let deadline = Instant::now() + timeout;
    let mut buf = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("{url}: nothing matched within {timeout:?}; got:\n{buf}"))
            .unwrap()
            .unwrap_or_else(|| panic!("{url}: the stream ended; got:\n{buf}"));
        buf.push_str(&String::from_utf8_lossy(&chunk));
        for line in buf.lines() {
            let Some(data) = line.strip_prefix("data:") else {
                continue;
            };
            if let Ok(message) = serde_json::from_str(data.trim())
                && found(&message)
            {
                return message;
            }
        }
    }
}
