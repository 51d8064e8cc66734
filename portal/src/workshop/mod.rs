//! Workshop mode: one portal, many learners, each in a namespace of their own that the
//! API server guards (see [`crate::cluster::workshop`]). Learners join with the
//! workshop code and a display name; who they are lives in the session, their record
//! and progress in SQLite. Idle learners' namespaces are removed after a TTL.
//!
//! - [`store`]: the learners table; [`limit`]: per-learner action rate limit and the
//!   cap on wrong guesses; [`guard`]: who is guessing; [`board`]: the host dashboard's rows
//! - the join page and the host dashboard are in `pages/join.rs` and `pages/host/`

pub mod board;
pub mod guard;
pub mod limit;
mod settings;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

pub use store::{LearnerRecord, Store};

/// `PORTAL_WORKSHOP_CODE` and friends; workshop mode is on when a code is set.
#[derive(Clone)]
pub struct WorkshopConfig {
    pub code: String,
    /// `PORTAL_HOST_TOKEN`: opens the host dashboard.
    pub host_token: String,
    /// `PORTAL_MAX_LEARNERS`, default 200.
    pub max_learners: usize,
    /// `PORTAL_LEARNER_IDLE_MINUTES`, default 120: a learner's namespace goes after this.
    pub idle: Duration,
    /// `PORTAL_LEARNER_CLUSTER_ROLE`: bind learners to this ClusterRole (made by the
    /// portal's chart) instead of giving each namespace a Role of its own.
    pub learner_cluster_role: Option<String>,
    /// `PORTAL_SWEEP_SECONDS`: how often idle learners are looked for; default half the
    /// idle time, between 1 and 30 s.
    pub sweep_every: Option<Duration>,
}

impl std::fmt::Debug for WorkshopConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The code and the token are secrets: never in logs.
        f.debug_struct("WorkshopConfig")
            .field("max_learners", &self.max_learners)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

/// The session key holding the learner's id.
pub const SESSION_KEY: &str = "learner";
/// The session key saying the host's token was given in this browser.
pub const HOST_SESSION_KEY: &str = "host";

#[derive(Debug)]
pub struct Workshop {
    pub config: WorkshopConfig,
    pub store: Store,
    pub limiter: limit::Limiter,
    /// Wrong join codes and host tokens, per client address and session.
    pub guesses: limit::Guesses,
}

impl Workshop {
    pub fn new(config: WorkshopConfig, store: Store) -> Arc<Self> {
        Arc::new(Self {
            config,
            store,
            limiter: limit::Limiter::new(20, Duration::from_secs(60)),
            guesses: limit::Guesses::new(),
        })
    }

    /// Whether new learners may join (the host opens and closes it; open at first).
    /// Stored, so every replica agrees and a restart keeps it; a failed read says closed.
    pub async fn joining_open(&self) -> bool {
        self.store.joining_open().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read whether joining is open");
            false
        })
    }

    pub async fn set_joining(&self, open: bool) -> Result<(), sqlx::Error> {
        self.store.set_joining(open).await
    }

    /// Compares without leaking how much of the code matched.
    pub fn code_matches(&self, given: &str) -> bool {
        constant_time_eq(self.config.code.as_bytes(), given.trim().as_bytes())
    }

    pub fn token_matches(&self, given: &str) -> bool {
        !self.config.host_token.is_empty()
            && constant_time_eq(self.config.host_token.as_bytes(), given.as_bytes())
    }

    /// What a host's session holds: a hash of the token it gave, not `true`, so a new
    /// token (changed in the Secret, the pod restarted) logs every old host session out.
    pub fn host_mark(&self) -> String {
        use sha2::{Digest, Sha256};
        format!(
            "{:x}",
            Sha256::digest(format!("hello-k8s host:{}", self.config.host_token))
        )
    }

    /// Whether a session's stored mark is the current token's.
    pub fn is_host(&self, mark: Option<&str>) -> bool {
        !self.config.host_token.is_empty()
            && mark.is_some_and(|m| constant_time_eq(m.as_bytes(), self.host_mark().as_bytes()))
    }

    /// How often idle learners are looked for: `PORTAL_SWEEP_SECONDS`, else half the
    /// idle time between 1 and 30 s.
    pub fn sweep_every(&self) -> Duration {
        self.config.sweep_every.unwrap_or_else(|| {
            (self.config.idle / 2).clamp(Duration::from_secs(1), Duration::from_secs(30))
        })
    }

    /// One pass of the idle sweeper: removes learners idle past the TTL, with their
    /// namespaces, and records the pass (by `replica`). Whoever calls it makes sure only
    /// one replica does per cycle (`server/singleton.rs`).
    pub async fn sweep_once(&self, client: &kube::Client, replica: &str) {
        let idle = match self.store.idle(self.config.idle).await {
            Ok(idle) => idle,
            Err(e) => {
                tracing::warn!(error = %e, "could not list idle learners");
                return;
            }
        };
        let mut removed = 0;
        for learner in idle {
            match self.remove(client, &learner).await {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(error = %e, learner = %learner.id, "could not remove an idle learner")
                }
            }
        }
        if let Err(e) = self.store.record_sweep(replica, removed).await {
            tracing::warn!(error = %e, "could not record the sweep");
        }
    }

    /// Deletes the learner's namespace and record.
    pub async fn remove(
        &self,
        client: &kube::Client,
        learner: &LearnerRecord,
    ) -> Result<(), String> {
        crate::cluster::workshop::remove(client, &learner.namespace)
            .await
            .map_err(|e| e.to_string())?;
        self.store
            .delete(&learner.id)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(learner = %learner.id, namespace = %learner.namespace, "learner removed");
        Ok(())
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A display name: trimmed, 1-30 characters, no control characters or markup.
pub fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 {
        return Err("이름을 적어 주세요.".into());
    }
    if count > 30 {
        return Err(format!("이름은 30자까지입니다 (지금 {count}자)."));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '<' | '>' | '&' | '"'))
    {
        return Err("이름에 제어 문자나 < > & \" 는 쓸 수 없습니다.".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_in_korean() {
        assert_eq!(check_name("  김철수 "), Ok("김철수".to_owned()));
        assert!(check_name("").unwrap_err().contains("이름을"));
        assert!(check_name(&"가".repeat(31)).unwrap_err().contains("30자"));
        assert!(check_name("<script>").is_err());
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
