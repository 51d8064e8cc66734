//! A page cache for visitors without a session. Their pages depend only on the lessons
//! (no progress to show), so each lesson page is rendered once and then served from
//! memory; the cache is bounded by the number of lessons and cleared on re-load.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use crate::server::PortalState;

/// Rendered pages by path, tagged with the library generation they were made from.
#[derive(Debug, Default, Clone)]
pub struct PageCache {
    pages: Arc<RwLock<HashMap<String, (u64, Bytes)>>>,
}

impl PageCache {
    fn get(&self, path: &str, generation: u64) -> Option<Bytes> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages
            .get(path)
            .filter(|(g, _)| *g == generation)
            .map(|(_, b)| b.clone())
    }

    fn put(&self, path: String, generation: u64, body: Bytes) {
        self.pages
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path, (generation, body));
    }
}

/// Which paths are cacheable: the landing page and existing lessons, without a query.
fn cacheable(state: &PortalState, req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.uri().query().is_some() || has_session(req.headers()) {
        return None;
    }
    let path = req.uri().path();
    let known = path == "/"
        || path
            .strip_prefix("/lessons/")
            .is_some_and(|id| state.library().get(id).is_some());
    known.then(|| path.to_owned())
}

fn has_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(crate::server::SESSION_COOKIE))
}

pub async fn anonymous_pages(
    State(state): State<PortalState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(path) = cacheable(&state, &req) else {
        return next.run(req).await;
    };
    let generation = state.generation();
    if let Some(body) = state.page_cache.get(&path, generation) {
        return html(body);
    }
    let response = next.run(req).await;
    // A page that set a cookie or failed is not the same for everyone: pass it on.
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match body.collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            state.page_cache.put(path, generation, bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "could not render a page");
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

fn html(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
