//! `GET /api/host/live`: the host dashboard, pushed. Needs a session in which the host
//! token was given (`host-login`). A new board goes out when a learner joins, saves
//! progress or is removed, and otherwise when a re-read (every few seconds: experiment
//! verdicts; quota use every 15 s) differs from the last one sent — never the same board
//! twice.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{Stream, StreamExt};

use crate::server::{Error, PortalState, Result};
use crate::workshop::{HOST_SESSION_KEY, board};

const REREAD: Duration = Duration::from_secs(3);
const QUOTA_EVERY: Duration = Duration::from_secs(15);

pub async fn stream_handler(
    State(state): State<PortalState>,
    session: tower_sessions::Session,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let Some(ws) = state.workshop.clone() else {
        return Err(Error::BadRequest(
            "이 포털은 워크숍 모드가 아닙니다.".into(),
        ));
    };
    // A stored mark of an older token (or an unreadable one) is no host.
    let mark: Option<String> = session.get(HOST_SESSION_KEY).await.ok().flatten();
    if !ws.is_host(mark.as_deref()) {
        return Err(Error::Unauthorized(
            "진행자 토큰을 먼저 넣어 주세요.".into(),
        ));
    }
    let mut shutdown = state.shutdown.clone();
    let stopped = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    let boards = async_stream::stream! {
        let mut changes = ws.store.changes();
        let mut tick = tokio::time::interval(REREAD);
        let mut quotas: HashMap<String, Vec<String>> = HashMap::new();
        let mut quotas_read: Option<Instant> = None;
        let mut last = String::new();
        loop {
            match ws.store.all().await {
                Ok(learners) => {
                    let stale = quotas_read.is_none_or(|t| t.elapsed() >= QUOTA_EVERY)
                        || learners.iter().any(|l| !quotas.contains_key(&l.namespace));
                    if stale && let Some(c) = state.hub.conn().now() {
                        let namespaces: Vec<String> =
                            learners.iter().map(|l| l.namespace.clone()).collect();
                        quotas = board::quotas(&c.client, &namespaces).await;
                        quotas_read = Some(Instant::now());
                    }
                    let board = crate::live::Board {
                        joining: ws.joining_open().await,
                        learners: board::rows(&state.lab, learners, &quotas),
                    };
                    let json = serde_json::to_string(&board).unwrap_or_default();
                    if json != last {
                        yield Ok(Event::default().data(&json));
                        last = json;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "host board: could not read the learners"),
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break },
                _ = tick.tick() => {}
            }
        }
    };
    let hello = futures::stream::once(async {
        Ok(Event::default()
            .retry(Duration::from_secs(2))
            .comment("host"))
    });
    Ok(Sse::new(hello.chain(boards).take_until(stopped))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
