//! Probes for running the portal as a pod: `GET /healthz` (the process answers) and
//! `GET /readyz` (lessons loaded, the session store answers). Neither looks at the
//! learners' cluster: the portal serves lessons without one, so a cluster that is down
//! must not restart the portal's pod or take it out of its Service.

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::SessionStore;
use tower_sessions::session::Id;

use crate::server::PortalState;

/// A store slower than this counts as not answering (the kubelet's probe times out too).
const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: always `200 ok` while the process serves HTTP.
pub async fn healthz() -> Response {
    plain(StatusCode::OK, "ok")
}

/// Readiness: `200 ok`, or `503` with the reason in Korean.
pub async fn readyz(State(state): State<PortalState>) -> Response {
    let lessons = state.library().lessons().len();
    let store = match &state.session_store {
        None => StoreCheck::Missing,
        Some(store) => check_store(store).await,
    };
    match not_ready(lessons, store) {
        None => plain(StatusCode::OK, "ok"),
        Some(reason) => plain(StatusCode::SERVICE_UNAVAILABLE, reason),
    }
}

/// What the session store said to a trivial query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreCheck {
    Answered,
    Failed,
    TimedOut,
    Missing,
}

/// Looks up a random session id: one indexed `SELECT` on the sessions table, which
/// proves the file opens, the table exists and the pool hands out connections.
async fn check_store(store: &impl SessionStore) -> StoreCheck {
    match tokio::time::timeout(STORE_TIMEOUT, store.load(&Id::default())).await {
        Ok(Ok(_)) => StoreCheck::Answered,
        Ok(Err(e)) => {
            // The error names the table, never a session's data.
            tracing::warn!(error = %e, "readiness: the session store failed");
            StoreCheck::Failed
        }
        Err(_) => StoreCheck::TimedOut,
    }
}

/// Why the portal cannot take visitors yet, or `None` when it can.
fn not_ready(lessons: usize, store: StoreCheck) -> Option<&'static str> {
    if lessons == 0 {
        return Some("준비 안 됨: 레슨을 아직 불러오지 않았습니다");
    }
    match store {
        StoreCheck::Answered => None,
        StoreCheck::Failed => Some("준비 안 됨: 세션 저장소가 오류를 냈습니다"),
        StoreCheck::TimedOut => Some("준비 안 됨: 세션 저장소가 2초 안에 응답하지 않습니다"),
        StoreCheck::Missing => Some("준비 안 됨: 세션 저장소가 연결되지 않았습니다"),
    }
}

/// Plain text, never cached: a probe must see the state of now.
fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower_sessions_sqlx_store::SqliteStore;

    use super::{StoreCheck, not_ready};
    use crate::server::PortalState;
    use crate::server::test_portal::TestPortal;

    /// A portal on the fixture lessons with no cluster at all (migrated or not).
    async fn portal(migrated: bool) -> (PortalState, SqliteStore, sqlx::SqlitePool) {
        let TestPortal { state, store, pool } =
            crate::server::test_portal::portal(migrated, &[]).await;
        (state, store, pool)
    }

    async fn get(state: &PortalState, store: &SqliteStore, uri: &str) -> (StatusCode, String) {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        let res = crate::server::test_portal::send(state, store, req).await;
        assert_eq!(res.headers()["cache-control"], "no-store", "{uri}");
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn ready_without_any_cluster() {
        let (state, store, _) = portal(true).await;
        assert_eq!(
            get(&state, &store, "/healthz").await,
            (StatusCode::OK, "ok".into())
        );
        assert_eq!(
            get(&state, &store, "/readyz").await,
            (StatusCode::OK, "ok".into())
        );
    }

    #[tokio::test]
    async fn a_broken_store_is_not_ready_but_still_alive() {
        // No sessions table: the probe's SELECT fails.
        let (state, store, _) = portal(false).await;
        let (status, body) = get(&state, &store, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("세션 저장소가 오류"), "{body}");
        assert_eq!(get(&state, &store, "/healthz").await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_closed_or_missing_store_is_not_ready() {
        let (mut state, store, pool) = portal(true).await;
        // A closed pool is closed for every clone of the store.
        pool.close().await;
        let (status, body) = get(&state, &store, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        state.session_store = None;
        let (status, body) = get(&state, &store, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("연결되지 않았습니다"), "{body}");
    }

    #[test]
    fn reasons_are_korean_and_lessons_come_first() {
        assert_eq!(not_ready(3, StoreCheck::Answered), None);
        let none = not_ready(0, StoreCheck::Answered).unwrap();
        assert!(none.contains("레슨"), "{none}");
        assert_eq!(not_ready(0, StoreCheck::Failed), Some(none));
        assert!(not_ready(3, StoreCheck::TimedOut).unwrap().contains("2초"));
    }
}
