//! The hello service that the lessons deploy: a small axum app with the behaviour a
//! Kubernetes workload needs (separate liveness/readiness, JSON logs on stdout,
//! graceful shutdown on SIGTERM) and a few endpoints that make the Part 3 experiments
//! observable.

pub mod config;
pub mod error;
pub mod healthcheck;
pub mod logging;
pub mod routes;
pub mod shutdown;
pub mod state;

pub use config::Config;
pub use error::{Error, Result};
pub use routes::router;
pub use state::AppState;

/// The greeting of `GET /`. The 2.0.0 image is compiled with the `v2` feature so that
/// the rolling-update lesson has a real code difference to roll out. `cfg!` rather than
/// `#[cfg]`: both strings are compiled (and linted) in every build.
// region: greeting
pub const GREETING: &str = if cfg!(feature = "v2") {
    "Hello World v2"
} else {
    "Hello World"
};
// endregion: greeting
