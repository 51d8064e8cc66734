//! Shared application state: the readiness switch, the shutdown flag, the count of
//! requests in flight (what graceful shutdown waits for) and the memory held by the
//! resources experiment.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::Config;

#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    ready: AtomicBool,
    shutting_down: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
    held_memory: Mutex<Vec<Vec<u8>>>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                ready: AtomicBool::new(true),
                shutting_down: AtomicBool::new(false),
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
                held_memory: Mutex::new(Vec::new()),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Ready means "send me traffic": the switch is on and we are not shutting down.
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::SeqCst) && !self.is_shutting_down()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::SeqCst)
    }

    /// Flips the readiness switch and returns the new readiness.
    pub fn toggle_ready(&self) -> bool {
        let was = self.inner.ready.fetch_xor(true, Ordering::SeqCst);
        !was && !self.is_shutting_down()
    }

    pub fn begin_shutdown(&self) {
        self.inner.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Counts a request as in flight until the guard is dropped.
    pub fn track_request(&self) -> InFlight {
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight {
            state: self.clone(),
        }
    }

    /// Resolves once no tracked request is in flight.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.inner.idle.notified();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Holds `mib` more MiB and returns the total held, or `Err(total)` when that would
    /// pass `max`: checked and allocated under one lock, so two calls at once cannot both
    /// pass the check. Every page is written so the memory really counts against the
    /// container's limit.
    pub fn hold_memory(&self, mib: usize, max: usize) -> Result<usize, usize> {
        let mut held = self
            .inner
            .held_memory
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let total: usize = held.iter().map(|b| b.len() / (1024 * 1024)).sum();
        if total + mib > max {
            return Err(total);
        }
        held.push(vec![0xA5; mib * 1024 * 1024]);
        Ok(total + mib)
    }

    pub fn held_mib(&self) -> usize {
        let held = self
            .inner
            .held_memory
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        held.iter().map(|b| b.len() / (1024 * 1024)).sum()
    }

    /// Releases all held memory and returns how many MiB were freed.
    pub fn release_memory(&self) -> usize {
        let mut held = self
            .inner
            .held_memory
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let freed = held.iter().map(|b| b.len() / (1024 * 1024)).sum();
        held.clear();
        freed
    }
}

#[derive(Debug)]
pub struct InFlight {
    state: AppState,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.state.inner.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.state.inner.idle.notify_waiters();
        }
    }
}
