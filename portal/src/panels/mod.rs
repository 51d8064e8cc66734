//! The live panels: one island per panel (the only interactive parts of a lesson), each
//! with the server functions it calls next to it. `panel <name>` directives place them.

pub mod common;
pub mod endpoints;
pub mod events;
pub mod history;
pub mod logs;
pub mod pods;
pub mod release;
pub mod requests;
#[cfg(feature = "ssr")]
pub mod server;
pub mod status;
pub mod tree;
pub mod usage;

use leptos::prelude::*;

/// The tutorial's Helm release name: every learner's objects belong to it.
pub const RELEASE: &str = "hello";

/// The panel a directive names (names are checked when lessons load).
pub fn panel(name: &str) -> AnyView {
    match name {
        "status" => view! { <status::StatusPanel/> }.into_any(),
        "release" => view! { <release::ReleasePanel/> }.into_any(),
        "history" => view! { <history::HistoryPanel/> }.into_any(),
        "tree" => view! { <tree::TreePanel/> }.into_any(),
        "pods" => view! { <pods::PodsPanel/> }.into_any(),
        "endpoints" => view! { <endpoints::EndpointsPanel/> }.into_any(),
        "events" => view! { <events::EventsPanel/> }.into_any(),
        "logs" => view! { <logs::LogsPanel/> }.into_any(),
        "usage" => view! { <usage::UsagePanel/> }.into_any(),
        "requests" => view! { <requests::RequestsPanel/> }.into_any(),
        other => {
            view! { <p class="form-error">{format!("알 수 없는 패널: {other}")}</p> }.into_any()
        }
    }
}

/// Every panel, in the order of the cluster page.
pub const ALL: [&str; 10] = [
    "status",
    "release",
    "tree",
    "pods",
    "endpoints",
    "requests",
    "logs",
    "events",
    "usage",
    "history",
];
