//! The server's side of [`crate::request`]: finding the learner behind a request from the
//! session, the workshop's records and the portal's limits, and a server error as a
//! server function answers it.

use axum::http::StatusCode;
use futures::future::BoxFuture;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::cluster;
use crate::request::{Learner, Resolve, refuse};
use crate::server::{Error, PortalState};

/// A server-side error as a server function answers it: the same status table as the
/// HTTP handlers (`Error::status`), internals logged and never sent.
pub fn from_server(e: Error) -> ServerFnError {
    refuse(e.status(), e.public_message())
}

impl Resolve for PortalState {
    fn learner<'a>(
        &'a self,
        session: Session,
        require_session: bool,
    ) -> BoxFuture<'a, Result<Learner, ServerFnError>> {
        Box::pin(resolve(self, session, require_session))
    }
}

async fn resolve(
    state: &PortalState,
    session: Session,
    require_session: bool,
) -> Result<Learner, ServerFnError> {
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
        if !super::access::allowed(state, &session).await {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "이 포털은 접근 토큰이 있어야 클러스터를 바꿀 수 있습니다. 포털을 연 사람에게 받은 주소(?access=…)로 한 번 열어 주세요.",
            ));
        }
    }
    let who = super::learner::who(state, &session)
        .await
        .map_err(from_server)?;
    if require_session {
        super::learner::allow_action(state, &who).map_err(from_server)?;
    } else {
        let session_id = session.id().map(|id| id.to_string());
        super::learner::allow_read(state, &who, session_id.as_deref()).map_err(from_server)?;
    }
    learner_in(state, who.namespace).map_err(from_server)
}

/// The request context for `namespace`: the client that acts there (impersonating the
/// learner in a workshop) and the portal's own. Also used for work no request asked for
/// (resetting a vanished replica's run, `server/singleton.rs`).
pub fn learner_in(state: &PortalState, namespace: String) -> crate::server::Result<Learner> {
    let who = super::learner::Who {
        namespace,
        learner: None,
    };
    let client = super::learner::client_for(state, &who)?;
    let connected = state
        .hub
        .conn()
        .now()
        .ok_or_else(|| Error::Unavailable(cluster::watch::NO_CLUSTER.to_owned()))?;
    Ok(Learner {
        portal_client: connected.client,
        namespace: who.namespace,
        client,
        in_workshop: state.workshop.is_some(),
        chart: state.chart.clone(),
        metrics: state.metrics.clone(),
    })
}

/// What server functions find in the Leptos context: the state (for pages), the
/// request context's resolver, and the experiment lab.
pub fn provide(state: &PortalState) {
    provide_context(state.clone());
    provide_context(crate::request::Resolver(std::sync::Arc::new(state.clone())));
    provide_context(state.lab.clone());
}
