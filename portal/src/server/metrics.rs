//! `/metrics` in the Prometheus text format: live connections, API watches, actions and
//! their errors. Counters only; no labels that could carry user input.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::server::PortalState;

pub async fn handler(State(state): State<PortalState>) -> impl IntoResponse {
    let learners = match &state.workshop {
        Some(ws) => ws.store.count().await.unwrap_or(0),
        None => 0,
    };
    let m = &state.metrics;
    let hub = &state.hub;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        );
    };
    metric(
        "portal_live_connections",
        "gauge",
        "Open live streams (one per browser tab).",
        m.live_connections().to_string(),
    );
    metric(
        "portal_live_connections_total",
        "counter",
        "Live streams opened since start.",
        m.live_connections_total().to_string(),
    );
    metric(
        "portal_api_watches",
        "gauge",
        "Kubernetes watches held now (one per namespace and kind, shared by all tabs).",
        hub.active_watches().to_string(),
    );
    metric(
        "portal_api_watches_started_total",
        "counter",
        "Kubernetes watches started since start.",
        hub.stats
            .watches_started
            .load(Ordering::Relaxed)
            .to_string(),
    );
    metric(
        "portal_api_watch_restarts_total",
        "counter",
        "Kubernetes watches re-listed after a failure or an ended stream.",
        crate::cluster::watch::watch_restarts().to_string(),
    );
    metric(
        "portal_workshop_learners",
        "gauge",
        "Learners in the workshop now (0 outside workshop mode).",
        learners.to_string(),
    );
    metric(
        "portal_actions_total",
        "counter",
        "Cluster actions requested by learners.",
        m.actions_total().to_string(),
    );
    metric(
        "portal_action_errors_total",
        "counter",
        "Cluster actions that failed.",
        m.action_errors_total().to_string(),
    );
    let v = &state.lab.verdicts;
    let _ = write!(
        out,
        "# HELP portal_experiment_verdicts_total Experiment runs by how they ended.\n\
         # TYPE portal_experiment_verdicts_total counter\n\
         portal_experiment_verdicts_total{{verdict=\"passed\"}} {}\n\
         portal_experiment_verdicts_total{{verdict=\"failed\"}} {}\n\
         portal_experiment_verdicts_total{{verdict=\"stopped\"}} {}\n",
        v[0].load(Ordering::Relaxed),
        v[1].load(Ordering::Relaxed),
        v[2].load(Ordering::Relaxed)
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
