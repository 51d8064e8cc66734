use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("설정 오류: {0}")]
    Config(String),
    #[error("레슨을 불러오지 못했습니다:\n{0}")]
    Lessons(String),
    #[error("세션 저장소를 열지 못했습니다")]
    Store(#[source] sqlx::Error),
    #[error("세션 저장소 오류")]
    Session(#[source] tower_sessions::session::Error),
    #[error("주소 {addr}에서 기다릴 수 없습니다")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("HTTP 서버 오류")]
    Serve(#[source] std::io::Error),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unavailable(String),
    /// A failed cluster call; the message is the API server's reason in Korean, which
    /// the learner may read.
    #[error("{0}")]
    Cluster(String),
    /// No learner behind the request (workshop mode without joining).
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    TooManyRequests(String),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            Self::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m.clone()),
            Self::Cluster(m) => (StatusCode::BAD_GATEWAY, m.clone()),
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.clone()),
            Self::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
            // Internals are logged, never shown.
            other => {
                tracing::error!(error = %other, source = ?std::error::Error::source(other), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "일시적인 오류가 발생했습니다. 잠시 뒤 다시 시도해 주세요.".to_owned(),
                )
            }
        };
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    }
}
