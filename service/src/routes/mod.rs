//! The HTTP surface of the service. `router` is a plain function so tests can drive it
//! with `tower::ServiceExt::oneshot` without a socket.

mod health;
mod hello;
mod slow;
mod stress;

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::{AppState, Error};

/// The response header naming the pod that answered.
pub const POD_HEADER: &str = "x-pod-name";

// region: router
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(hello::root))
        .route("/info", get(hello::info))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/admin/toggle-ready", post(health::toggle_ready))
        .route("/slow", get(slow::slow))
        .route(
            "/stress/memory",
            post(stress::hold_memory).delete(stress::release_memory),
        )
        .route("/stress/cpu", get(stress::burn_cpu))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}
// endregion: router

async fn not_found(req: Request) -> Error {
    Error::NotFound(format!("{} 경로는 없습니다", req.uri().path()))
}

async fn method_not_allowed(req: Request) -> Error {
    Error::MethodNotAllowed(format!(
        "{} {} 는 허용되지 않는 메서드입니다",
        req.method(),
        req.uri().path()
    ))
}

/// Counts requests in flight (graceful shutdown waits for them; probes are not counted,
/// or the kubelet would keep the pod alive) and writes one debug line per request, so
/// `LOG_LEVEL=debug` visibly changes the logs in the ConfigMap lesson. Every answer
/// names its pod (`X-Pod-Name`), so a client behind the Service sees who answered.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let probe = req.uri().path().starts_with("/health/");
    let _guard = (!probe).then(|| state.track_request());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let mut response = next.run(req).await;
    if let Ok(pod) = HeaderValue::from_str(&state.config().pod_name) {
        response.headers_mut().insert(POD_HEADER, pod);
    }
    tracing::debug!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request handled"
    );
    response
}
