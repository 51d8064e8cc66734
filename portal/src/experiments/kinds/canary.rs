//! A-3 Canary: 2.0.0 as a second Deployment beside the release's 1.0.0 pods, behind the
//! same Service, at the split the learner chose (v2:v1 pods). Requests go through the
//! Service the whole time; the share 2.0.0 answered is measured against the split, then
//! the canary is promoted (2.0.0 takes all, 1.0.0 scaled to 0) or aborted (canary
//! removed). Passing means the share is within ±10 points of the target, at least 200
//! requests were measured, and not one request failed while the pods changed.

use std::time::{Duration, Instant};

use crate::cluster::release::{self, canary};
use crate::cluster::values::Overrides;
use crate::experiments::engine::load::{self, Load, Shot, Shots};
use crate::experiments::engine::{Ctx, Outcome, Params, Recorder, Scene, Stage};
use crate::experiments::error::Result;
use crate::live::MarkKind;
use crate::names::VariantName;

const NEW: &str = "2.0.0";
const MIN_MEASURED: usize = 200;
/// ±points of the v2 share that still pass (200 requests at 50%: σ ≈ 3.5 points).
const TOLERANCE: f64 = 10.0;
const INTERVAL: Duration = Duration::from_millis(50);
const SETTLE: Duration = Duration::from_secs(120);
/// How long after the Endpoints change the API server's proxy may still use the old list.
const PROXY_LAG: Duration = Duration::from_secs(2);

/// Serving pods behind the Service: (1.0.0 = the release's, 2.0.0 = the canary's).
fn serving(s: &Scene) -> (usize, usize) {
    let ready = s.endpoints.iter().flat_map(|e| e.ready.iter());
    ready.fold((0, 0), |(v1, v2), a| match a.pod.as_deref() {
        Some(pod) if s.pod(pod).is_some() => (v1 + 1, v2),
        _ => (v1, v2 + 1),
    })
}

/// Waits until exactly `v1` release pods and `v2` canary pods serve.
async fn serve(stage: &Stage, what: &str, v1: usize, v2: usize) -> Result<()> {
    stage
        .until(what, SETTLE, |s| (serving(s) == (v1, v2)).then_some(()))
        .await
}

fn share(shots: &[&Shot]) -> (usize, f64) {
    let ok: Vec<_> = shots.iter().filter(|s| s.ok()).collect();
    let new = ok
        .iter()
        .filter(|s| s.version.as_deref() == Some(NEW))
        .count();
    (ok.len(), 100.0 * new as f64 / ok.len().max(1) as f64)
}

fn between(shots: &[Shot], from: Instant, to: Instant) -> Vec<&Shot> {
    shots.iter().filter(|s| s.at >= from && s.at < to).collect()
}

/// Feeds the live chart and the running share once a second until aborted.
fn follow(
    rec: &Recorder,
    shots: Shots,
    start: Instant,
    from: Instant,
) -> tokio::task::JoinHandle<()> {
    let rec = rec.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let all = shots.get();
            rec.set_mix(load::mix(&all, start));
            let (n, v2) = share(&between(&all, from, Instant::now()));
            if n > 0 {
                rec.figure(
                    "measured",
                    "측정한 2.0.0 비율",
                    format!("{v2:.1}% ({n}개 중)"),
                );
            }
        }
    })
}

/// The lesson's steps: place both versions, measure the share, promote or abort, judge.
pub async fn run(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    variant: VariantName,
    params: &Params,
) -> Result<Outcome> {
    let split = params.split;
    let (v2, v1) = split.pods();
    let (v2, v1) = (v2 as usize, v1 as usize);
    let target = split.target_percent();
    rec.figure(
        "target",
        "목표 2.0.0 비율",
        format!("{target:.0}% ({})", split.as_str()),
    );
    place(ctx, stage, rec, v1, v2).await?;
    tokio::time::sleep(PROXY_LAG).await;

    let load = Load::start(ctx.shooter().await?, INTERVAL).await?;
    let start = Instant::now();
    rec.mark(
        MarkKind::Request,
        format!("Service 로 0.05초마다 요청 ({})", load::via_text(load.via)),
    );
    let live = follow(rec, load.handle(), start, start);
    let measured_until = measure(rec, &load, start).await;

    let change = Instant::now();
    let ending = match variant {
        VariantName::Abort => abort(ctx, stage, rec, v1 + v2).await,
        _ => promote(ctx, stage, rec, v1, v2).await,
    };
    let changed = Instant::now();
    tokio::time::sleep(PROXY_LAG + Duration::from_secs(2)).await;
    let shots = load.stop().await;
    live.abort();
    rec.set_mix(load::mix(&shots, start));
    rec.mark(MarkKind::Request, load::summary(&shots));
    ending?;

    let times = Times {
        start,
        measured_until,
        change,
        changed,
    };
    let outcome = verdict(rec, &shots, &times, variant == VariantName::Abort, target);
    rec.step("정리: 카나리를 지우고 기준 상태로 (1.0.0, 레플리카 2)");
    crate::experiments::engine::baseline::reset(ctx, stage, Some(rec)).await?;
    Ok(outcome)
}

/// `v1` release pods (1.0.0) and `v2` canary pods (2.0.0), all serving behind the Service.
async fn place(ctx: &Ctx, stage: &Stage, rec: &Recorder, v1: usize, v2: usize) -> Result<()> {
    let names = &ctx.names;
    rec.step(format!(
        "1.0.0 을 {v1}개로 (kubectl scale deployment/{} --replicas={v1})",
        names.fullname
    ));
    canary::scale(&ctx.client, &ctx.namespace, &names.fullname, v1 as i32).await?;
    serve(stage, "1.0.0 파드 준비", v1, 0).await?;

    rec.step(format!(
        "2.0.0 카나리 {v2}개를 같은 Service 뒤에 띄움 ({})",
        names.canary
    ));
    let values = ctx
        .with(&Overrides {
            image_tag: Some(NEW.into()),
            app_version: Some(NEW.into()),
            ..Default::default()
        })
        .await?;
    let rendered = release::render(&values, release::RELEASE, &ctx.chart.meta);
    let desired = canary::desired(&rendered.deployment, names, NEW, v2 as i32);
    canary::apply(&ctx.client, &desired).await?;
    serve(stage, "카나리 파드 준비", v1, v2).await
}

/// Until MIN_MEASURED requests were sent (at most 40 s); returns the window's end.
async fn measure(rec: &Recorder, load: &Load, start: Instant) -> Instant {
    rec.step(format!("요청 {MIN_MEASURED}개 이상으로 비율 측정 중"));
    let until = start + Duration::from_secs(40);
    while load.sent() < MIN_MEASURED && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let measured_until = Instant::now();
    rec.mark(MarkKind::Request, "비율 측정 끝");
    measured_until
}

/// When the load started, the share's window ended, and the promote/abort began and ended.
struct Times {
    start: Instant,
    measured_until: Instant,
    change: Instant,
    changed: Instant,
}

/// Passed: the share over at least MIN_MEASURED answers is within TOLERANCE of the
/// target, nothing failed while measuring or changing, and afterwards only the version
/// that stays answers.
fn verdict(rec: &Recorder, shots: &[Shot], t: &Times, aborted: bool, target: f64) -> Outcome {
    let measure = between(shots, t.start, t.measured_until);
    let (measured, v2_share) = share(&measure);
    let measure_errors = measure.len() - measured;
    let during = between(
        shots,
        t.change,
        t.changed + PROXY_LAG + Duration::from_secs(2),
    );
    let during_errors = during.iter().filter(|s| !s.ok()).count();
    let after = between(shots, t.changed + PROXY_LAG, Instant::now());
    let want_after = if aborted { "1.0.0" } else { NEW };
    let after_right = after
        .iter()
        .filter(|s| s.ok() && s.version.as_deref() == Some(want_after))
        .count();
    let deviation = (v2_share - target).abs();
    let word = if aborted { "중단" } else { "승격" };
    rec.figure(
        "measured",
        "측정한 2.0.0 비율",
        format!("{v2_share:.1}% ({measured}개 중)"),
    );
    rec.figure("deviation", "목표와의 차이", format!("{deviation:.1}%p"));
    rec.figure(
        "during",
        &format!("{word} 중 요청 / 실패"),
        format!("{} / {during_errors}", during.len()),
    );
    rec.figure(
        "after",
        &format!("{word} 뒤 {want_after} 응답"),
        format!("{after_right}/{}", after.len()),
    );

    let passed = measured >= MIN_MEASURED
        && measure_errors == 0
        && deviation <= TOLERANCE
        && during_errors == 0
        && !after.is_empty()
        && after_right == after.len();
    let reason = if passed {
        format!(
            "성공: 요청 {measured}개 중 2.0.0 이 {v2_share:.1}% 를 답했습니다 (목표 {target:.0}%, 차이 {deviation:.1}%p). {word}하는 동안 요청 {}개 중 실패 0개, 그 뒤로는 모두 {want_after} 입니다.",
            during.len()
        )
    } else if measure_errors + during_errors > 0 {
        format!(
            "실패: 요청이 실패했습니다 (측정 중 {measure_errors}개, {word} 중 {during_errors}개)."
        )
    } else if measured < MIN_MEASURED {
        format!("실패: 측정한 요청이 {measured}개로 {MIN_MEASURED}개보다 적습니다.")
    } else if deviation > TOLERANCE {
        format!(
            "실패: 2.0.0 비율이 {v2_share:.1}% 로 목표 {target:.0}% 에서 {deviation:.1}%p 벗어났습니다 (허용 ±{TOLERANCE:.0}%p)."
        )
    } else {
        format!(
            "실패: {word} 뒤에도 {want_after} 이 아닌 응답이 있습니다 ({after_right}/{}).",
            after.len()
        )
    };
    Outcome { passed, reason }
}

/// 2.0.0 takes all: the canary grows to the whole count first, then 1.0.0 goes to 0,
/// so the number of serving pods never drops.
async fn promote(ctx: &Ctx, stage: &Stage, rec: &Recorder, v1: usize, v2: usize) -> Result<()> {
    let all = v1 + v2;
    rec.step(format!(
        "승격: 카나리를 {all}개로 늘린 뒤 1.0.0 을 0개로 (kubectl scale)"
    ));
    canary::scale(&ctx.client, &ctx.namespace, &ctx.names.canary, all as i32).await?;
    serve(stage, "카나리 파드 늘리기", v1, all).await?;
    rec.mark(
        MarkKind::Action,
        "카나리가 모두 준비됨: 1.0.0 을 0개로 줄입니다",
    );
    canary::scale(&ctx.client, &ctx.namespace, &ctx.names.fullname, 0).await?;
    serve(stage, "1.0.0 파드 빠지기", 0, all).await
}

/// The canary goes: 1.0.0 grows back to the whole count first, then the canary is
/// deleted (its pods leave the Endpoints at once and finish in their preStop).
async fn abort(ctx: &Ctx, stage: &Stage, rec: &Recorder, all: usize) -> Result<()> {
    rec.step(format!(
        "중단: 1.0.0 을 {all}개로 늘린 뒤 카나리를 삭제 (kubectl delete deployment/{})",
        ctx.names.canary
    ));
    let v2 = serving(&stage.scene()).1;
    canary::scale(&ctx.client, &ctx.namespace, &ctx.names.fullname, all as i32).await?;
    serve(stage, "1.0.0 파드 늘리기", all, v2).await?;
    canary::remove(&ctx.client, &ctx.names).await?;
    rec.mark(
        MarkKind::Action,
        format!("카나리 Deployment {} 를 지웠습니다", ctx.names.canary),
    );
    serve(stage, "카나리 파드 빠지기", all, 0).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiments::catalog::Split;

    fn shot(t: Instant, ms: u64, version: &str, status: u16) -> Shot {
        Shot {
            at: t + Duration::from_millis(ms),
            status: Some(status),
            pod: None,
            version: Some(version.to_owned()),
            error: None,
        }
    }

    #[test]
    fn the_share_counts_answered_requests_only() {
        let t = Instant::now();
        let shots = [
            shot(t, 0, "2.0.0", 200),
            shot(t, 10, "1.0.0", 200),
            shot(t, 20, "1.0.0", 200),
            shot(t, 30, "1.0.0", 200),
            shot(t, 40, "2.0.0", 503),
            shot(t, 5000, "2.0.0", 200),
        ];
        let window = between(&shots, t, t + Duration::from_secs(1));
        assert_eq!(window.len(), 5);
        assert_eq!(share(&window), (4, 25.0));
        assert!(Split::OneThree.target_percent() - share(&window).1 < TOLERANCE);
    }
}
