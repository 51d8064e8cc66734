//! The tutorial's starting point for every experiment, and the reset button: release
//! `hello` at 1.0.0 with 2 replicas and the default config, every pod ready and serving
//! what the ConfigMap says.

use std::time::Duration;

use super::ctx::Ctx;
use super::recorder::Recorder;
use super::scene::{Scene, Stage};
use crate::cluster::release::canary;
use crate::experiments::error::{Error, Result};
use crate::live::MarkKind;

const SETTLE: Duration = Duration::from_secs(150);

/// The release must be installed (the images were checked before the run started).
pub fn check(ctx: &Ctx, stage: &Stage) -> Result<()> {
    if stage.scene().deployment.is_none() {
        return Err(Error::Precondition(format!(
            "릴리스 '{}' 가 네임스페이스 {} 에 설치되어 있지 않습니다. '설치하기' 버튼(또는 helm install)으로 먼저 설치해 주세요.",
            crate::cluster::release::RELEASE,
            ctx.namespace
        )));
    }
    Ok(())
}

/// Pods of the latest spec exist and run (ready or not).
fn rolled(scene: &Scene, generation: i64) -> bool {
    let Some(d) = &scene.deployment else {
        return false;
    };
    d.generation >= generation
        && d.observed_generation >= d.generation
        && d.updated == d.replicas
        && scene.pods.len() as i32 == d.replicas
        && scene.pods.iter().all(|p| p.status == "Running")
}

/// Applies the baseline and waits until it holds, fixing pods that drifted from it.
pub async fn reset(ctx: &Ctx, stage: &Stage, rec: Option<&Recorder>) -> Result<()> {
    let note = |text: &str| {
        if let Some(rec) = rec {
            rec.step(text);
        }
    };
    note("기준 상태로 맞추는 중 (1.0.0, 레플리카 2, 기본 설정)");
    let base = ctx.baseline();
    let generation = ctx.apply(&base).await?;
    stage
        .until("기준 상태의 파드 실행", SETTLE, |s| {
            rolled(s, generation).then_some(())
        })
        .await?;
    // A canary goes only now, with the release's own pods back to serve.
    if canary::remove(&ctx.client, &ctx.names).await?
        && let Some(rec) = rec
    {
        rec.mark(
            MarkKind::Action,
            format!("카나리 Deployment {} 를 지웁니다", ctx.names.canary),
        );
    }
    for _ in 0..3 {
        let scene = stage.scene();
        let mut fixed = 0;
        for pod in &scene.pods {
            let info = ctx.call(&pod.name, false, "/info").await?;
            let info: serde_json::Value = serde_json::from_str(&info.body).unwrap_or_default();
            let field = |k: &str| {
                info.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            if field("log_level") != base.config.log_level
                || field("app_env") != base.config.app_env
                || field("app_version") != base.app.version
            {
                // Started after a ConfigMap-only edit: only a new pod reads the ConfigMap again.
                if let Some(rec) = rec {
                    rec.mark(
                        MarkKind::Action,
                        format!("파드 {} 의 설정이 기준과 달라 다시 만듭니다", pod.name),
                    );
                }
                crate::cluster::pods::delete(&ctx.client, &ctx.namespace, &pod.name).await?;
                fixed += 1;
            } else if pod.ready < pod.containers && ready_again(ctx, &pod.name).await? {
                if let Some(rec) = rec {
                    rec.mark(
                        MarkKind::Action,
                        format!("파드 {} 의 readiness 를 다시 켭니다", pod.name),
                    );
                }
                fixed += 1;
            }
        }
        if fixed == 0 {
            break;
        }
        stage
            .until("기준 상태의 파드 실행", SETTLE, |s| {
                rolled(s, generation).then_some(())
            })
            .await?;
    }
    stage.settled(generation, SETTLE).await?;
    note("기준 상태 확인: 1.0.0, 파드 2개 모두 준비됨");
    Ok(())
}

/// Switches readiness back on when a readiness run switched it off (not when the pod
/// is shutting down); whether it did.
async fn ready_again(ctx: &Ctx, pod: &str) -> Result<bool> {
    let ready = ctx.call(pod, false, "/health/ready").await?;
    if ready.status == 503 && !ready.body.contains("\"shutting_down\":true") {
        ctx.call(pod, true, "/admin/toggle-ready").await?;
        return Ok(true);
    }
    Ok(false)
}

/// The portal is stopping: the baseline's values go back (Kubernetes finishes any
/// rollout that starts on its own) and readiness is switched back on, without waiting
/// for the pods to settle — that would not fit in the pod's grace period.
pub async fn put_back(ctx: &Ctx, stage: &Stage) -> Result<()> {
    ctx.apply(&ctx.baseline()).await?;
    // No time to wait for the release's pods first: a moment without v1 pods, if a
    // promoted canary had scaled them to 0, is the lesser harm than a canary left behind.
    let canary = canary::remove(&ctx.client, &ctx.names).await?;
    tracing::info!(namespace = %ctx.namespace, canary, "baseline values applied");
    for pod in &stage.scene().pods {
        if pod.status == "Running" && pod.ready < pod.containers {
            let again = ready_again(ctx, &pod.name).await?;
            tracing::info!(pod = %pod.name, again, "readiness checked");
        }
    }
    Ok(())
}
