use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;

/// Liveness: "is the process alive?" A failure makes the kubelet restart the container,
/// so it checks nothing that a restart would not fix.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

// region: readiness
/// Readiness: "may I get traffic?" A failure takes the pod out of the Service's
/// Endpoints without restarting it.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.is_ready() {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        let body = json!({ "status": "not ready", "shutting_down": state.is_shutting_down() });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body))
    }
}
// endregion: readiness

pub async fn toggle_ready(State(state): State<AppState>) -> Json<Value> {
    let ready = state.toggle_ready();
    tracing::info!(
        ready,
        "Readiness toggled: {}",
        if ready { "ready" } else { "not ready" }
    );
    Json(json!({ "ready": ready }))
}
