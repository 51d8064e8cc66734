//! 3-5 Rolling update: requests every 100 ms through the Service while 1.0.0 becomes
//! 2.0.0 with maxSurge 1 / maxUnavailable 0, then a rollback to the revision before.
//! Passing means no request failed, both versions answered, and after the rollback only
//! 1.0.0 does.

use std::time::{Duration, Instant};

use crate::cluster::values::Overrides;
use crate::experiments::engine::Recorder;
use crate::experiments::engine::load::{self, Load};
use crate::experiments::engine::scene::{Scene, Stage};
use crate::experiments::engine::{Ctx, Outcome};
use crate::experiments::error::{Error, Result};
use crate::live::MarkKind;

const NEW: &str = "2.0.0";
const MIN_REQUESTS: usize = 200;
const PROXY_LAG: Duration = Duration::from_secs(2);

/// The most pods and the fewest serving ones seen while a rollout ran.
#[derive(Debug, Clone, Copy)]
struct Surge {
    max_pods: usize,
    min_serving: usize,
}

async fn roll(stage: &Stage, generation: i64, surge: &mut Surge) -> Result<()> {
    stage
        .until("롤아웃 완료", Duration::from_secs(150), |s: &Scene| {
            surge.max_pods = surge.max_pods.max(s.live_pods().count());
            surge.min_serving = surge.min_serving.min(s.ready_ips().len());
            s.settled(generation).then_some(())
        })
        .await
}

/// The lesson's steps: traffic on, upgrade, rollback, then the verdict on every answer.
pub async fn run(ctx: &Ctx, stage: &Stage, rec: &Recorder) -> Result<Outcome> {
    let scene = stage.scene();
    let Some(before) = scene.deployment.as_ref().and_then(|d| d.revision) else {
        return Err(Error::Precondition(
            "Deployment 의 리비전을 읽지 못했습니다.".into(),
        ));
    };
    let base_version = ctx.baseline().app.version;
    let replicas = scene.pods.len();
    let traffic = Traffic::start(ctx, rec).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let surge = upgrade(ctx, stage, rec, replicas).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let settled = rollback(ctx, stage, rec, before, replicas).await?;
    let shots = traffic.finish(rec).await;
    Ok(verdict(rec, &shots, settled, &base_version, surge))
}

/// Requests every 100 ms through the Service, with the live version chart fed once a
/// second, for the whole experiment.
struct Traffic {
    load: Load,
    start: Instant,
    mix: MixFeed,
}

/// The chart's once-a-second feed; ends with the experiment, also when a step fails.
struct MixFeed(tokio::task::JoinHandle<()>);

impl Drop for MixFeed {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Traffic {
    async fn start(ctx: &Ctx, rec: &Recorder) -> Result<Self> {
        let load = Load::start(ctx.shooter().await?, Duration::from_millis(100)).await?;
        let start = Instant::now();
        rec.mark(
            MarkKind::Request,
            format!(
                "Service 로 0.1초마다 요청 시작 ({})",
                load::via_text(load.via)
            ),
        );
        let mix = {
            let rec = rec.clone();
            let shots = load.handle();
            MixFeed(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    rec.set_mix(load::mix(&shots.get(), start));
                }
            }))
        };
        Ok(Self { load, start, mix })
    }

    /// Lets the proxy catch up with the last Endpoints, sends at least MIN_REQUESTS in
    /// all (at most 30 s more), then stops and returns every answer.
    async fn finish(self, rec: &Recorder) -> Vec<load::Shot> {
        rec.step("롤백 뒤의 응답을 확인하는 중");
        tokio::time::sleep(PROXY_LAG + Duration::from_secs(2)).await;
        let until = Instant::now() + Duration::from_secs(30);
        while self.load.sent() < MIN_REQUESTS && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let shots = self.load.stop().await;
        drop(self.mix);
        rec.set_mix(load::mix(&shots, self.start));
        rec.mark(MarkKind::Request, load::summary(&shots));
        shots
    }
}

/// `helm upgrade --set image.tag=2.0.0`: one pod more at a time, none fewer ready.
async fn upgrade(ctx: &Ctx, stage: &Stage, rec: &Recorder, replicas: usize) -> Result<Surge> {
    rec.step(format!(
        "{NEW} 으로 업그레이드 (helm upgrade --set image.tag={NEW}, maxSurge 1 · maxUnavailable 0)"
    ));
    let values = ctx
        .with(&Overrides {
            image_tag: Some(NEW.into()),
            app_version: Some(NEW.into()),
            ..Default::default()
        })
        .await?;
    let up = Instant::now();
    let generation = ctx.apply(&values).await?;
    let mut surge = Surge {
        max_pods: replicas,
        min_serving: replicas,
    };
    roll(stage, generation, &mut surge).await?;
    let upgrade_s = Recorder::secs(up, Instant::now());
    rec.figure(
        "upgrade_s",
        "업그레이드 롤아웃",
        format!("{upgrade_s:.1}초"),
    );
    rec.figure(
        "max_pods",
        "롤아웃 중 가장 많았던 파드 (maxSurge)",
        surge.max_pods.to_string(),
    );
    rec.figure(
        "min_serving",
        "롤아웃 중 가장 적었던 준비된 파드 (maxUnavailable)",
        surge.min_serving.to_string(),
    );
    Ok(surge)
}

/// `helm rollback hello <before>`; returns when the rollout back has settled.
async fn rollback(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    before: i64,
    replicas: usize,
) -> Result<Instant> {
    rec.step(format!(
        "리비전 {before} 으로 롤백 (helm rollback hello {before})"
    ));
    // helm rollback applies the old revision's manifests again — the ConfigMap too
    // (`kubectl rollout undo` would leave APP_VERSION at 2.0.0). The template matches
    // the old ReplicaSet's, so the controller scales that one up again.
    rec.mark(
        MarkKind::Action,
        "이전 리비전의 값으로 Deployment 와 ConfigMap 을 다시 적용합니다",
    );
    let back = Instant::now();
    let generation = ctx.apply(&ctx.baseline()).await?;
    let mut surge = Surge {
        max_pods: replicas,
        min_serving: replicas,
    };
    roll(stage, generation, &mut surge).await?;
    let settled = Instant::now();
    rec.figure(
        "rollback_s",
        "롤백 롤아웃",
        format!("{:.1}초", Recorder::secs(back, settled)),
    );
    Ok(settled)
}

/// Passed: enough requests, none failed, both versions answered, and after the
/// rollback (plus the proxy's lag) only the base version.
fn verdict(
    rec: &Recorder,
    shots: &[load::Shot],
    settled: Instant,
    base_version: &str,
    surge: Surge,
) -> Outcome {
    let errors = shots.iter().filter(|s| !s.ok()).count();
    let mut versions: Vec<String> = Vec::new();
    for v in shots
        .iter()
        .filter(|s| s.ok())
        .filter_map(|s| s.version.clone())
    {
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    let after: Vec<_> = shots
        .iter()
        .filter(|s| s.at > settled + PROXY_LAG)
        .collect();
    let after_base = after
        .iter()
        .filter(|s| s.version.as_deref() == Some(base_version))
        .count();
    rec.figure("requests", "보낸 요청", shots.len().to_string());
    rec.figure("errors", "실패한 요청", errors.to_string());
    rec.figure("versions", "응답한 버전", versions.join(", "));
    rec.figure(
        "after_rollback",
        &format!("롤백 뒤 {base_version} 응답"),
        format!("{after_base}/{}", after.len()),
    );
    let both = versions.iter().any(|v| v == base_version) && versions.iter().any(|v| v == NEW);
    let passed = shots.len() >= MIN_REQUESTS
        && errors == 0
        && both
        && !after.is_empty()
        && after_base == after.len();
    let reason = if passed {
        format!(
            "성공: 요청 {}개 중 실패 0개. 업그레이드 중 파드는 최대 {}개(하나 더 띄우고), 준비된 파드는 최소 {}개(하나도 줄지 않음)였고, {base_version} 과 {NEW} 이 함께 응답하다 {NEW} 으로 바뀌었습니다. 롤백 뒤에는 {after_base}개 모두 {base_version} 입니다.",
            shots.len(),
            surge.max_pods,
            surge.min_serving
        )
    } else if errors > 0 {
        format!("실패: 요청 {}개 중 {errors}개가 실패했습니다.", shots.len())
    } else if !both {
        format!(
            "실패: 두 버전이 모두 응답하지 않았습니다 (본 버전: {}).",
            versions.join(", ")
        )
    } else if after_base != after.len() {
        format!(
            "실패: 롤백 뒤에도 {base_version} 이 아닌 응답이 있습니다 ({after_base}/{}).",
            after.len()
        )
    } else {
        format!(
            "실패: 요청이 {}개로 {MIN_REQUESTS}개보다 적습니다.",
            shots.len()
        )
    };
    Outcome { passed, reason }
}
