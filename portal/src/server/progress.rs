//! Learner progress in the session: loaded once per page request (so components can
//! read it synchronously), visits recorded as lessons are opened, checklist ticks saved.

use axum::Json;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;
use tower_sessions::Session;

use crate::progress::Progress;
use crate::server::{Error, Result};

/// Paths that never need the learner's progress (no session lookup for them).
fn is_asset(path: &str) -> bool {
    ["/pkg/", "/fonts/", "/assets/", "/favicon"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Reads the learner's progress once per page request, so components can use it
/// synchronously. A request without a session cookie costs no database access.
pub async fn load_progress(
    axum::extract::State(state): axum::extract::State<crate::server::PortalState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if is_asset(req.uri().path()) || req.method() != http::Method::GET {
        return next.run(req).await;
    }
    let mut progress: Progress = match session.get(Progress::SESSION_KEY).await {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read progress; continuing without it");
            Progress::default()
        }
    };
    let who = crate::server::learner::who(&state, &session).await.ok();
    let namespace = who
        .as_ref()
        .map_or_else(|| state.namespace().to_owned(), |w| w.namespace.clone());
    if let Some(who) = who {
        req.extensions_mut().insert(who);
    }
    // A passed experiment marks its lesson done.
    for name in state.lab.passed(&namespace) {
        if let Some(spec) = crate::experiments::catalog::find(&name) {
            progress.done.insert(spec.lesson.to_owned());
        }
    }
    req.extensions_mut().insert(progress);
    next.run(req).await
}

/// The progress loaded for this request (empty outside a page request).
pub fn request_progress() -> Progress {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Progress>().cloned())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct ChecklistTick {
    index: u16,
    checked: bool,
}

/// `POST /api/checklist {"index":3,"checked":true}` from the wrap-up lesson's boxes.
pub async fn set_checklist(
    axum::extract::State(state): axum::extract::State<crate::server::PortalState>,
    session: Session,
    Json(tick): Json<ChecklistTick>,
) -> Result<Json<Progress>> {
    if tick.index >= Progress::MAX_CHECKLIST_ITEMS {
        return Err(Error::BadRequest(format!(
            "체크리스트 항목 번호가 올바르지 않습니다: {}",
            tick.index
        )));
    }
    let mut progress: Progress = session
        .get(Progress::SESSION_KEY)
        .await
        .map_err(Error::Session)?
        .unwrap_or_default();
    if tick.checked {
        progress.checklist.insert(tick.index);
    } else {
        progress.checklist.remove(&tick.index);
    }
    session
        .insert(Progress::SESSION_KEY, &progress)
        .await
        .map_err(Error::Session)?;
    mirror(&state, &session, &progress).await;
    Ok(Json(progress))
}

/// In a workshop, keeps a copy of the learner's progress for the host dashboard.
pub async fn mirror(state: &crate::server::PortalState, session: &Session, progress: &Progress) {
    let Some(ws) = &state.workshop else { return };
    let Ok(Some(id)) = session.get::<String>(crate::workshop::SESSION_KEY).await else {
        return;
    };
    if let Err(e) = ws.store.save_progress(&id, progress).await {
        tracing::warn!(error = %e, "could not copy the progress for the host");
    }
}
