use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::Query;
use serde_json::{Value, json};

use crate::{Error, Result};

pub const MAX_SLOW_SECONDS: u64 = 60;
const DEFAULT_SLOW_SECONDS: u64 = 5;

// region: slow
/// Answers after `seconds` (default 5, capped at 60) without blocking a worker thread:
/// the request the graceful-shutdown lesson keeps in flight while its pod is deleted.
pub async fn slow(Query(query): Query<HashMap<String, String>>) -> Result<Json<Value>> {
    let requested = match query.get("seconds") {
        None => DEFAULT_SLOW_SECONDS,
        Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
            Error::invalid(
                "seconds",
                format!("seconds는 0 이상의 정수여야 합니다 (받은 값: {raw})"),
            )
        })?,
    };
    let capped = requested.min(MAX_SLOW_SECONDS);
    tracing::info!(
        seconds = capped,
        "Slow endpoint called: sleeping for {capped}s"
    );
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(capped)).await;
    let actual = started.elapsed().as_secs_f64();
    tracing::info!(seconds = capped, "Slow request finished");
    Ok(Json(json!({
        "message": format!("Responded after {capped} seconds"),
        "requested_seconds": requested,
        "actual_seconds": capped,
        "elapsed_seconds": (actual * 1000.0).round() / 1000.0,
    })))
}
// endregion: slow
