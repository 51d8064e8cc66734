//! The server side: configuration, shared state, the API routes and layers around the
//! pages ([`around`]; [`crate::router`] joins the two), sessions and progress, static assets.

pub mod access;
mod assets;
mod cache;
pub mod config;
mod config_file;
mod error;
mod fn_errors;
mod health;
mod host_live;
pub mod learner;
mod live;
pub mod live_slots;
mod logs;
pub mod metrics;
mod progress;
pub mod request;
mod run;
mod security;
mod sessions;
mod singleton;
mod state;
#[cfg(test)]
pub mod test_portal;
#[cfg(test)]
mod workshop_tests;

pub use crate::cluster::values::Chart;
pub use crate::store::sqlite_options;
pub use config::Config;
pub use error::{Error, Result};
pub use progress::{mirror as mirror_progress, request_progress};
pub use run::{load_chart, load_lessons, open_store, run};
pub use state::{PortalState, library, request_namespace};

use axum::Router;
use axum::routing::{get, post};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub use sessions::Sessions;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hk_session";

/// The server's half of the HTTP app around `pages` (the Leptos routes and their
/// fallback, built by [`crate::router`]): the API routes, static assets, and every
/// layer — sessions, access, Origin check, compression, the anonymous page cache.
pub fn around(pages: Router<PortalState>, state: PortalState, sessions: Sessions) -> Router {
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(30),
        ));

    pages
        .route("/api/checklist", post(progress::set_checklist))
        .route("/api/live", get(live::stream_handler))
        .route("/api/host/live", get(host_live::stream_handler))
        .route("/api/logs", get(logs::download))
        .route("/metrics", get(metrics::handler))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(assets::routes(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            progress::load_progress,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::grant,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(fn_errors::bad_arguments))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::same_origin,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cache::anonymous_pages,
        ))
        .with_state(state)
}
