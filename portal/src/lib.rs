//! The learning portal. Lessons are rendered on the server; only the live panels and
//! experiments are islands compiled to wasm.

#[cfg(feature = "ssr")]
pub mod lessons;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
