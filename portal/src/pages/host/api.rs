//! The host's server functions: the board once, following it live, reset / remove a
//! learner, end the workshop. All need the host token, or a session it was given in.

#[cfg(feature = "ssr")]
use axum::http::StatusCode;
use leptos::prelude::*;

use super::Board;

#[cfg(feature = "ssr")]
fn host() -> Result<
    (
        crate::server::PortalState,
        std::sync::Arc<crate::workshop::Workshop>,
    ),
    ServerFnError,
> {
    let state = expect_context::<crate::server::PortalState>();
    let ws = state
        .workshop
        .clone()
        .ok_or_else(|| crate::request::bad_request("이 포털은 워크숍 모드가 아닙니다."))?;
    Ok((state, ws))
}

/// A failure whose details are for the log only.
#[cfg(feature = "ssr")]
fn internal(what: &'static str, e: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %e, what, "host request failed");
    crate::request::refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "요청을 처리하지 못했습니다. 잠시 뒤 다시 시도해 주세요. (자세한 내용은 포털 로그에 있습니다)",
    )
}

/// A cluster failure removing a learner, said without the API server's words.
#[cfg(feature = "ssr")]
fn not_removed(e: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(error = %e, "could not remove a learner");
    crate::request::refuse(
        StatusCode::BAD_GATEWAY,
        "클러스터에서 참가자의 네임스페이스를 지우지 못했습니다. 잠시 뒤 다시 시도해 주세요.",
    )
}

/// A given token, checked against the limit on wrong guesses.
#[cfg(feature = "ssr")]
async fn token_given(ws: &crate::workshop::Workshop, token: &str) -> Result<(), ServerFnError> {
    let trust_forwarded = expect_context::<crate::server::PortalState>()
        .config
        .trust_forwarded;
    let keys = crate::workshop::guard::before_guess(&ws.guesses, trust_forwarded).await?;
    if ws.token_matches(token) {
        return Ok(());
    }
    ws.guesses.failed(&keys, std::time::Instant::now());
    Err(crate::request::refuse(
        StatusCode::FORBIDDEN,
        "진행자 토큰이 맞지 않습니다.",
    ))
}

/// The token, or — when none is given — a session in which it was given before.
#[cfg(feature = "ssr")]
async fn check(ws: &crate::workshop::Workshop, token: &str) -> Result<(), ServerFnError> {
    if !token.is_empty() {
        return token_given(ws, token).await;
    }
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    let mark: Option<String> = session
        .get(crate::workshop::HOST_SESSION_KEY)
        .await
        .ok()
        .flatten();
    if ws.is_host(mark.as_deref()) {
        return Ok(());
    }
    Err(crate::request::refuse(
        StatusCode::FORBIDDEN,
        "진행자 토큰이 맞지 않습니다.",
    ))
}

#[server(prefix = "/api", endpoint = "host-overview")]
pub async fn host_overview(token: String) -> Result<Board, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token).await?;
    let learners = ws
        .store
        .all()
        .await
        .map_err(|e| internal("learner store", e))?;
    let quotas = match state.hub.conn().now() {
        Some(c) => {
            let namespaces: Vec<String> = learners.iter().map(|l| l.namespace.clone()).collect();
            crate::workshop::board::quotas(&c.client, &namespaces).await
        }
        None => Default::default(),
    };
    Ok(Board {
        joining: ws.joining_open().await,
        learners: crate::workshop::board::rows(&state.lab, learners, &quotas),
    })
}

/// Opens or closes joining (the workshop's start, and a pause when the room is full).
#[server(prefix = "/api", endpoint = "host-joining")]
pub async fn host_joining(token: String, open: bool) -> Result<String, ServerFnError> {
    let (_, ws) = host()?;
    check(&ws, &token).await?;
    ws.set_joining(open)
        .await
        .map_err(|e| internal("joining", e))?;
    tracing::info!(open, "joining changed by the host");
    Ok(if open {
        "참가를 열었습니다: 참가 코드로 들어올 수 있습니다.".into()
    } else {
        "참가를 닫았습니다: 이미 참가한 사람은 그대로 씁니다.".into()
    })
}

/// Lets this browser's session follow the board live (`/api/host/live`) without the
/// token in a URL.
#[server(prefix = "/api", endpoint = "host-login")]
pub async fn host_login(token: String) -> Result<(), ServerFnError> {
    let (_, ws) = host()?;
    token_given(&ws, &token).await?;
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    // A new id on login: a session id planted before (fixation) gets no host rights.
    session
        .cycle_id()
        .await
        .map_err(|e| internal("session", e))?;
    session
        .insert(crate::workshop::HOST_SESSION_KEY, ws.host_mark())
        .await
        .map_err(|e| internal("session", e))?;
    Ok(())
}

/// Ends this browser's host rights (the board stops following).
#[server(prefix = "/api", endpoint = "host-logout")]
pub async fn host_logout() -> Result<String, ServerFnError> {
    let _ = host()?;
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    session
        .remove::<String>(crate::workshop::HOST_SESSION_KEY)
        .await
        .map_err(|e| internal("session", e))?;
    session
        .cycle_id()
        .await
        .map_err(|e| internal("session", e))?;
    Ok("로그아웃했습니다. 다시 보려면 진행자 토큰을 넣어 주세요.".into())
}

/// `remove` deletes the learner and their namespace; otherwise their release is reset.
#[server(prefix = "/api", endpoint = "host-learner")]
pub async fn host_learner(
    token: String,
    id: String,
    remove: bool,
) -> Result<String, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token).await?;
    let learner = ws
        .store
        .get(&id)
        .await
        .map_err(|e| internal("learner store", e))?
        .ok_or_else(|| crate::request::bad_request("그런 참가자가 없습니다."))?;
    let connected = state.hub.conn().now().ok_or_else(|| {
        crate::request::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::cluster::watch::NO_CLUSTER,
        )
    })?;
    if remove {
        ws.remove(&connected.client, &learner)
            .await
            .map_err(not_removed)?;
        return Ok(format!(
            "{} 님과 네임스페이스 {} 를 지웠습니다.",
            learner.name, learner.namespace
        ));
    }
    crate::cluster::release::uninstall_from(
        &connected.client,
        &learner.namespace,
        crate::cluster::release::RELEASE,
        &state.chart.meta,
        false,
    )
    .await
    .map_err(|e| crate::request::from_cluster(&state.metrics, e))?;
    Ok(format!(
        "{} 님의 릴리스를 지웠습니다 (네임스페이스는 그대로).",
        learner.name
    ))
}

/// Ends the workshop: every learner and namespace is removed.
#[server(prefix = "/api", endpoint = "host-end")]
pub async fn host_end(token: String) -> Result<String, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token).await?;
    let Some(connected) = state.hub.conn().now() else {
        return Err(crate::request::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::cluster::watch::NO_CLUSTER,
        ));
    };
    let all = ws
        .store
        .all()
        .await
        .map_err(|e| internal("learner store", e))?;
    for l in &all {
        ws.remove(&connected.client, l).await.map_err(not_removed)?;
    }
    Ok(format!(
        "워크숍을 마쳤습니다: 참가자 {}명과 네임스페이스를 지웠습니다.",
        all.len()
    ))
}
