//! Who a request acts for. Single-learner mode: the configured namespace, the portal's
//! own client. Workshop mode: the learner in the session, their namespace, and a client
//! impersonating their ServiceAccount — so the API server refuses anything outside it.

use std::time::Instant;

use kube::Client;
use tower_sessions::Session;

use crate::cluster::watch::NO_CLUSTER;
use crate::server::{Error, PortalState, Result};
use crate::workshop::{LearnerRecord, SESSION_KEY};

pub const NOT_JOINED: &str =
    "워크숍에 참가한 뒤에 쓸 수 있습니다. /join 에서 참가 코드와 이름을 입력해 주세요.";

/// The namespace (and, in a workshop, the learner) behind a request.
#[derive(Debug, Clone)]
pub struct Who {
    pub namespace: String,
    pub learner: Option<LearnerRecord>,
}

/// Resolves the request's learner; in workshop mode one must have joined.
pub async fn who(state: &PortalState, session: &Session) -> Result<Who> {
    let Some(ws) = &state.workshop else {
        return Ok(Who {
            namespace: state.namespace().to_owned(),
            learner: None,
        });
    };
    let id: Option<String> = session.get(SESSION_KEY).await.map_err(Error::Session)?;
    let Some(id) = id else {
        return Err(Error::Unauthorized(NOT_JOINED.into()));
    };
    let learner = ws.store.get(&id).await.map_err(Error::Store)?;
    let Some(learner) = learner else {
        // Removed by the host or the idle TTL.
        return Err(Error::Unauthorized(NOT_JOINED.into()));
    };
    if let Err(e) = ws.store.touch(&id).await {
        tracing::warn!(error = %e, "could not mark the learner active");
    }
    Ok(Who {
        namespace: learner.namespace.clone(),
        learner: Some(learner),
    })
}

/// The client to act with for `who`.
pub fn client_for(state: &PortalState, who: &Who) -> Result<Client> {
    let connected = state
        .hub
        .conn()
        .now()
        .ok_or_else(|| Error::Unavailable(NO_CLUSTER.to_owned()))?;
    if state.workshop.is_none() {
        return Ok(connected.client);
    }
    connected
        .acting_as(&crate::cluster::workshop::learner_user(&who.namespace))
        .map_err(Error::from)
}

/// A call that only reads from the cluster, by `who` (or, with one learner, by the
/// session `session`): a larger budget than actions, but counted too — a script polling a
/// panel's server function would otherwise reach the API server unchecked.
pub fn allow_read(state: &PortalState, who: &Who, session: Option<&str>) -> Result<()> {
    let key = match (&who.learner, session) {
        (Some(l), _) => format!("learner:{}", l.id),
        (None, Some(id)) => format!("session:{id}"),
        (None, None) => "anonymous".to_owned(),
    };
    state
        .cluster_reads
        .check(&key, Instant::now())
        .map_err(|wait| {
            Error::TooManyRequests(format!(
                "조회가 너무 잦습니다. {wait}초 뒤에 다시 시도해 주세요."
            ))
        })
}

/// A state-changing action by `who`: counted against their rate limit in a workshop.
pub fn allow_action(state: &PortalState, who: &Who) -> Result<()> {
    let (Some(ws), Some(learner)) = (&state.workshop, &who.learner) else {
        return Ok(());
    };
    ws.limiter
        .check(&learner.id, Instant::now())
        .map_err(|wait| {
            Error::TooManyRequests(format!(
                "요청이 너무 잦습니다. {wait}초 뒤에 다시 시도해 주세요."
            ))
        })
}

#[cfg(test)]
mod tests {
    use crate::server::test_portal::portal;

    /// A script polling a read-only panel call: counted, then 429 in Korean.
    #[tokio::test]
    async fn read_only_cluster_calls_are_counted_too() {
        let p = portal(true, &[]).await;
        for _ in 0..120 {
            let (status, _, body) = p.call("release-options", "", [127, 0, 0, 1], None).await;
            assert_ne!(status, 429, "{body}");
        }
        let (status, _, body) = p.call("release-options", "", [127, 0, 0, 1], None).await;
        assert_eq!(status, 429, "{body}");
        assert!(body.contains("조회가 너무 잦습니다"), "{body}");
    }
}
