//! A scripted API server for the unit tests: a kube `Client` whose requests are recorded
//! and answered by a closure, so the exact calls (method, path, query, body) can be
//! asserted without a cluster.

use std::time::Duration;

use http::{Request, Response};
use kube::Client;
use kube::client::Body;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Value,
}

/// A client that expects exactly `expected` requests. `respond` gives the status code
/// and JSON body for each.
pub fn mock_client<F>(expected: usize, respond: F) -> (Client, JoinHandle<Vec<Recorded>>)
where
    F: Fn(&Recorded) -> (u16, Value) + Send + 'static,
{
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let task = tokio::spawn(async move {
        let mut handle = std::pin::pin!(handle);
        let mut seen = Vec::new();
        for _ in 0..expected {
            let Some((request, send)) = handle.next_request().await else {
                break;
            };
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await.expect("request body");
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).expect("JSON body")
            };
            let recorded = Recorded {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or_default().to_owned(),
                content_type: parts
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
                body,
            };
            let (code, reply) = respond(&recorded);
            let response = Response::builder()
                .status(code)
                .body(Body::from(serde_json::to_vec(&reply).expect("reply")))
                .expect("response");
            send.send_response(response);
            seen.push(recorded);
        }
        seen
    });
    (Client::new(service, "default"), task)
}

/// The recorded requests, once the mock has answered all it expected.
pub async fn requests(task: JoinHandle<Vec<Recorded>>) -> Vec<Recorded> {
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the code made fewer requests than the test expected")
        .expect("mock task")
}

/// A `Status` failure body as the API server sends it.
pub fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    })
}

/// The chart as the tests read it, from the repository.
pub fn chart_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/helm/hello-world")
}
