//! Runs one experiment: open the stage, start the observer, bring the release to the
//! tutorial's baseline, run the experiment's steps, record the verdict. Whatever
//! happens, the run ends with a phase and a Korean reason.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;

use super::catalog::{Spec, Variant};
use super::error::{Error, Result};
use super::lab::{Claim, Lab};
use super::recorder::Recorder;
use super::scene::Stage;
use super::{baseline, configmap, observe, readiness, resources, rollout, shutdown};
use crate::cluster::release::{self, ReleaseNames};
use crate::cluster::traffic::{Answer, Target};
use crate::cluster::values::{Overrides, Values};
use crate::live::RunPhase;
use crate::server::Chart;

/// The checked parameters of a run (see `panel::ExperimentParams`).
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// A pod of the learner's release, or `None` for "the first ready one".
    pub pod: Option<String>,
    /// `/slow` duration for the shutdown experiment (1-60).
    pub seconds: u32,
    /// The log level the ConfigMap experiment sets (debug when not given).
    pub log_level: Option<crate::cluster::values::LogLevel>,
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
    pub fn new(l: &crate::panels::server::Learner) -> Self {
        let chart = l.state.chart.clone();
        let names = ReleaseNames::new(&l.namespace, crate::panels::RELEASE, &chart.meta);
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
        let rendered = release::render(values, crate::panels::RELEASE, &self.chart.meta);
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

/// Runs `spec`/`variant` to its end. The claim keeps other runs out meanwhile.
pub async fn run(
    lab: Arc<Lab>,
    claim: Claim,
    ctx: Ctx,
    spec: &'static Spec,
    variant: &'static Variant,
    params: Params,
) {
    let _claim = claim;
    let rec = Recorder::new(lab.clone(), &ctx.namespace, spec.name, variant.name);
    let result = tokio::select! {
        r = tokio::time::timeout(
            Duration::from_secs(300),
            steps(&lab, &ctx, &rec, spec, variant, &params),
        ) => Some(r),
        () = lab.inflight.stopping() => None,
    };
    let (phase, reason) = match result {
        None => (RunPhase::Stopped, put_back_on_shutdown(&lab, &ctx).await),
        Some(Ok(Ok(o))) if o.passed => (RunPhase::Passed, o.reason),
        Some(Ok(Ok(o))) => (RunPhase::Failed, o.reason),
        Some(Ok(Err(e @ Error::Precondition(_)))) => (RunPhase::Stopped, e.to_string()),
        Some(Ok(Err(e))) => (RunPhase::Failed, e.to_string()),
        Some(Err(_)) => (
            RunPhase::Failed,
            "실험이 5분 안에 끝나지 않아 멈췄습니다.".into(),
        ),
    };
    lab.count_verdict(phase);
    rec.finish(phase, reason).await;
}

async fn steps(
    lab: &Arc<Lab>,
    ctx: &Ctx,
    rec: &Recorder,
    spec: &Spec,
    variant: &Variant,
    params: &Params,
) -> Result<Outcome> {
    rec.step("클러스터 상태 읽는 중");
    let stage = Stage::open(lab.hub(), &ctx.namespace, &ctx.names.fullname).await?;
    let _observer = observe::spawn(stage.feeds(), rec.clone(), ctx.names.fullname.clone());
    baseline::check(ctx, &stage, spec).await?;
    baseline::reset(ctx, &stage, Some(rec)).await?;
    match spec.name {
        "configmap" => configmap::run(ctx, &stage, rec, variant.name, params).await,
        "readiness" => readiness::run(ctx, &stage, rec, variant.name, params).await,
        "resources" => resources::run(ctx, &stage, rec, params).await,
        "graceful-shutdown" => shutdown::run(ctx, &stage, rec, variant.name, params).await,
        "rolling-update" => rollout::run(ctx, &stage, rec).await,
        other => Err(Error::Refused(format!("알 수 없는 실험입니다: {other}"))),
    }
}

/// The portal is stopping mid-run: the release goes back to the baseline (the run's
/// ConfigMap, readiness or image changes undone) before the verdict says so.
async fn put_back_on_shutdown(lab: &Arc<Lab>, ctx: &Ctx) -> String {
    tracing::info!(namespace = %ctx.namespace, "portal stopping: putting the release back");
    let put_back = async {
        let stage = Stage::open(lab.hub(), &ctx.namespace, &ctx.names.fullname).await?;
        baseline::put_back(ctx, &stage).await
    };
    match tokio::time::timeout(SHUTDOWN_RESET, put_back).await {
        Ok(Ok(())) => "포털이 종료되어 실험을 멈추고 릴리스를 기준 값으로 되돌렸습니다 (파드 교체는 Kubernetes 가 마저 합니다). 다시 실행해 주세요.".into(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not put the release back on shutdown");
            "포털이 종료되어 실험을 멈췄지만 릴리스를 되돌리지 못했습니다. '기준 상태로' 버튼을 눌러 주세요.".into()
        }
        Err(_) => "포털이 종료되어 실험을 멈췄지만 되돌리기가 제때 끝나지 않았습니다. '기준 상태로' 버튼을 눌러 주세요.".into(),
    }
}

/// How long a stopping portal gives one run to put its release back (an apply and a few
/// pod calls: seconds); the portal's whole shutdown waits a little longer
/// ([`crate::server`]), inside the pod's grace period.
pub const SHUTDOWN_RESET: Duration = Duration::from_secs(20);

/// The reset button: the baseline, without a recorded run.
pub async fn reset(lab: &Arc<Lab>, ctx: &Ctx) -> Result<()> {
    let stage = Stage::open(lab.hub(), &ctx.namespace, &ctx.names.fullname).await?;
    baseline::reset(ctx, &stage, None).await
}
