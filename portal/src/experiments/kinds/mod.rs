//! One module per experiment kind, each a sequence of named steps a reader can follow
//! against its lesson. [`steps`] is the table from an [`ExperimentName`] to its steps;
//! adding a kind means a `Spec` in `catalog.rs`, a module here and its arm below.

use std::future::Future;
use std::pin::Pin;

use super::engine::{Outcome, Run, Steps};
use super::error::Result;
use crate::names::ExperimentName;

mod canary;
mod configmap;
mod readiness;
mod resources;
mod rollout;
mod shutdown;

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<Outcome>> + Send + 'a>>;

/// The steps of `name`.
pub fn steps(name: ExperimentName) -> Steps {
    match name {
        ExperimentName::Configmap => configmap_steps,
        ExperimentName::Readiness => readiness_steps,
        ExperimentName::Resources => resources_steps,
        ExperimentName::GracefulShutdown => shutdown_steps,
        ExperimentName::RollingUpdate => rollout_steps,
        ExperimentName::Canary => canary_steps,
    }
}

fn configmap_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(configmap::run(r.ctx, r.stage, r.rec, r.variant, r.params))
}

fn readiness_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(readiness::run(r.ctx, r.stage, r.rec, r.variant, r.params))
}

fn resources_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(resources::run(r.ctx, r.stage, r.rec, r.params))
}

fn shutdown_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(shutdown::run(r.ctx, r.stage, r.rec, r.variant, r.params))
}

fn rollout_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(rollout::run(r.ctx, r.stage, r.rec))
}

fn canary_steps(r: Run<'_>) -> Boxed<'_> {
    Box::pin(canary::run(r.ctx, r.stage, r.rec, r.variant, r.params))
}
