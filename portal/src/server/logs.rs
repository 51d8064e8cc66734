//! `GET /api/logs?pod=…&tail=…&since=…&previous=1`: one pod's log as a text download
//! (`kubectl logs`). Only pods of the learner's release; bounds on every number.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::cluster::traffic::is_release_pod;
use crate::cluster::watch::logs;
use crate::server::{Error, PortalState, Result};

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    pod: String,
    tail: Option<String>,
    since: Option<String>,
    previous: Option<String>,
}

fn bounded(raw: Option<&str>, name: &str, max: i64) -> Result<Option<i64>> {
    let Some(raw) = raw.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match raw.parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::BadRequest(format!(
            "{name} 는 1 에서 {max} 사이의 숫자여야 합니다 (받은 값: {})",
            raw.chars().take(20).collect::<String>()
        ))),
    }
}

pub async fn download(
    State(state): State<PortalState>,
    session: tower_sessions::Session,
    Query(q): Query<LogQuery>,
) -> Result<impl IntoResponse> {
    let tail = bounded(q.tail.as_deref(), "tail", 5000)?;
    let since = bounded(q.since.as_deref(), "since", 86_400)?;
    let previous = matches!(q.previous.as_deref(), Some("1" | "true"));
    let who = crate::server::learner::who(&state, &session).await?;
    let session_id = session.id().map(|id| id.to_string());
    crate::server::learner::allow_read(&state, &who, session_id.as_deref())?;
    let client = crate::server::learner::client_for(&state, &who)?;
    let ns = who.namespace.as_str();
    let mine = is_release_pod(&client, ns, crate::cluster::release::RELEASE, &q.pod).await?;
    if !mine {
        return Err(Error::BadRequest(format!(
            "이 네임스페이스({ns})의 hello 파드가 아닙니다: '{}'",
            q.pod.chars().take(80).collect::<String>()
        )));
    }
    let text = logs::fetch(&client, ns, &q.pod, tail, since, previous).await?;
    let file = format!(
        "attachment; filename=\"{}{}.log\"",
        q.pod,
        if previous { "-previous" } else { "" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        text,
    ))
}
