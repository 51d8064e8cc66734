//! The one error type of the cluster layer. Every message is Korean because it ends up
//! in a lesson panel; the API server's own words are kept so the learner sees the real
//! reason (the same text `kubectl` would print).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("파일을 읽을 수 없습니다: {path}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} 의 YAML 을 해석할 수 없습니다: {source}")]
    Yaml {
        what: String,
        #[source]
        source: serde_norway::Error,
    },
    #[error("values 가 차트가 기대하는 모양이 아닙니다 ({what}): {source}")]
    ValuesShape {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{field} 값이 올바르지 않습니다: {message}")]
    InvalidValue {
        field: &'static str,
        message: String,
    },
    #[error("리비전 {revision} 이(가) 없습니다 (있는 리비전: {available})")]
    RevisionNotFound { revision: i64, available: String },
    #[error("Deployment {name} 이(가) 일시 정지(paused) 상태라 롤백할 수 없습니다")]
    Paused { name: String },
    #[error(
        "Kubernetes 접속 설정을 찾을 수 없습니다 (KUBECONFIG, ~/.kube/config, 클러스터 내부 설정 모두 실패)"
    )]
    Config {
        #[source]
        source: kube::config::InferConfigError,
    },
    #[error("Kubernetes 클라이언트를 만들 수 없습니다: {source}")]
    Client {
        #[source]
        source: kube::Error,
    },
    #[error("권한이 없습니다: {reason} ({action})")]
    Forbidden {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("쿼터를 넘었습니다: {reason} ({action})")]
    QuotaExceeded {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("대상을 찾을 수 없습니다: {reason} ({action})")]
    NotFound {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("다른 변경과 충돌했습니다: {reason} ({action})")]
    Conflict {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("API 서버가 객체를 거부했습니다: {reason} ({action})")]
    Rejected {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("인증에 실패했습니다 (kubeconfig 의 자격 증명을 확인하세요): {reason} ({action})")]
    Unauthorized {
        action: String,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("API 서버 오류 {code}: {reason} ({action})")]
    Api {
        action: String,
        code: u16,
        reason: String,
        #[source]
        source: kube::Error,
    },
    #[error("클러스터에 연결할 수 없습니다: {source} ({action})")]
    Unreachable {
        action: String,
        #[source]
        source: kube::Error,
    },
}

impl Error {
    /// Classifies a failed kube call. `action` says what the portal was doing, in Korean
    /// (e.g. "Deployment hello/hello-hello-world 적용").
    pub fn kube(action: impl Into<String>, source: kube::Error) -> Self {
        let action = action.into();
        let kube::Error::Api(status) = &source else {
            return Self::Unreachable { action, source };
        };
        // `message` is what kubectl prints; `reason` is only the machine word (Forbidden).
        let reason = if status.message.is_empty() {
            status.reason.clone()
        } else {
            status.message.clone()
        };
        match status.code {
            // A quota refusal is a 403 too; only the message tells them apart.
            403 if reason.contains("exceeded quota") => Self::QuotaExceeded {
                action,
                reason,
                source,
            },
            403 => Self::Forbidden {
                action,
                reason,
                source,
            },
            401 => Self::Unauthorized {
                action,
                reason,
                source,
            },
            404 => Self::NotFound {
                action,
                reason,
                source,
            },
            409 => Self::Conflict {
                action,
                reason,
                source,
            },
            422 => Self::Rejected {
                action,
                reason,
                source,
            },
            code => Self::Api {
                action,
                code,
                reason,
                source,
            },
        }
    }

    /// The HTTP status the API server answered with, if it answered at all.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Forbidden { source, .. }
            | Self::QuotaExceeded { source, .. }
            | Self::NotFound { source, .. }
            | Self::Conflict { source, .. }
            | Self::Rejected { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Api { source, .. } => match source {
                kube::Error::Api(status) => Some(status.code),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
