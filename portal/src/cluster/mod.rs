//! Everything that talks to Kubernetes lives here (the only kube layer of the portal).
//!
//! - [`values`]: the chart's `Chart.yaml`/`values.yaml` (+ `-f` files and checked overrides)
//! - [`release`]: `helm template/install/upgrade/uninstall/history/rollback` for the
//!   tutorial's release, with kube-rs and server-side apply instead of helm
//! - [`client`], [`images`]: the connection, and the image tags the node holds

pub mod client;
mod error;
pub mod images;
pub mod lease;
pub mod pods;
pub mod release;
#[cfg(test)]
mod testing;
pub mod traffic;
pub mod values;
pub mod watch;
pub mod workshop;

pub use client::{ClusterInfo, connect};
pub use error::{Error, Result};
