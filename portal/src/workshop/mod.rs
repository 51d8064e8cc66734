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
pub mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use store::{LearnerRecord, Store};

use crate::cluster::watch::ClusterConn;

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
    /// Whether new learners may join (the host opens and closes it; open at start).
    joining: AtomicBool,
}

impl Workshop {
    pub fn new(config: WorkshopConfig, store: Store) -> Arc<Self> {
        Arc::new(Self {
            config,
            store,
            limiter: limit::Limiter::new(20, Duration::from_secs(60)),
            guesses: limit::Guesses::new(),
            joining: AtomicBool::new(true),
        })
    }

    pub fn joining_open(&self) -> bool {
        self.joining.load(Ordering::Relaxed)
    }

    pub fn set_joining(&self, open: bool) {
        self.joining.store(open, Ordering::Relaxed);
        self.store.bump();
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

    /// Removes learners idle past the TTL, with their namespaces (checked every 30 s, or
    /// more often for a short TTL).
    pub fn spawn_sweeper(self: &Arc<Self>, conn: ClusterConn) {
        let ws = Arc::downgrade(self);
        tokio::spawn(async move {
            let every = {
                let Some(ws) = ws.upgrade() else { return };
                (ws.config.idle / 2).clamp(Duration::from_secs(1), Duration::from_secs(30))
            };
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let Some(ws) = ws.upgrade() else { return };
                let Some(connected) = conn.now() else {
                    continue;
                };
                match ws.store.idle(ws.config.idle).await {
                    Ok(idle) => {
                        for learner in idle {
                            if let Err(e) = ws.remove(&connected.client, &learner).await {
                                tracing::warn!(error = %e, learner = %learner.id, "could not remove an idle learner");
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not list idle learners"),
                }
            }
        });
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
