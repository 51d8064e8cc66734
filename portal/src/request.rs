//! The one request context of every server function (server only): who is asking — the
//! learner's namespace and the client that acts for them — and the Korean refusals with
//! their HTTP status. Features (panels, experiments, workshop pages) use this module and
//! never the server's state: the server provides a [`Resolver`] in the Leptos context,
//! so nothing here points back up to `server/`.

use std::sync::Arc;

use axum::http::StatusCode;
use futures::future::BoxFuture;
use kube::Client;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use crate::cluster;
use crate::cluster::values::Chart;
use crate::metrics::Metrics;

/// The learner an action is done for.
#[derive(Clone)]
pub struct Learner {
    pub namespace: String,
    /// Impersonating the learner in a workshop, so the API server enforces the namespace.
    pub client: Client,
    /// The namespace was made by the portal (workshop): the release must not own it.
    pub in_workshop: bool,
    /// The portal's own identity, only for cluster-wide reads (the node's images).
    pub portal_client: Client,
    /// The hello chart the lessons install.
    pub chart: Arc<Chart>,
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Learner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Learner")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Learner {
    /// A failed cluster call as this learner's answer (counted as a failed action).
    pub fn cluster_error(&self, e: cluster::Error) -> ServerFnError {
        from_cluster(&self.metrics, e)
    }

    /// A successful action, counted.
    pub fn done(&self) {
        self.metrics.action(true);
    }

    /// `pod`, when one is named, checked to be a pod of this learner's release (an empty
    /// name means none): learners may only point the portal at their own pods.
    pub async fn release_pod(&self, pod: Option<String>) -> Result<Option<String>, ServerFnError> {
        let Some(name) = pod.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let ours = cluster::traffic::is_release_pod(
            &self.client,
            &self.namespace,
            cluster::release::RELEASE,
            &name,
        )
        .await
        .map_err(|e| self.cluster_error(e))?;
        if !ours {
            return Err(bad_request(format!(
                "이 네임스페이스({})의 릴리스 파드가 아닙니다: '{}'",
                self.namespace,
                name.chars().take(60).collect::<String>()
            )));
        }
        Ok(Some(name))
    }
}

/// How the server finds the learner behind a request (session, workshop record, rate
/// limits, impersonating client). Implemented by the server's state.
pub trait Resolve: Send + Sync {
    fn learner<'a>(
        &'a self,
        session: Session,
        require_session: bool,
    ) -> BoxFuture<'a, Result<Learner, ServerFnError>>;
}

/// The server's [`Resolve`], as it sits in the Leptos context.
#[derive(Clone)]
pub struct Resolver(pub Arc<dyn Resolve>);

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolver")
    }
}

/// The learner behind this request. State-changing calls (`require_session`) need an
/// existing session, on top of the Origin check every POST passes, and count against the
/// learner's rate limit in a workshop.
pub async fn learner(require_session: bool) -> Result<Learner, ServerFnError> {
    let Resolver(resolve) = use_context::<Resolver>().ok_or_else(|| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "요청 정보를 읽지 못했습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
        )
    })?;
    let session: Session = leptos_axum::extract().await?;
    resolve.learner(session, require_session).await
}

/// Refuses the request with `status` and a Korean message.
pub fn refuse(status: StatusCode, message: impl Into<String>) -> ServerFnError {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::ServerError(message.into())
}

pub fn bad_request(message: impl Into<String>) -> ServerFnError {
    refuse(StatusCode::BAD_REQUEST, message)
}

/// The one table from a cluster error to the status the browser gets: the API server's
/// own status where it gave one.
pub fn cluster_status(e: &cluster::Error) -> StatusCode {
    match e {
        cluster::Error::InvalidValue { .. } | cluster::Error::RevisionNotFound { .. } => {
            StatusCode::BAD_REQUEST
        }
        cluster::Error::Paused { .. } => StatusCode::CONFLICT,
        cluster::Error::Unreachable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        other => other
            .status_code()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// A cluster error as the learner should see it: the API server's status and reason.
pub fn from_cluster(metrics: &Metrics, e: cluster::Error) -> ServerFnError {
    metrics.action(false);
    tracing::warn!(error = %e, "cluster action failed");
    refuse(cluster_status(&e), e.to_string())
}
