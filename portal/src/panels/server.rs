//! What every panel's server function needs (server only): the learner's namespace and
//! cluster client, the session check, and errors turned into Korean answers with the
//! right HTTP status. Internals are logged, never sent.

use axum::http::StatusCode;
use kube::Client;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use crate::cluster;
use crate::server::PortalState;

/// The learner an action is done for.
#[derive(Clone)]
pub struct Learner {
    pub state: PortalState,
    pub namespace: String,
    /// Impersonating the learner in a workshop, so the API server enforces the namespace.
    pub client: Client,
    /// The namespace was made by the portal (workshop): the release must not own it.
    pub in_workshop: bool,
    /// The portal's own identity, only for cluster-wide reads (the node's images).
    pub portal_client: Client,
}

impl std::fmt::Debug for Learner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Learner")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Learner {
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
        .map_err(|e| from_cluster(&self.state, e))?;
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

/// A cluster error as the learner should see it: the API server's status and reason.
pub fn from_cluster(state: &PortalState, e: cluster::Error) -> ServerFnError {
    state.metrics.action(false);
    let status = match &e {
        cluster::Error::InvalidValue { .. } | cluster::Error::RevisionNotFound { .. } => {
            StatusCode::BAD_REQUEST
        }
        cluster::Error::Paused { .. } => StatusCode::CONFLICT,
        cluster::Error::Unreachable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        other => other
            .status_code()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    };
    tracing::warn!(error = %e, "cluster action failed");
    refuse(status, e.to_string())
}

/// A server-side error as a server function answers it.
pub fn from_server(e: crate::server::Error) -> ServerFnError {
    use crate::server::Error as E;
    let status = match &e {
        E::BadRequest(_) => StatusCode::BAD_REQUEST,
        E::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        E::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        E::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        E::Cluster(_) => StatusCode::BAD_GATEWAY,
        other => {
            tracing::error!(error = %other, "server function failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "일시적인 오류가 발생했습니다. 잠시 뒤 다시 시도해 주세요.",
            );
        }
    };
    refuse(status, e.to_string())
}

/// The learner behind this request. State-changing calls need an existing session (the
/// lesson page creates it), on top of the Origin check every POST passes, and count
/// against the learner's rate limit in a workshop.
pub async fn learner(require_session: bool) -> Result<Learner, ServerFnError> {
    let state = expect_context::<PortalState>();
    let session: Session = leptos_axum::extract().await?;
    if require_session {
        // Loading resolves whether the cookie names a stored session.
        let _ = session
            .get_value(crate::progress::Progress::SESSION_KEY)
            .await;
        if session.id().is_none() {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "세션이 없습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
            ));
        }
        if !crate::server::access::allowed(&state, &session).await {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "이 포털은 접근 토큰이 있어야 클러스터를 바꿀 수 있습니다. 포털을 연 사람에게 받은 주소(?access=…)로 한 번 열어 주세요.",
            ));
        }
    }
    let who = crate::server::learner::who(&state, &session)
        .await
        .map_err(from_server)?;
    if require_session {
        crate::server::learner::allow_action(&state, &who).map_err(from_server)?;
    } else {
        let session_id = session.id().map(|id| id.to_string());
        crate::server::learner::allow_read(&state, &who, session_id.as_deref())
            .map_err(from_server)?;
    }
    let client = crate::server::learner::client_for(&state, &who).map_err(from_server)?;
    let Some(connected) = state.hub.conn().now() else {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            cluster::watch::NO_CLUSTER,
        ));
    };
    Ok(Learner {
        portal_client: connected.client,
        namespace: who.namespace,
        client,
        in_workshop: state.workshop.is_some(),
        state,
    })
}
