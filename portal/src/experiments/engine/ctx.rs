//! What a run acts with: the learner's client and namespace, the chart, the release's
//! names, and the helpers every experiment kind uses to change the release and call it.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;

use super::scene::Stage;
use crate::cluster::release::{self, ReleaseNames};
use crate::cluster::traffic::{Answer, Target};
use crate::cluster::values::{Chart, Overrides, Values};
use crate::experiments::catalog::Split;
use crate::experiments::error::Result;

/// The checked parameters of a run (see `panel::ExperimentParams`).
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// A pod of the learner's release, or `None` for "the first ready one".
    pub pod: Option<String>,
    /// `/slow` duration for the shutdown experiment (1-60).
    pub seconds: u32,
    /// The log level the ConfigMap experiment sets (debug when not given).
    pub log_level: Option<crate::cluster::values::LogLevel>,
    /// The canary experiment's v2:v1 split.
    pub split: Split,
}

/// Everything a step needs to act for one learner.
#[derive(Clone)]
pub struct Ctx {
    pub client: Client,
    pub namespace: String,
    pub chart: Arc<Chart>,
    pub names: ReleaseNames,
    /// A workshop namespace: made by the portal, not owned by the release.
    pub in_workshop: bool,
    /// The portal's own identity, for the node's image list only.
    pub portal_client: Client,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// How an experiment ended, when it got to the end.
#[derive(Debug)]
pub struct Outcome {
    pub passed: bool,
    pub reason: String,
}

impl Ctx {
    pub fn new(l: &crate::request::Learner) -> Self {
        let chart = l.chart.clone();
        let names = ReleaseNames::new(&l.namespace, release::RELEASE, &chart.meta);
        Self {
            client: l.client.clone(),
            namespace: l.namespace.clone(),
            chart,
            names,
            in_workshop: l.in_workshop,
            portal_client: l.portal_client.clone(),
        }
    }

    /// The chart's default values in this namespace: the tutorial's baseline.
    pub fn baseline(&self) -> Values {
        let mut values = self.chart.values.clone();
        values.namespace = self.namespace.clone();
        values
    }

    /// The baseline with `overrides` (checked like the upgrade form).
    pub async fn with(&self, overrides: &Overrides) -> Result<Values> {
        let tags = self.tags().await?;
        Ok(self.baseline().with_overrides(overrides, &tags)?)
    }

    pub async fn tags(&self) -> Result<Vec<String>> {
        let repo = &self.chart.values.image.repository;
        Ok(crate::cluster::images::available_tags(&self.portal_client, repo).await?)
    }

    /// `helm upgrade` with `values`; returns the Deployment generation to wait for.
    pub async fn apply(&self, values: &Values) -> Result<i64> {
        let rendered = release::render(values, release::RELEASE, &self.chart.meta);
        if self.in_workshop {
            release::apply_in_given_namespace(&self.client, &rendered).await?;
        } else {
            release::upgrade(&self.client, &rendered).await?;
        }
        Ok(
            release::deployment_generation(&self.client, &self.namespace, &self.names.fullname)
                .await?,
        )
    }

    /// [`Self::apply`], then waits until the rollout it started is over.
    pub async fn roll_to(&self, stage: &Stage, values: &Values) -> Result<()> {
        let generation = self.apply(values).await?;
        stage.settled(generation, Duration::from_secs(150)).await
    }

    /// One request to one pod's own endpoint (the pod proxy).
    pub async fn call(&self, pod: &str, post: bool, path: &str) -> Result<Answer> {
        let port = u16::try_from(self.chart.values.service.target_port).unwrap_or(8080);
        let target = Target {
            post,
            path_and_query: path.to_owned(),
        };
        Ok(crate::cluster::pods::call(&self.client, &self.namespace, pod, port, &target).await?)
    }

    pub async fn shooter(&self) -> Result<crate::cluster::traffic::Shooter> {
        let port = u16::try_from(self.chart.values.service.port).unwrap_or(80);
        Ok(crate::cluster::traffic::Shooter::new(
            &self.client,
            &self.namespace,
            &self.names.fullname,
            port,
        )
        .await?)
    }
}
