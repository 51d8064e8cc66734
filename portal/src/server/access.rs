//! `PORTAL_ACCESS_TOKEN`: single-learner mode on a network. Single-learner mode has no
//! login, so whoever reaches the portal could install and remove releases; with a token
//! set, a browser opens any page once with `?access=<token>` and only that session may
//! change the cluster (reading lessons and watching panels stays open). Wrong tokens
//! count against the same per-address cap as join codes.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::server::PortalState;
use crate::workshop::constant_time_eq;

/// The session key saying the access token was given in this browser.
pub const ACCESS_KEY: &str = "access";

/// Takes `?access=…` off any GET: a right token marks the session (with a new id) and
/// redirects to the same address without it, so the token does not stay in the history.
pub async fn grant(
    State(state): State<PortalState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let Some(token) = state.config.access_token.as_ref() else {
        return next.run(req).await;
    };
    let Some(given) = access_param(req.uri()) else {
        return next.run(req).await;
    };
    let key = [req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "addr:?".to_owned(),
            |ConnectInfo(a)| format!("addr:{}", a.ip()),
        )];
    if let Err(wait) = state.access_guesses.allowed(&key, Instant::now()) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!("틀린 시도가 너무 많습니다. {wait}초 뒤에 다시 시도해 주세요."),
        );
    }
    if !constant_time_eq(token.expose().as_bytes(), given.as_bytes()) {
        state.access_guesses.failed(&key, Instant::now());
        return refuse(
            StatusCode::FORBIDDEN,
            "접근 토큰이 맞지 않습니다. 포털을 연 사람에게 받은 주소를 그대로 열어 주세요.".into(),
        );
    }
    let saved = async {
        session.cycle_id().await?;
        session.insert(ACCESS_KEY, true).await
    };
    if let Err(e) = saved.await {
        tracing::error!(error = %e, "session store");
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "세션을 저장하지 못했습니다. 잠시 뒤 다시 시도해 주세요.".into(),
        );
    }
    tracing::info!("access token given; this session may change the cluster");
    let path = req.uri().path().to_owned();
    (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response()
}

/// Whether this session may change the cluster (always, without an access token).
pub async fn allowed(state: &PortalState, session: &Session) -> bool {
    state.config.access_token.is_none()
        || session
            .get::<bool>(ACCESS_KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or(false)
}

fn access_param(uri: &http::Uri) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Access {
        access: Option<String>,
    }
    uri.query()?;
    axum::extract::Query::<Access>::try_from_uri(uri)
        .ok()?
        .0
        .access
}

fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use std::net::SocketAddr;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{Request, header};

    use super::access_param;
    use crate::server::test_portal::{TestPortal, portal};

    const TOKEN: &str = "a-long-enough-token";

    /// `GET path` from 192.0.2.9: (status, the session cookie it set).
    async fn open(p: &TestPortal, path: &str) -> (u16, Option<String>) {
        let mut req = Request::get(path).body(Body::empty()).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 9], 5555))));
        let res = p.send(req).await;
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .and_then(|kv| kv.split_once('=').map(|(_, v)| v.to_owned()));
        (res.status().as_u16(), cookie)
    }

    #[tokio::test]
    async fn only_a_session_that_gave_the_token_may_change_the_cluster() {
        let p = portal(true, &[("PORTAL_ACCESS_TOKEN", TOKEN)]).await;
        // A session that never gave the token (a checklist tick makes one).
        let tick = Request::post("/api/checklist")
            .header(header::HOST, "portal.test")
            .header(header::ORIGIN, "http://portal.test")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"index":1,"checked":true}"#))
            .unwrap();
        let res = p.send(tick).await;
        let plain = res.headers()[header::SET_COOKIE].to_str().unwrap();
        let plain = plain
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        let (status, _, body) = p
            .call("release-install", "", [192, 0, 2, 9], Some(&plain))
            .await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("접근 토큰"), "{body}");
        // Five wrong tokens, then even the right one waits.
        for _ in 0..5 {
            assert_eq!(open(&p, "/lessons/x?access=guess").await.0, 403);
        }
        assert_eq!(open(&p, &format!("/?access={TOKEN}")).await.0, 429);
        // A fresh portal (a new minute for the cap).
        let p = portal(true, &[("PORTAL_ACCESS_TOKEN", TOKEN)]).await;
        let (status, granted) = open(&p, &format!("/lessons/1-1?access={TOKEN}")).await;
        assert_eq!(status, 303);
        let granted = granted.expect("a session for the token");
        let (status, _, body) = p
            .call("release-install", "", [192, 0, 2, 9], Some(&granted))
            .await;
        assert_eq!(
            status, 503,
            "past the token, on to the (missing) cluster: {body}"
        );
    }

    #[test]
    fn the_token_is_read_from_the_query() {
        let uri = |s: &str| s.parse::<http::Uri>().expect("a URI");
        assert_eq!(
            access_param(&uri("/x?a=1&access=t%2Bk")),
            Some("t+k".into())
        );
        assert_eq!(access_param(&uri("/x?a=1")), None);
        assert_eq!(access_param(&uri("/x")), None);
    }
}
