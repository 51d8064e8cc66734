//! The Part 3 experiments: one click each, a live timeline, measured figures, a verdict
//! and a reset to the tutorial's baseline.
//!
//! - [`catalog`]: the experiments and their buttons (shared with the browser)
//! - [`panel`]: the island a lesson places with ```` ```experiment NAME ```` and its
//!   server functions
//! - server only: [`lab`] (one run per namespace, records, passes), [`inflight`] (runs
//!   tracked, so a stopping portal ends them cleanly), [`runner`] (the
//!   state machine), [`scene`]/[`observe`] (what the shared watches show), [`load`]
//!   (traffic), [`baseline`] (reset) and one module per experiment

pub mod catalog;
pub mod panel;

#[cfg(feature = "ssr")]
mod baseline;
#[cfg(feature = "ssr")]
mod configmap;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod inflight;
#[cfg(feature = "ssr")]
pub mod lab;
#[cfg(feature = "ssr")]
mod load;
#[cfg(feature = "ssr")]
mod observe;
#[cfg(feature = "ssr")]
mod readiness;
#[cfg(feature = "ssr")]
mod recorder;
#[cfg(feature = "ssr")]
mod resources;
#[cfg(feature = "ssr")]
mod rollout;
#[cfg(feature = "ssr")]
pub mod runner;
#[cfg(feature = "ssr")]
mod scene;
#[cfg(feature = "ssr")]
mod shutdown;

#[cfg(feature = "ssr")]
pub use lab::Lab;
