//! Live cluster data for the panels: shared watches fanned out to every tab.
//!
//! - [`hub`]: one [`feed::Feed`] per (namespace, topic), started on demand, swept when idle
//! - [`watch`]: a kube-runtime watcher keeping a feed current; [`views`]: objects → views
//! - [`logs`], [`usage`]: feeds built on the pods feed (log following, `kubectl top`)
//! - [`conn`]: the cluster connection, retried until a cluster answers

pub mod conn;
pub mod feed;
pub mod hub;
pub mod logs;
pub mod usage;
pub mod views;
mod watcher;

pub use conn::{ClusterConn, Connected, NO_CLUSTER};
pub use feed::{Feed, Health, Subscription};
pub use hub::Hub;

/// Watches re-listed since start (for `/metrics`).
pub fn watch_restarts() -> u64 {
    watcher::RESTARTS.load(std::sync::atomic::Ordering::Relaxed)
}
