//! The portal's own counters (live streams, actions), shared by every layer that counts;
//! `server/metrics.rs` prints them for Prometheus.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    live_connections: AtomicI64,
    live_connections_total: AtomicU64,
    actions_total: AtomicU64,
    action_errors_total: AtomicU64,
}

impl Metrics {
    pub fn live_connections_opened(&self) {
        self.live_connections.fetch_add(1, Ordering::Relaxed);
        self.live_connections_total.fetch_add(1, Ordering::Relaxed);
    }

    pub fn live_connections_closed(&self) {
        self.live_connections.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn live_connections(&self) -> i64 {
        self.live_connections.load(Ordering::Relaxed)
    }

    pub fn action(&self, ok: bool) {
        self.actions_total.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.action_errors_total.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn live_connections_total(&self) -> u64 {
        self.live_connections_total.load(Ordering::Relaxed)
    }

    pub fn actions_total(&self) -> u64 {
        self.actions_total.load(Ordering::Relaxed)
    }

    pub fn action_errors_total(&self) -> u64 {
        self.action_errors_total.load(Ordering::Relaxed)
    }
}
