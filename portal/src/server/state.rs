use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::lessons::Library;
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
}

impl PortalState {
    pub fn new(config: Config, leptos_options: LeptosOptions, library: Library) -> Self {
        Self {
            config: Arc::new(config),
            leptos_options,
            lessons: Arc::new(RwLock::new(library)),
            generation: Arc::default(),
            page_cache: Default::default(),
        }
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
