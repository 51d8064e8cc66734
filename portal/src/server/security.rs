//! Cross-site request protection: every state-changing request must come from a page
//! of this portal. Browsers send `Origin` on cross-origin and on same-origin POSTs; a
//! request without it (curl, scripts) is also refused. The Origin must match scheme and
//! authority: `http://portal` does not stand in for `https://portal`. Every answer also
//! says it must not be framed or content-sniffed.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::PortalState;

pub async fn same_origin(State(state): State<PortalState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return protect(next.run(req).await);
    }
    let scheme = expected_scheme(
        req.headers(),
        state.config.trust_forwarded,
        state.config.secure_cookies,
    );
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    let allowed = match (origin, host) {
        (Some(origin), Some(host)) => split_origin(origin) == Some((scheme, host)),
        _ => false,
    };
    if !allowed {
        tracing::warn!(method = %req.method(), path = req.uri().path(), origin, "cross-origin request refused");
        let body = axum::Json(
            serde_json::json!({ "error": "다른 사이트에서 온 요청은 받을 수 없습니다. 포털 페이지에서 다시 시도해 주세요." }),
        );
        return protect((StatusCode::FORBIDDEN, body).into_response());
    }
    protect(next.run(req).await)
}

/// No page of the portal may be framed by another site (clickjacking), and no answer
/// read as another type than it says.
fn protect(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    res
}

/// The scheme pages of this portal are served under: what a trusted proxy says
/// (`X-Forwarded-Proto`), else https when cookies are secure, else http.
fn expected_scheme(headers: &HeaderMap, trust_forwarded: bool, secure: bool) -> &'static str {
    let forwarded = trust_forwarded
        .then(|| headers.get("x-forwarded-proto")?.to_str().ok())
        .flatten()
        .map(|p| p.split(',').next().unwrap_or_default().trim());
    match forwarded {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        Some(p) if p.eq_ignore_ascii_case("http") => "http",
        _ if secure => "https",
        _ => "http",
    }
}

/// `https://host:port` → `("https", "host:port")`.
fn split_origin(origin: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = origin.split_once("://")?;
    (matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/'))
        .then_some((scheme, rest))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use axum::http::HeaderMap;

    use super::{expected_scheme, split_origin};

    #[test]
    fn origins_split_into_scheme_and_authority() {
        assert_eq!(
            split_origin("http://localhost:3000"),
            Some(("http", "localhost:3000"))
        );
        assert_eq!(
            split_origin("https://portal.example"),
            Some(("https", "portal.example"))
        );
        assert_eq!(split_origin("null"), None);
        assert_eq!(split_origin("http://evil.example/x"), None);
        assert_eq!(split_origin("ftp://portal.example"), None);
    }

    #[test]
    fn the_scheme_comes_from_a_trusted_proxy_or_the_cookie_setting() {
        let mut h = HeaderMap::new();
        assert_eq!(expected_scheme(&h, true, false), "http");
        assert_eq!(expected_scheme(&h, false, true), "https");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(expected_scheme(&h, true, false), "https");
        assert_eq!(
            expected_scheme(&h, false, false),
            "http",
            "untrusted: ignored"
        );
    }

    #[tokio::test]
    async fn another_scheme_is_another_origin_and_no_page_can_be_framed() {
        use axum::body::Body;
        use axum::http::{Request, header};
        let p = crate::server::test_portal::portal(true, &[]).await;
        let post = |origin: &'static str| {
            Request::post("/api/checklist")
                .header(header::HOST, "portal.test")
                .header(header::ORIGIN, origin)
                .body(Body::empty())
                .unwrap()
        };
        assert_eq!(p.send(post("https://portal.test")).await.status(), 403);
        assert_ne!(p.send(post("http://portal.test")).await.status(), 403);
        let res = p
            .send(Request::get("/healthz").body(Body::empty()).unwrap())
            .await;
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            res.headers()["content-security-policy"],
            "frame-ancestors 'none'"
        );
    }
}
