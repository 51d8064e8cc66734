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
pub mod status;
pub mod tree;
pub mod usage;

use leptos::prelude::*;

use crate::names::PanelName;

/// The island of `name`: the one table from a panel's name to its component.
pub fn panel(name: PanelName) -> AnyView {
    match name {
        PanelName::Status => view! { <status::StatusPanel/> }.into_any(),
        PanelName::Release => view! { <release::ReleasePanel/> }.into_any(),
        PanelName::History => view! { <history::HistoryPanel/> }.into_any(),
        PanelName::Tree => view! { <tree::TreePanel/> }.into_any(),
        PanelName::Pods => view! { <pods::PodsPanel/> }.into_any(),
        PanelName::Endpoints => view! { <endpoints::EndpointsPanel/> }.into_any(),
        PanelName::Events => view! { <events::EventsPanel/> }.into_any(),
        PanelName::Logs => view! { <logs::LogsPanel/> }.into_any(),
        PanelName::Usage => view! { <usage::UsagePanel/> }.into_any(),
        PanelName::Requests => view! { <requests::RequestsPanel/> }.into_any(),
    }
}

/// Every panel, in the order of the cluster page.
pub const ALL: [PanelName; 10] = [
    PanelName::Status,
    PanelName::Release,
    PanelName::Tree,
    PanelName::Pods,
    PanelName::Endpoints,
    PanelName::Requests,
    PanelName::Logs,
    PanelName::Events,
    PanelName::Usage,
    PanelName::History,
];
