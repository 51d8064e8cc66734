//! Bounded load generators for the resources lesson (Step 3-3): hold memory until the
//! container passes its 256Mi limit and is OOMKilled, and burn CPU to show throttling
//! at the 250m limit.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};

use crate::{AppState, Error, Result};

pub const MAX_MIB_PER_CALL: u64 = 512;
pub const MAX_HELD_MIB: usize = 1024;
pub const MAX_CPU_MS: u64 = 10_000;
/// A throttled container gets little CPU; give up after this much wall time.
const MAX_CPU_WALL: Duration = Duration::from_secs(60);

fn bounded(query: &HashMap<String, String>, name: &'static str, min: u64, max: u64) -> Result<u64> {
    let raw = query
        .get(name)
        .ok_or_else(|| Error::invalid(name, format!("{name} 값이 필요합니다 ({min}~{max})")))?;
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| {
            Error::invalid(
                name,
                format!("{name}은(는) {min}~{max} 사이의 정수여야 합니다 (받은 값: {raw})"),
            )
        })
}

/// `POST /stress/memory?mib=N` holds N more MiB (1-512 per call, 1024 in all).
pub async fn hold_memory(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>> {
    let mib = bounded(&q, "mib", 1, MAX_MIB_PER_CALL)? as usize;
    tracing::warn!(mib, "Allocating memory for the resources experiment");
    let total = tokio::task::spawn_blocking(move || state.hold_memory(mib, MAX_HELD_MIB))
        .await
        .map_err(|_| Error::invalid("mib", "메모리를 할당하지 못했습니다"))?
        .map_err(|_| {
            Error::invalid(
                "mib",
                format!("한 번에 최대 {MAX_HELD_MIB} MiB까지만 붙잡을 수 있습니다"),
            )
        })?;
    tracing::warn!(held_mib = total, "Holding memory");
    Ok(Json(json!({ "status": "ok", "held_mib": total })))
}

/// `DELETE /stress/memory` lets go of everything held.
pub async fn release_memory(State(state): State<AppState>) -> Json<Value> {
    let freed = state.release_memory();
    tracing::info!(freed_mib = freed, "Released held memory");
    Json(json!({ "status": "ok", "freed_mib": freed, "held_mib": 0 }))
}

/// `GET /stress/cpu?ms=N` spins until this thread has used N ms of CPU (1-10000) and
/// reports the wall time it took: at a 250m limit, 1000 ms of CPU takes about 4 s.
pub async fn burn_cpu(Query(q): Query<HashMap<String, String>>) -> Result<Json<Value>> {
    let ms = bounded(&q, "ms", 1, MAX_CPU_MS)?;
    tracing::info!(cpu_ms = ms, "Burning CPU");
    let (cpu, wall) = tokio::task::spawn_blocking(move || spin(Duration::from_millis(ms)))
        .await
        .map_err(|_| Error::invalid("ms", "CPU 부하를 만들지 못했습니다"))?;
    let cpu_ms = cpu.as_secs_f64() * 1000.0;
    let wall_ms = wall.as_secs_f64() * 1000.0;
    tracing::info!(cpu_ms, wall_ms, "CPU burn finished");
    Ok(Json(json!({
        "status": "ok",
        "requested_cpu_ms": ms,
        "cpu_ms": cpu_ms.round(),
        "wall_ms": wall_ms.round(),
        // ≈ the share of one core we got: 0.25 under a 250m limit, ~1.0 unthrottled.
        "cpu_share": if wall_ms > 0.0 { ((cpu_ms / wall_ms) * 100.0).round() / 100.0 } else { 0.0 },
    })))
}

fn spin(target: Duration) -> (Duration, Duration) {
    let started = Instant::now();
    let cpu_start = thread_cpu_time();
    let mut x: u64 = 1;
    loop {
        for _ in 0..100_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let used = match (cpu_start, thread_cpu_time()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            // Without a CPU clock, fall back to wall time.
            _ => started.elapsed(),
        };
        if used >= target || started.elapsed() >= MAX_CPU_WALL {
            return (used, started.elapsed());
        }
    }
}

/// On-CPU time of the calling thread, from the scheduler's statistics (Linux).
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(ns))
}
