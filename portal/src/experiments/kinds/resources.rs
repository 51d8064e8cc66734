//! 3-3 Resources: what the pods request and may use against what the node has; CPU past
//! the 250m limit is throttled (slower, not killed); memory past 256Mi gets the container
//! OOMKilled, and the kubelet restarts it.

use std::time::{Duration, Instant};

use crate::experiments::engine::Recorder;
use crate::experiments::engine::scene::{Scene, Stage};
use crate::experiments::engine::{Ctx, Outcome, Params};
use crate::experiments::error::Result;
use crate::live::MarkKind;
use crate::panels::common::{mebibytes, millicores};

/// CPU time burned on one pod: at 250m it takes about four times as long in wall time.
const CPU_MS: u32 = 1000;
/// Held in two steps; the second one crosses the 256Mi limit.
const MEMORY_STEPS_MIB: [u32; 2] = [150, 200];

/// The lesson's steps: read requests and limits, burn CPU past the limit, hold memory
/// past the limit, watch the OOMKill and the restart.
pub async fn run(ctx: &Ctx, stage: &Stage, rec: &Recorder, params: &Params) -> Result<Outcome> {
    let scene = stage.scene();
    let pod = scene.choose_pod(params.pod.as_deref())?;
    read_limits(&scene, rec, &pod);
    let cpu = burn_cpu(ctx, rec, &pod).await?;

    let restarts = stage.scene().pod(&pod).map_or(0, |p| p.restarts);
    let start = Instant::now();
    exceed_memory(ctx, rec, &pod).await;
    let killed = stage
        .until("OOMKilled", Duration::from_secs(60), |s| {
            let p = s.pod(&pod)?;
            (p.restarts > restarts && p.last_termination.as_deref() == Some("OOMKilled"))
                .then(Instant::now)
        })
        .await;
    let killed = match killed {
        Ok(at) => at,
        Err(e) => {
            return Ok(Outcome {
                passed: false,
                reason: format!("실패: 메모리 제한을 넘겼는데 OOMKilled 가 보이지 않습니다 ({e})."),
            });
        }
    };
    rec.figure(
        "oom_after_s",
        "OOMKilled 까지",
        format!("{:.1}초", Recorder::secs(start, killed)),
    );
    rec.figure("last_reason", "직전 종료 이유", "OOMKilled");
    let now_restarts = recover(stage, rec, &pod, killed).await?;
    rec.figure(
        "restarts",
        "재시작 횟수",
        format!("{restarts} → {now_restarts}"),
    );
    let passed = cpu.throttled();
    let reason = if passed {
        format!(
            "성공: CPU 는 제한 250m 에 묶여 {CPU_MS}ms 계산에 {:.1}초가 걸렸고(코어의 {:.2}, 죽지는 않음), 메모리는 제한 256Mi 를 넘자 컨테이너가 OOMKilled 되었다가 다시 떠서 재시작 {now_restarts}회로 회복했습니다.",
            cpu.wall_ms / 1000.0,
            cpu.share
        )
    } else {
        format!(
            "실패: CPU 가 스로틀링되지 않았습니다 (코어의 {:.2}, 응답 {}).",
            cpu.share, cpu.status
        )
    };
    Ok(Outcome { passed, reason })
}

/// The pod's requests and limits and the node's allocatable, as figures.
fn read_limits(scene: &Scene, rec: &Recorder, pod: &str) {
    rec.step("요청과 제한, 노드의 할당 가능량 읽기");
    if let Some(p) = scene.pod(pod) {
        rec.figure(
            "cpu_request",
            "CPU 요청 (requests)",
            millicores(p.cpu_request),
        );
        rec.figure("cpu_limit", "CPU 제한 (limits)", millicores(p.cpu_limit));
        rec.figure("memory_request", "메모리 요청", mebibytes(p.memory_request));
        rec.figure("memory_limit", "메모리 제한", mebibytes(p.memory_limit));
    }
    if let Some(n) = scene.nodes.first() {
        rec.figure(
            "node_cpu",
            "노드 할당 가능 CPU",
            millicores(n.cpu_allocatable),
        );
        rec.figure(
            "node_memory",
            "노드 할당 가능 메모리",
            mebibytes(n.memory_allocatable),
        );
    }
}

/// What the service reported for its CPU burn.
struct Cpu {
    status: u16,
    /// The share of one core it got (CPU time / wall time).
    share: f64,
    wall_ms: f64,
}

impl Cpu {
    /// At a 250m limit the share is about 0.25; 0.4 leaves room for a busy node.
    fn throttled(&self) -> bool {
        self.status == 200 && self.share <= 0.4
    }
}

/// `GET /stress/cpu?ms=1000` on the pod: throttled at the limit, never killed.
async fn burn_cpu(ctx: &Ctx, rec: &Recorder, pod: &str) -> Result<Cpu> {
    rec.step(format!(
        "파드 {pod} 에서 CPU {CPU_MS}ms 어치 계산 (GET /stress/cpu?ms={CPU_MS})"
    ));
    let answer = ctx
        .call(pod, false, &format!("/stress/cpu?ms={CPU_MS}"))
        .await?;
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
    let share = body
        .get("cpu_share")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(1.0);
    let wall_ms = body
        .get("wall_ms")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    rec.mark(
        MarkKind::Request,
        format!(
            "CPU {CPU_MS}ms 를 쓰는 데 {:.1}초 걸림 (코어의 {share:.2})",
            wall_ms / 1000.0
        ),
    );
    rec.figure(
        "cpu_wall_s",
        &format!("CPU {CPU_MS}ms 에 걸린 시간"),
        format!("{:.1}초", wall_ms / 1000.0),
    );
    rec.figure("cpu_share", "얻은 CPU (코어)", format!("{share:.2}"));
    Ok(Cpu {
        status: answer.status,
        share,
        wall_ms,
    })
}

/// `POST /stress/memory` in two steps past the 256Mi limit; the second one usually
/// gets no answer (the container dies holding the request).
async fn exceed_memory(ctx: &Ctx, rec: &Recorder, pod: &str) {
    rec.step(format!(
        "파드 {pod} 에서 메모리를 {}Mi 넘게 잡기",
        MEMORY_STEPS_MIB.iter().sum::<u32>()
    ));
    for mib in MEMORY_STEPS_MIB {
        match ctx
            .call(pod, true, &format!("/stress/memory?mib={mib}"))
            .await
        {
            Ok(a) if a.status == 200 => rec.mark(
                MarkKind::Request,
                format!("POST /stress/memory?mib={mib} → 200 {}", a.body.trim()),
            ),
            Ok(a) => rec.mark(
                MarkKind::Request,
                format!(
                    "POST /stress/memory?mib={mib} → {} (컨테이너가 죽으며 연결이 끊김)",
                    a.status
                ),
            ),
            Err(_) => rec.mark(
                MarkKind::Request,
                format!("POST /stress/memory?mib={mib} → 응답 없음 (컨테이너가 죽음)"),
            ),
        }
    }
}

/// Until the kubelet has the container running, ready and serving again; its restarts.
async fn recover(stage: &Stage, rec: &Recorder, pod: &str, killed: Instant) -> Result<i32> {
    rec.step("kubelet 이 컨테이너를 다시 띄우기를 기다리는 중");
    let (at, restarts) = stage
        .until("파드 회복", Duration::from_secs(90), |s| {
            let p = s.pod(pod)?;
            (p.status == "Running" && p.ready == p.containers && s.serves(pod))
                .then(|| (Instant::now(), p.restarts))
        })
        .await?;
    rec.figure(
        "recovered_s",
        "다시 준비되기까지",
        format!("{:.1}초", Recorder::secs(killed, at)),
    );
    Ok(restarts)
}
