//! Server functions answer a request they cannot even decode (a missing or mistyped
//! argument) with 500 and the decoder's English words. That is bad input, not a server
//! fault: this turns it into 400 with a Korean message, in the encoding the islands read.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// Error bodies are short; anything longer is passed on untouched.
const MAX_BODY: usize = 16 * 1024;

/// The prefixes server_fn writes for undecodable arguments.
const BAD_INPUT: [&str; 2] = ["Args|", "Deserialization|"];

pub const MESSAGE: &str = "요청 형식이 올바르지 않습니다. 필요한 값이 빠졌거나 형식이 다릅니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.";

/// The decoder's words are English, except an unknown name (`crate::names`), whose
/// Korean message lists the valid ones: that one is passed on.
fn message(text: &str) -> String {
    match text.find(UNKNOWN_NAME) {
        Some(at) => text[at..]
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect(),
        None => MESSAGE.to_owned(),
    }
}

/// How every `crate::names::UnknownName` message begins.
const UNKNOWN_NAME: &str = "알 수 없는 ";

pub async fn bad_arguments(req: Request, next: Next) -> Response {
    let is_fn = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "서버 오류").into_response(),
    };
    let text = String::from_utf8_lossy(&bytes);
    if BAD_INPUT.iter().any(|p| text.starts_with(p)) {
        tracing::warn!(detail = %text.chars().take(200).collect::<String>(), "undecodable server function arguments");
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("ServerError|{}", message(&text)),
        )
            .into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    async fn call(path: &str) -> (StatusCode, String) {
        let app = Router::new()
            .route(
                "/api/f",
                post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "Args|missing field `x`") }),
            )
            .route(
                "/api/g",
                post(|| async {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "ServerError|클러스터 오류",
                    )
                }),
            )
            .layer(axum::middleware::from_fn(bad_arguments));
        let req = Request::post(path).body(Body::empty()).unwrap();
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn undecodable_arguments_are_a_korean_400() {
        let (status, body) = call("/api/f").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, format!("ServerError|{MESSAGE}"));
        assert_eq!(
            message("Args|unknown variant: 알 수 없는 실험 이름 'nope' (가능: configmap)"),
            "알 수 없는 실험 이름 'nope' (가능: configmap)"
        );
        let (status, body) = call("/api/g").await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "ServerError|클러스터 오류"
            )
        );
    }
}
