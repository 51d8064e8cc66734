//! The tutorial's `hello` release without helm: render the chart's objects, apply them,
//! and read back and roll back the Deployment's revisions.

mod apply;
pub mod canary;
mod checksum;
mod history;
mod names;
mod render;
#[cfg(test)]
mod tests;

pub use apply::{
    FIELD_MANAGER, apply_config_map, apply_in_given_namespace, deployment_generation, install,
    uninstall, uninstall_from, upgrade,
};
pub use checksum::{config_checksum, configmap_text};
pub use history::{
    EnvEntry, REVISION_ANNOTATION, Revision, history, revisions, rollback, rollback_patch,
};
pub use names::{MANAGED_BY, RELEASE, ReleaseNames, fullname, labels, selector_labels};
pub use render::{Rendered, render};
