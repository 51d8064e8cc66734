//! The composition root: the Leptos pages (`app`) inside the server's API routes and
//! layers. The only module that names both `app` and `server`, so neither imports the
//! other's side: `server` never imports `app`, and pages reach the server's state only.

use axum::Router;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::app::{App, shell};
use crate::server::{PortalState, Sessions, request};

/// Builds the whole HTTP app. A plain function so tests can drive it with `oneshot`.
pub fn router(state: PortalState, sessions: Sessions) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context_state = state.clone();
    let fallback_state = state.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || request::provide(&context_state),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            PortalState,
            _,
        >(move || request::provide(&fallback_state), shell));
    crate::server::around(pages, state, sessions)
}
