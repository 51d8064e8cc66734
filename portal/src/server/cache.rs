//! A page cache for visitors without a session. Their pages depend only on the lessons
//! (no progress to show), so each lesson page is rendered once and then served from
//! memory, plain or gzip-compressed once; the cache is bounded by the number of lessons
//! and cleared on re-load. It is the router's outermost layer: a hit passes no other.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use crate::server::PortalState;

/// A rendered page, as is and gzip-compressed.
#[derive(Debug, Clone)]
struct Page {
    generation: u64,
    plain: Bytes,
    gzip: Bytes,
}

/// Rendered pages by path, tagged with the library generation they were made from.
#[derive(Debug, Default, Clone)]
pub struct PageCache {
    pages: Arc<RwLock<HashMap<String, Page>>>,
}

impl PageCache {
    fn get(&self, path: &str, generation: u64) -> Option<Page> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages
            .get(path)
            .filter(|p| p.generation == generation)
            .cloned()
    }

    fn put(&self, path: String, page: Page) {
        self.pages
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path, page);
    }
}

fn gzip(plain: &[u8]) -> std::io::Result<Bytes> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(plain)?;
    Ok(encoder.finish()?.into())
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
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
    mut req: Request,
    next: Next,
) -> Response {
    let Some(path) = cacheable(&state, &req) else {
        return next.run(req).await;
    };
    let generation = state.generation();
    let wants_gzip = accepts_gzip(req.headers());
    if let Some(page) = state.page_cache.get(&path, generation) {
        return html(page, wants_gzip);
    }
    // Rendered plain below (the compression layer stays out of it); compressed here, once.
    req.headers_mut().remove(header::ACCEPT_ENCODING);
    let response = next.run(req).await;
    // A page that set a cookie or failed is not the same for everyone: pass it on.
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (_, body) = response.into_parts();
    let collected = body.collect().await.map_err(|e| e.to_string());
    match collected.and_then(|c| {
        let plain = c.to_bytes();
        let gzip = gzip(&plain).map_err(|e| e.to_string())?;
        Ok(Page {
            generation,
            plain,
            gzip,
        })
    }) {
        Ok(page) => {
            state.page_cache.put(path, page.clone());
            html(page, wants_gzip)
        }
        Err(e) => {
            tracing::error!(error = %e, "could not render a page");
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

fn html(page: Page, gzip: bool) -> Response {
    let body = if gzip { page.gzip } else { page.plain };
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
    if gzip {
        headers.insert(
            header::CONTENT_ENCODING,
            header::HeaderValue::from_static("gzip"),
        );
    }
    response
}
