//! Cross-site request protection: every state-changing request must come from a page
//! of this portal. Browsers send `Origin` on cross-origin and on same-origin POSTs; a
//! request without it (curl, scripts) is also refused.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    let allowed = match (origin, host) {
        (Some(origin), Some(host)) => origin_host(origin) == Some(host),
        _ => false,
    };
    if !allowed {
        tracing::warn!(method = %req.method(), path = req.uri().path(), origin, "cross-origin request refused");
        let body = axum::Json(
            serde_json::json!({ "error": "다른 사이트에서 온 요청은 받을 수 없습니다. 포털 페이지에서 다시 시도해 주세요." }),
        );
        return (StatusCode::FORBIDDEN, body).into_response();
    }
    next.run(req).await
}

/// `https://host:port` → `host:port`.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::origin_host;

    #[test]
    fn origins_reduce_to_host_and_port() {
        assert_eq!(origin_host("http://localhost:3000"), Some("localhost:3000"));
        assert_eq!(
            origin_host("https://portal.example"),
            Some("portal.example")
        );
        assert_eq!(origin_host("null"), None);
        assert_eq!(origin_host("http://evil.example/x"), None);
    }
}
