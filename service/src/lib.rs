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
/// the rolling-update lesson has a real code difference to roll out.
// region: greeting
#[cfg(not(feature = "v2"))]
pub const GREETING: &str = "Hello World";
#[cfg(feature = "v2")]
pub const GREETING: &str = "Hello World v2";
// endregion: greeting
