//! The learning portal. Lessons are rendered on the server as plain HTML; only the
//! interactive parts (theme toggle, progress, later the live panels) are islands
//! compiled to wasm. Everything under `ssr` never reaches the browser bundle.

// The experiment panel's view type is deep; release builds need more room.
#![recursion_limit = "256"]

pub mod experiments;
pub mod live;
pub mod names;
pub mod progress;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod app;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod lessons;
#[cfg(feature = "ssr")]
pub mod metrics;
pub mod pages;
pub mod panels;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod router;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod workshop;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
