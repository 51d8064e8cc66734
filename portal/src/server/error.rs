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
    /// A failed cluster call; its text is the API server's reason in Korean, which the
    /// learner may read.
    #[error("{0}")]
    Cluster(#[from] crate::cluster::Error),
    /// No learner behind the request (workshop mode without joining).
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    TooManyRequests(String),
}

impl Error {
    /// The one table from a server error to its HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Cluster(e) => crate::request::cluster_status(e),
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the browser may read: the Korean message, or for internals (logged here) a
    /// general one.
    pub fn public_message(&self) -> String {
        if self.status() != StatusCode::INTERNAL_SERVER_ERROR || matches!(self, Self::Cluster(_)) {
            return self.to_string();
        }
        tracing::error!(error = %self, source = ?std::error::Error::source(self), "request failed");
        "일시적인 오류가 발생했습니다. 잠시 뒤 다시 시도해 주세요.".to_owned()
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.public_message();
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    }
}
