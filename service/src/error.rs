//! One error type for the crate. Request errors become JSON answers with the same
//! shape as every other answer of the service (`status` plus details).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query parameter or environment variable had a value we cannot use.
    #[error("{name}: {reason}")]
    InvalidParameter { name: &'static str, reason: String },

    #[error("{0}")]
    NotFound(String),

    #[error("{0}")]
    MethodNotAllowed(String),

    #[error("could not bind the listening socket")]
    Bind(#[source] std::io::Error),

    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
}

impl Error {
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Bind(_) | Self::Serve(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::InvalidParameter { .. } => "invalid_parameter",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::Bind(_) | Self::Serve(_) => "internal",
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // Server-side failures never describe their internals to the client.
        let message = if status.is_server_error() {
            "내부 오류가 발생했습니다".to_owned()
        } else {
            self.to_string()
        };
        let body = json!({ "status": "error", "error": self.code(), "message": message });
        (status, Json(body)).into_response()
    }
}
