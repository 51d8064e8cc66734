//! `GET /api/live?topics=pods,endpoints`: the one stream a tab holds. Each topic starts
//! with a snapshot and its health, then carries deltas. A tab that cannot keep up gets
//! a fresh snapshot instead of an ever-growing queue; the response body itself is only
//! produced as fast as the socket takes it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::cluster::watch::Feed;
use crate::live::{Topic, Wire};
use crate::server::{Error, PortalState, Result};

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    #[serde(default)]
    topics: String,
}

/// Checked list of topics: known names only, no duplicates, at least one.
pub fn parse_topics(raw: &str) -> Result<Vec<Topic>> {
    let mut topics = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let topic = Topic::parse(name).ok_or_else(|| {
            Error::BadRequest(format!(
                "알 수 없는 라이브 주제입니다: '{}' (쓸 수 있는 것: {})",
                name.chars().take(40).collect::<String>(),
                Topic::ALL.map(Topic::as_str).join(", ")
            ))
        })?;
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    if topics.is_empty() {
        return Err(Error::BadRequest(
            "topics 에 받을 주제를 하나 이상 적어 주세요 (예: ?topics=pods)".into(),
        ));
    }
    Ok(topics)
}

pub async fn stream_handler(
    State(state): State<PortalState>,
    session: tower_sessions::Session,
    Query(query): Query<LiveQuery>,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let topics = parse_topics(&query.topics)?;
    // The cluster's own state (nodes, for the header chip) is for everyone — in a
    // workshop, for everyone with a session; the rest needs a learner.
    let (namespace, learner) = match crate::server::learner::who(&state, &session).await {
        Ok(who) => (who.namespace, who.learner.map(|l| l.id)),
        Err(_)
            if topics.iter().all(|t| *t == Topic::Nodes)
                && (state.workshop.is_none() || session.id().is_some()) =>
        {
            (String::new(), None)
        }
        Err(e) => return Err(e),
    };
    // Loaded, so a cookie naming no stored session counts as none.
    let _ = session.get_value(crate::workshop::SESSION_KEY).await;
    let session_id = session.id().map(|id| id.to_string());
    let slot = state
        .live_slots
        .take(session_id.as_deref())
        .ok_or_else(|| {
            Error::TooManyRequests(
                "열린 라이브 연결이 너무 많습니다. 쓰지 않는 탭을 닫으면 잠시 뒤 다시 연결됩니다."
                    .into(),
            )
        })?;
    let feeds: Vec<_> = topics
        .into_iter()
        .map(|t| state.hub.feed(&namespace, t))
        .collect();
    state.metrics.live_connections_opened();
    let guard = ConnectionGuard {
        state: state.clone(),
        seen: learner.clone().map(|id| keep_seen(&state, id)),
        _slot: slot,
    };
    let mut shutdown = state.shutdown.clone();
    // A learner the host removed (or the idle sweep, or the end of the workshop) loses
    // the stream at once; the browser's reconnect then meets the Korean 401.
    let removed = removal(&state, learner.clone());
    let stopped = async move {
        tokio::select! {
            _ = shutdown.wait_for(|stopping| *stopping) => {}
            () = removed => {}
        }
    };
    let hello = stream::once(async {
        Ok(Event::default()
            .retry(Duration::from_secs(2))
            .comment("live"))
    });
    let merged =
        stream::select_all(feeds.into_iter().map(|f| topic_stream(f).boxed())).map(move |wire| {
            let _alive = &guard;
            Ok(Event::default().data(serde_json::to_string(&wire).unwrap_or_default()))
        });
    Ok(Sse::new(hello.chain(merged).take_until(stopped))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Resolves when `learner` leaves the workshop; never for a stream without a learner.
fn removal(state: &PortalState, learner: Option<String>) -> impl Future<Output = ()> + use<> {
    let workshop = state.workshop.clone();
    async move {
        match (workshop, learner) {
            (Some(ws), Some(id)) => ws.store.gone(&id).await,
            _ => std::future::pending().await,
        }
    }
}

/// Counts the stream as closed when the browser goes away, stops marking its learner
/// as seen, and frees its slot.
struct ConnectionGuard {
    state: PortalState,
    seen: Option<tokio::task::JoinHandle<()>>,
    _slot: super::live_slots::Slot,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.state.metrics.live_connections_closed();
        if let Some(task) = self.seen.take() {
            task.abort();
        }
    }
}

/// A learner reading with a tab open is not idle: seen once a minute while it streams.
fn keep_seen(state: &PortalState, learner: String) -> tokio::task::JoinHandle<()> {
    let workshop = state.workshop.clone();
    tokio::spawn(async move {
        let Some(ws) = workshop else { return };
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = ws.store.touch(&learner).await {
                tracing::warn!(error = %e, "could not mark the learner active");
            }
        }
    })
}

fn state_wire(feed: &Feed) -> Wire {
    let health = feed.health();
    Wire::State {
        topic: feed.topic,
        state: health.state,
        message: health.message,
    }
}

fn topic_stream(feed: Arc<Feed>) -> impl Stream<Item = Wire> {
    async_stream::stream! {
        let mut sub = feed.subscribe();
        yield state_wire(&feed);
        yield sub.snapshot;
        loop {
            tokio::select! {
                change = sub.changes.recv() => match change {
                    Ok(wire) => yield wire,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(topic = feed.topic.as_str(), missed, "slow tab; sending a fresh snapshot");
                        sub = feed.subscribe();
                        yield sub.snapshot.clone();
                    }
                    Err(RecvError::Closed) => break,
                },
                changed = sub.health.changed() => {
                    if changed.is_err() { break; }
                    yield state_wire(&feed);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;

    use super::parse_topics;
    use crate::live::Topic;
    use crate::server::live_slots::Slots;
    use crate::server::test_portal::portal;

    fn live(topics: &str) -> Request<Body> {
        Request::get(format!("/api/live?topics={topics}"))
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn streams_past_the_cap_are_refused_in_korean() {
        let mut p = portal(true, &[]).await;
        p.state.live_slots = Arc::new(Slots::new(10, 2, 1));
        let first = p.send(live("nodes")).await;
        assert_eq!(first.status(), 200);
        let second = p.send(live("nodes")).await;
        assert_eq!(second.status(), 429);
        drop(first);
        assert_eq!(
            p.send(live("nodes")).await.status(),
            200,
            "freed when closed"
        );
    }

    #[tokio::test]
    async fn in_a_workshop_even_the_node_chip_needs_a_session() {
        let p = portal(true, &[("PORTAL_WORKSHOP_CODE", "c")]).await;
        assert_eq!(p.send(live("nodes")).await.status(), 401);
    }

    #[test]
    fn topics_are_checked() {
        assert_eq!(
            parse_topics("pods, pods,logs").ok(),
            Some(vec![Topic::Pods, Topic::Logs])
        );
        assert!(parse_topics("").is_err());
        assert!(parse_topics("pods,secrets").is_err());
    }
}
