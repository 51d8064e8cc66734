//! Why a step of an experiment could not go on, in Korean (shown as the 실패 reason).

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Cluster(#[from] crate::cluster::Error),
    #[error("{what}: {secs}초 안에 일어나지 않았습니다")]
    Timeout { what: String, secs: u64 },
    /// The starting point is missing (no release, no image); the panel offers a fix.
    #[error("{0}")]
    Precondition(String),
    /// The learner's parameters were refused before anything changed.
    #[error("{0}")]
    Refused(String),
}
