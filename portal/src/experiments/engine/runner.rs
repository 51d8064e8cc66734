//! Runs one experiment: open the stage, start the observer, bring the release to the
//! tutorial's baseline, run the kind's steps, record the verdict. Whatever happens, the
//! run ends with a phase and a Korean reason. The engine knows no kind by name: the
//! steps come in as a [`Steps`] function from `experiments::kinds`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::ctx::{Ctx, Outcome, Params};
use super::lab::{Claim, Lab};
use super::recorder::Recorder;
use super::scene::Stage;
use super::{baseline, observe};
use crate::experiments::catalog::{Spec, Variant};
use crate::experiments::error::{Error, Result};
use crate::live::RunPhase;
use crate::names::VariantName;

/// What one run of a kind needs, borrowed for the run's length.
#[derive(Debug)]
pub struct Run<'a> {
    pub ctx: &'a Ctx,
    pub stage: &'a Stage,
    pub rec: &'a Recorder,
    pub variant: VariantName,
    pub params: &'a Params,
}

/// A kind's steps, run after the baseline holds.
pub type Steps = for<'a> fn(Run<'a>) -> Pin<Box<dyn Future<Output = Result<Outcome>> + Send + 'a>>;

/// Runs `spec`/`variant` to its end. The claim keeps other runs out meanwhile.
pub async fn run(
    lab: Arc<Lab>,
    claim: Claim,
    ctx: Ctx,
    spec: &'static Spec,
    variant: &'static Variant,
    params: Params,
    kind: Steps,
) {
    let _claim = claim;
    let rec = Recorder::new(
        lab.clone(),
        &ctx.namespace,
        spec.name.as_str(),
        variant.name.as_str(),
    );
    let result = tokio::select! {
        r = tokio::time::timeout(
            Duration::from_secs(300),
            steps(&lab, &ctx, &rec, variant, &params, kind),
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
    variant: &Variant,
    params: &Params,
    kind: Steps,
) -> Result<Outcome> {
    rec.step("클러스터 상태 읽는 중");
    let stage = Stage::open(lab.hub(), &ctx.namespace, &ctx.names.fullname).await?;
    let _observer = observe::spawn(stage.feeds(), rec.clone(), ctx.names.fullname.clone());
    baseline::check(ctx, &stage)?;
    baseline::reset(ctx, &stage, Some(rec)).await?;
    kind(Run {
        ctx,
        stage: &stage,
        rec,
        variant: variant.name,
        params,
    })
    .await
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
