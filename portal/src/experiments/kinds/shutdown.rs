//! 3-4 Graceful shutdown: a slow request is in flight when its pod is deleted. The pod
//! leaves the Endpoints at once, sleeps in preStop, gets SIGTERM, answers readiness with
//! 503, finishes the request with 200 and exits — all inside the grace period. Without
//! preStop and with a 5 s grace period the same request is cut.

use std::time::{Duration, Instant};

use crate::cluster::values::Overrides;
use crate::experiments::engine::Recorder;
use crate::experiments::engine::scene::{Scene, Stage};
use crate::experiments::engine::{Ctx, Outcome, Params};
use crate::experiments::error::{Error, Result};
use crate::live::MarkKind;
use crate::names::VariantName;

/// First time each milestone was seen, after the delete.
#[derive(Debug, Default)]
struct Seen {
    terminating: Option<Instant>,
    endpoint: Option<Instant>,
    sigterm: Option<Instant>,
    not_ready: Option<Instant>,
    /// The app's "Shutdown complete": the container is about to exit.
    exited: Option<Instant>,
    gone: Option<Instant>,
}

pub async fn run(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    variant: VariantName,
    params: &Params,
) -> Result<Outcome> {
    let cut = match variant {
        VariantName::Main => false,
        VariantName::NoPrestop => true,
        other => return Err(Error::Refused(format!("알 수 없는 변형입니다: {other}"))),
    };
    let budget = prepare(ctx, stage, rec, cut).await?;
    let pod = stage.scene().choose_pod(params.pod.as_deref())?;
    let seconds = params.seconds;
    rec.step(format!("파드 {pod} 에 GET /slow?seconds={seconds} 보내기"));
    let sent = Instant::now();
    let slow = {
        let ctx = ctx.clone();
        let pod = pod.clone();
        tokio::spawn(async move {
            let r = ctx
                .call(&pod, false, &format!("/slow?seconds={seconds}"))
                .await;
            (Instant::now(), r)
        })
    };
    // The request must have reached the app before the pod is deleted.
    let _ = stage
        .until("느린 요청 시작", Duration::from_secs(5), |s| {
            s.logs
                .iter()
                .any(|l| l.pod == pod && l.message.contains("Slow endpoint called"))
                .then_some(())
        })
        .await;
    rec.step(format!("파드 {pod} 삭제 (kubectl delete pod)"));
    let probes_before: Vec<(String, i32)> = stage
        .scene()
        .events
        .iter()
        .map(|e| (e.uid.clone(), e.count))
        .collect();
    let deleted = Instant::now();
    crate::cluster::pods::delete(&ctx.client, &ctx.namespace, &pod).await?;
    let seen = follow_shutdown(stage, &pod, deleted, budget.grace, &probes_before).await;

    let (finished, answer) = slow
        .await
        .map_err(|_| Error::Refused("느린 요청 작업이 멈췄습니다".into()))?;
    let status = match &answer {
        Ok(a) => Some(a.status),
        Err(_) => None,
    };
    let answered = match &answer {
        Ok(a) => format!("{} ({:.1}초)", a.status, Recorder::secs(sent, finished)),
        Err(e) => format!("응답 없음: {e}"),
    };
    rec.mark_at(
        finished,
        MarkKind::Request,
        format!("GET /slow?seconds={seconds} → {answered}"),
    );
    let run = Measured {
        seen,
        deleted,
        finished,
        status,
        seconds,
        budget,
    };
    run.record(rec);
    if cut {
        rec.step("preStop 과 유예 시간을 원래대로 되돌림");
        ctx.roll_to(stage, &ctx.baseline()).await?;
        return Ok(run.cut_verdict());
    }
    Ok(run.verdict())
}

/// preStop sleep and grace period of this run, in seconds.
#[derive(Debug, Clone, Copy)]
struct Budget {
    pre_stop: i64,
    grace: i64,
}

/// The chart's budget, or — for the failure mode — an upgrade to no preStop and 5 s.
async fn prepare(ctx: &Ctx, stage: &Stage, rec: &Recorder, cut: bool) -> Result<Budget> {
    let budget = if cut {
        rec.step("preStop 0초, terminationGracePeriodSeconds 5초로 업그레이드");
        let values = ctx
            .with(&Overrides {
                pre_stop_seconds: Some(0),
                grace_seconds: Some(5),
                ..Default::default()
            })
            .await?;
        ctx.roll_to(stage, &values).await?;
        Budget {
            pre_stop: 0,
            grace: 5,
        }
    } else {
        let g = &ctx.chart.values.graceful_shutdown;
        Budget {
            pre_stop: g.pre_stop_sleep_seconds,
            grace: g.termination_grace_period_seconds,
        }
    };
    rec.figure(
        "budget_s",
        "유예 시간 (terminationGracePeriodSeconds)",
        format!("{}초", budget.grace),
    );
    rec.figure(
        "prestop_s",
        "preStop sleep",
        format!("{}초", budget.pre_stop),
    );
    Ok(budget)
}

/// Watches the deleted pod until it is gone (or 15 s after the app exited: on a busy
/// node the kubelet may take long to confirm), at most the grace period + 30 s.
async fn follow_shutdown(
    stage: &Stage,
    pod: &str,
    deleted: Instant,
    grace: i64,
    probes_before: &[(String, i32)],
) -> Seen {
    let mut seen = Seen::default();
    let deadline = deleted + Duration::from_secs(grace as u64 + 30);
    let waited_enough = |seen: &Seen| {
        seen.exited
            .is_some_and(|t| t.elapsed() > Duration::from_secs(15))
    };
    while seen.gone.is_none() && !waited_enough(&seen) && Instant::now() < deadline {
        seen.look(&stage.scene(), pod, probes_before, Instant::now());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    seen
}

impl Seen {
    /// Notes each milestone the first time the scene shows it.
    fn look(&mut self, s: &Scene, pod: &str, probes_before: &[(String, i32)], now: Instant) {
        let first = |slot: &mut Option<Instant>, yes: bool| {
            if yes && slot.is_none() {
                *slot = Some(now);
            }
        };
        let logged = |what: &str| {
            s.logs
                .iter()
                .any(|l| l.pod == pod && l.message.contains(what))
        };
        first(&mut self.gone, s.pod(pod).is_none());
        first(
            &mut self.terminating,
            s.pod(pod).is_some_and(|p| p.status == "Terminating"),
        );
        first(&mut self.endpoint, !s.serves(pod));
        // The app answers readiness with 503 after SIGTERM; the kubelet reports it.
        first(
            &mut self.not_ready,
            s.events.iter().any(|e| {
                e.reason == "Unhealthy"
                    && e.object.ends_with(pod)
                    && e.message.contains("503")
                    && !probes_before.contains(&(e.uid.clone(), e.count))
            }),
        );
        first(&mut self.exited, logged("Shutdown complete"));
        first(&mut self.sigterm, logged("SIGTERM"));
    }
}

/// What one run measured, from the delete on.
#[derive(Debug)]
struct Measured {
    seen: Seen,
    deleted: Instant,
    finished: Instant,
    status: Option<u16>,
    seconds: u32,
    budget: Budget,
}

impl Measured {
    fn since(&self, t: Option<Instant>) -> String {
        t.map_or_else(
            || "보지 못함".to_owned(),
            |t| format!("{:.1}초", Recorder::secs(self.deleted, t)),
        )
    }

    fn status_text(&self) -> String {
        self.status
            .map_or_else(|| "응답 없음".into(), |s| s.to_string())
    }

    fn record(&self, rec: &Recorder) {
        let seen = &self.seen;
        rec.figure(
            "endpoint_removed_s",
            "삭제 → Endpoints 에서 빠짐",
            self.since(seen.endpoint),
        );
        rec.figure(
            "sigterm_s",
            "삭제 → SIGTERM (앱 로그)",
            self.since(seen.sigterm),
        );
        rec.figure(
            "not_ready_s",
            "삭제 → readiness 503 (프로브 실패)",
            self.since(seen.not_ready),
        );
        rec.figure(
            "slow_finished_s",
            "삭제 → 느린 요청 끝",
            self.since(Some(self.finished)),
        );
        rec.figure("slow_status", "느린 요청의 응답", self.status_text());
        rec.figure(
            "app_exit_s",
            "삭제 → 앱 종료 (Shutdown complete)",
            self.since(seen.exited),
        );
        rec.figure("pod_gone_s", "삭제 → 파드 사라짐", self.since(seen.gone));
    }

    /// The failure mode passes when the request was cut.
    fn cut_verdict(&self) -> Outcome {
        let Self { seen, seconds, .. } = self;
        let grace = self.budget.grace;
        let passed = self.status != Some(200)
            && (seen.gone.is_some() || seen.exited.is_some() || self.finished > self.deleted);
        let reason = if passed {
            format!(
                "성공(실패 모드 확인): preStop 없이 유예 시간이 {grace}초뿐이라, {seconds}초짜리 요청이 끝나기 전에 SIGKILL 로 잘렸습니다 (응답: {}). 유예 시간은 preStop + 앱의 마무리 시간 + 여유보다 길어야 합니다.",
                self.status.map_or_else(|| "없음".into(), |s| s.to_string())
            )
        } else {
            "실패: 유예 시간이 짧은데도 요청이 200 으로 끝났습니다. 요청이 파드 삭제 전에 끝났는지 확인해 주세요.".into()
        };
        Outcome { passed, reason }
    }

    /// The app must be done before the kubelet's SIGKILL, with the request answered 200.
    fn verdict(&self) -> Outcome {
        let Self { seen, seconds, .. } = self;
        let Budget { pre_stop, grace } = self.budget;
        let ok = self.status == Some(200);
        let done_s = seen
            .exited
            .or(seen.gone)
            .map(|t| Recorder::secs(self.deleted, t));
        let within = done_s.is_some_and(|g| g <= grace as f64);
        let passed = ok && within && self.finished > self.deleted;
        let reason = if passed {
            format!(
                "성공: 파드를 지운 뒤에도 처리 중이던 {seconds}초짜리 요청이 200 으로 끝났습니다. 삭제 {} 뒤 Endpoints 에서 빠졌고, preStop {pre_stop}초가 지나 SIGTERM 을 받았고({}), 요청을 마친 앱이 {} 에 스스로 종료해 유예 시간 {grace}초 안에 끝났습니다.",
                self.since(seen.endpoint),
                self.since(seen.sigterm),
                self.since(seen.exited.or(seen.gone))
            )
        } else if !ok {
            format!(
                "실패: 느린 요청이 200 으로 끝나지 않았습니다 (응답: {}).",
                self.status.map_or_else(|| "없음".into(), |s| s.to_string())
            )
        } else {
            format!(
                "실패: 파드가 유예 시간 {grace}초 안에 사라지지 않았습니다 ({}).",
                self.since(seen.gone)
            )
        };
        Outcome { passed, reason }
    }
}
