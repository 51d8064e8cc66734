//! The guided experiments: one click each, a live timeline, measured figures, a verdict
//! and a reset to the tutorial's baseline.
//!
//! - [`catalog`]: the experiments, their buttons and what the learner may choose
//!   (shared with the browser)
//! - [`panel`]: the island a lesson places with ```` ```experiment NAME ```` and its
//!   server functions (`panel_server.rs`)
//! - server only: [`engine`] (context, one run per namespace, records, the shared
//!   watches, traffic, baseline, the state machine) and [`kinds`] (one module per
//!   experiment, looked up by [`crate::names::ExperimentName`])

pub mod catalog;
pub mod panel;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod kinds;

#[cfg(feature = "ssr")]
pub use engine::lab::{self, Lab};
