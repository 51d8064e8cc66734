use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::cluster::values::Chart;
use crate::cluster::watch::{ClusterConn, Hub};
use crate::lessons::Library;
use crate::metrics::Metrics;
use crate::server::Config;

/// What every request can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PortalState {
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// Swapped as a whole when lessons are re-loaded in development (cloning a
    /// `Library` is one `Arc`).
    lessons: Arc<RwLock<Library>>,
    /// Bumped on every re-load; cached pages of an older generation are stale.
    generation: Arc<AtomicU64>,
    pub page_cache: super::cache::PageCache,
    pub hub: Arc<Hub>,
    pub chart: Arc<Chart>,
    pub metrics: Arc<Metrics>,
    /// The experiments: who runs what, and every namespace's runs and passes.
    pub lab: Arc<crate::experiments::Lab>,
    /// Workshop mode (set at start-up when configured).
    pub workshop: Option<Arc<crate::workshop::Workshop>>,
    /// Turns true when the portal shuts down: live streams end then, or graceful
    /// shutdown would wait for them forever.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The session store, for `/readyz` to query (the session layer holds its own
    /// clone). `None` until [`super::run`] sets it: not ready.
    pub session_store: Option<super::Sessions>,
    /// Caps on open live streams (per session, without one, overall).
    pub live_slots: Arc<super::live_slots::Slots>,
    /// Wrong `?access=` tokens per client address (`PORTAL_ACCESS_TOKEN`).
    pub access_guesses: Arc<crate::workshop::limit::Guesses>,
    /// Read-only cluster calls per learner (or session) and minute.
    pub cluster_reads: Arc<crate::workshop::limit::Limiter>,
}

impl PortalState {
    /// Must run inside a Tokio runtime (the hub starts its sweeper).
    pub fn new(
        config: Config,
        leptos_options: LeptosOptions,
        library: Library,
        chart: Chart,
        conn: ClusterConn,
    ) -> Self {
        let hub = Hub::with_learners(conn, config.workshop.is_some());
        Self {
            lab: crate::experiments::Lab::new(hub.clone(), None),
            workshop: None,
            config: Arc::new(config),
            leptos_options,
            lessons: Arc::new(RwLock::new(library)),
            generation: Arc::default(),
            page_cache: Default::default(),
            hub,
            chart: Arc::new(chart),
            metrics: Arc::default(),
            shutdown: tokio::sync::watch::channel(false).1,
            session_store: None,
            live_slots: Arc::default(),
            access_guesses: Arc::default(),
            cluster_reads: Arc::new(crate::workshop::limit::Limiter::new(
                120,
                std::time::Duration::from_secs(60),
            )),
        }
    }

    /// The namespace the current learner works in.
    pub fn namespace(&self) -> &str {
        &self.config.namespace
    }

    pub fn library(&self) -> Library {
        self.lessons
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn replace_library(&self, library: Library) {
        *self.lessons.write().unwrap_or_else(|p| p.into_inner()) = library;
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

impl FromRef<PortalState> for LeptosOptions {
    fn from_ref(state: &PortalState) -> Self {
        state.leptos_options.clone()
    }
}

/// The lessons, from inside a component or server function.
pub fn library() -> Library {
    expect_context::<PortalState>().library()
}

/// The namespace of the learner this request is for (resolved once per page request).
pub fn request_namespace() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<crate::server::learner::Who>()
                .map(|w| w.namespace.clone())
        })
        .unwrap_or_else(|| expect_context::<PortalState>().namespace().to_owned())
}
