//! 3-2 Readiness: a pod that says "not ready" leaves the Service's Endpoints after about
//! failureThreshold × periodSeconds, traffic goes to the other pod meanwhile, and the
//! address returns once the probe passes again. With one replica nobody is left.

use std::time::{Duration, Instant};

use crate::cluster::values::Overrides;
use crate::experiments::engine::Recorder;
use crate::experiments::engine::load::{self, Load, Shot};
use crate::experiments::engine::scene::Stage;
use crate::experiments::engine::{Ctx, Outcome, Params};
use crate::experiments::error::{Error, Result};
use crate::live::MarkKind;
use crate::names::VariantName;

/// kube-proxy needs a moment to follow an Endpoints change; requests in this window
/// after a change are not held against either side.
const PROXY_LAG: Duration = Duration::from_secs(2);

/// The lesson's steps: traffic on, readiness off until the pod leaves the Endpoints,
/// back on until it returns, then the verdict for one or two replicas.
pub async fn run(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    variant: VariantName,
    params: &Params,
) -> Result<Outcome> {
    let probe = &ctx.chart.values.probes.readiness;
    let expected = probe.failure_threshold * probe.period_seconds;
    rec.figure(
        "expected_s",
        "예상 (failureThreshold × periodSeconds)",
        format!("{expected}초"),
    );
    let one = match variant {
        VariantName::Main => false,
        VariantName::OneReplica => true,
        other => return Err(Error::Refused(format!("알 수 없는 변형입니다: {other}"))),
    };
    if one {
        rec.step("레플리카를 1개로 줄임 (helm upgrade --set replicaCount=1)");
        let values = ctx
            .with(&Overrides {
                replicas: Some(1),
                ..Default::default()
            })
            .await?;
        ctx.roll_to(stage, &values).await?;
    }
    let scene = stage.scene();
    let pod = scene.choose_pod(params.pod.as_deref())?;
    let load = Load::start(ctx.shooter().await?, Duration::from_millis(100)).await?;
    rec.mark(
        MarkKind::Request,
        format!(
            "Service 로 0.1초마다 요청 시작 ({})",
            load::via_text(load.via)
        ),
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    let out = take_out(ctx, stage, rec, &pod).await?;
    rec.step("빠진 뒤의 요청을 지켜보는 중 (4초)");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let back = bring_back(ctx, stage, rec, &pod).await?;
    tokio::time::sleep(PROXY_LAG + Duration::from_secs(1)).await;
    let shots = load.stop().await;
    rec.mark(MarkKind::Request, load::summary(&shots));

    let seen = Seen::new(&shots, &out, &back);
    rec.figure("requests", "보낸 요청", shots.len().to_string());
    rec.figure("errors", "실패한 요청", seen.errors.to_string());
    if one {
        let outcome = one_replica(rec, &seen, &out, &back);
        rec.step("레플리카를 다시 2개로 (기준 상태)");
        ctx.roll_to(stage, &ctx.baseline()).await?;
        return Ok(outcome);
    }
    Ok(two_replicas(rec, &seen, &pod, &out, &back, expected))
}

/// A readiness switch and when the Endpoints followed it.
struct Switch {
    /// When the portal flipped the pod's readiness.
    at: Instant,
    /// When the Endpoints showed the change.
    seen: Instant,
    secs: f64,
}

/// `POST /admin/toggle-ready` on `pod`, then until it is no longer an endpoint.
async fn take_out(ctx: &Ctx, stage: &Stage, rec: &Recorder, pod: &str) -> Result<Switch> {
    rec.step(format!(
        "파드 {pod} 의 readiness 끄기 (POST /admin/toggle-ready)"
    ));
    let at = Instant::now();
    ctx.call(pod, true, "/admin/toggle-ready").await?;
    let seen = stage
        .until("Endpoints 에서 빠지기", Duration::from_secs(60), |s| {
            (!s.serves(pod)).then(Instant::now)
        })
        .await?;
    let secs = Recorder::secs(at, seen);
    rec.figure(
        "endpoint_removed_s",
        "Endpoints 에서 빠지기까지",
        format!("{secs:.1}초"),
    );
    Ok(Switch { at, seen, secs })
}

/// The same call again, then until the pod is an endpoint again.
async fn bring_back(ctx: &Ctx, stage: &Stage, rec: &Recorder, pod: &str) -> Result<Switch> {
    rec.step(format!("파드 {pod} 의 readiness 다시 켜기"));
    let at = Instant::now();
    ctx.call(pod, true, "/admin/toggle-ready").await?;
    let seen = stage
        .until("Endpoints 로 돌아오기", Duration::from_secs(60), |s| {
            s.serves(pod).then(Instant::now)
        })
        .await?;
    let secs = Recorder::secs(at, seen);
    rec.figure(
        "endpoint_returned_s",
        "Endpoints 로 돌아오기까지",
        format!("{secs:.1}초"),
    );
    Ok(Switch { at, seen, secs })
}

/// The answers sorted by when they came: while the pod was out (after the proxy caught
/// up), and after it was back.
struct Seen<'a> {
    window: Vec<&'a Shot>,
    after: Vec<&'a Shot>,
    errors: usize,
}

impl<'a> Seen<'a> {
    fn new(shots: &'a [Shot], out: &Switch, back: &Switch) -> Self {
        Self {
            window: shots
                .iter()
                .filter(|s| s.at > out.seen + PROXY_LAG && s.at < back.at)
                .collect(),
            after: shots
                .iter()
                .filter(|s| s.at > back.seen + PROXY_LAG)
                .collect(),
            errors: shots.iter().filter(|s| !s.ok()).count(),
        }
    }
}

/// One replica: nobody is left to answer while it is out, and all answer once it is back.
fn one_replica(rec: &Recorder, seen: &Seen<'_>, out: &Switch, back: &Switch) -> Outcome {
    let failed = seen.window.iter().filter(|s| !s.ok()).count();
    if let Some(first) = seen.window.iter().find(|s| !s.ok()) {
        let why = first
            .error
            .clone()
            .unwrap_or_else(|| format!("HTTP {}", first.status.unwrap_or(0)));
        rec.mark_at(
            first.at,
            MarkKind::Request,
            format!("요청 실패 시작: {why} (받을 파드가 없음)"),
        );
    }
    let recovered = !seen.after.is_empty() && seen.after.iter().all(|s| s.ok());
    rec.figure(
        "failed_while_none_ready",
        "준비된 파드가 없을 때 실패한 요청",
        format!("{failed}/{}", seen.window.len()),
    );
    let (removed_s, returned_s) = (out.secs, back.secs);
    let passed = failed > 0 && recovered;
    let reason = if passed {
        format!(
            "성공: 파드가 하나뿐일 때 readiness 를 끄자 {removed_s:.1}초 뒤 Endpoints 가 비었고, 그동안 요청 {failed}개가 모두 실패했습니다(받을 파드가 없음). readiness 가 돌아오자 {returned_s:.1}초 만에 다시 응답합니다. 그래서 레플리카를 2개 이상 둡니다."
        )
    } else {
        format!(
            "실패: 준비된 파드가 없는 동안 실패한 요청 {failed}개, 회복 뒤 모두 성공 {recovered}."
        )
    };
    Outcome { passed, reason }
}

/// Two replicas: the other pod answers everything while `pod` is out, nothing fails,
/// and it leaves within twice the expected time.
fn two_replicas(
    rec: &Recorder,
    seen: &Seen<'_>,
    pod: &str,
    out: &Switch,
    back: &Switch,
    expected: i32,
) -> Outcome {
    let strays = seen
        .window
        .iter()
        .filter(|s| s.pod.as_deref() == Some(pod))
        .count();
    let others = seen
        .window
        .iter()
        .filter(|s| s.ok() && s.pod.as_deref() != Some(pod))
        .count();
    rec.figure(
        "answered_by_other",
        "빠져 있는 동안 다른 파드가 받은 요청",
        format!("{others}/{}", seen.window.len()),
    );
    let (removed_s, returned_s, errors) = (out.secs, back.secs, seen.errors);
    let in_range = removed_s <= f64::from(expected * 2);
    let passed = errors == 0 && strays == 0 && !seen.window.is_empty() && in_range;
    let reason = if passed {
        format!(
            "성공: readiness 를 끈 파드는 {removed_s:.1}초 뒤 Endpoints 에서 빠졌고(예상 약 {expected}초), 그동안 요청 {others}개를 모두 다른 파드가 받았습니다. 다시 켜자 {returned_s:.1}초 만에 돌아왔고, 실패한 요청은 0개입니다."
        )
    } else if errors > 0 {
        format!("실패: 요청 {errors}개가 실패했습니다.")
    } else if strays > 0 {
        format!("실패: Endpoints 에서 빠진 뒤에도 그 파드가 요청 {strays}개를 받았습니다.")
    } else {
        format!("실패: 빠지기까지 {removed_s:.1}초로 예상({expected}초)보다 너무 깁니다.")
    };
    Outcome { passed, reason }
}
