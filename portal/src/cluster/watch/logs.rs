//! The logs feed of a namespace: follows every running pod (new pods join by themselves,
//! as `kubectl logs -f -l …` cannot), parses the service's JSON lines, and keeps the
//! last lines for tabs that arrive later.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::LogParams;
use kube::{Api, Client};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::AbortHandle;

use super::feed::{Feed, Subscription};
use crate::live::{FeedState, Item, LogLine, PodView, Wire};

/// Lines of history a newly followed pod contributes.
const TAIL: i64 = 50;

pub async fn run(
    feed: Arc<Feed>,
    pods_feed: Arc<Feed>,
    mut pods: Subscription,
    client: Client,
    ns: String,
) {
    let api: Api<Pod> = Api::namespaced(client, &ns);
    let seq = Arc::new(AtomicU64::new(0));
    let mut known = pod_map(&pods.snapshot);
    let mut followers: HashMap<String, (String, AbortHandle)> = HashMap::new();
    feed.set_health(FeedState::Live, None);
    loop {
        // Follow running pods; stop following pods that are gone or were replaced.
        followers.retain(|name, (uid, task)| {
            let keep = known.get(name).is_some_and(|p| &p.uid == uid);
            if !keep {
                task.abort();
            }
            keep
        });
        for pod in known.values() {
            if pod.phase == "Running" && !followers.contains_key(&pod.name) {
                let task = tokio::spawn(follow(
                    api.clone(),
                    pod.name.clone(),
                    feed.clone(),
                    seq.clone(),
                ));
                followers.insert(pod.name.clone(), (pod.uid.clone(), task.abort_handle()));
            }
        }
        match pods.changes.recv().await {
            Ok(Wire::Upsert { item, .. }) => {
                if let Item::Pod(p) = *item {
                    known.insert(p.name.clone(), p);
                }
            }
            Ok(Wire::Delete { key, .. }) => {
                known.remove(&key);
            }
            Ok(snapshot @ Wire::Snapshot { .. }) => known = pod_map(&snapshot),
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => {
                pods = pods_feed.subscribe();
                known = pod_map(&pods.snapshot);
            }
            Err(RecvError::Closed) => break,
        }
    }
    followers.values().for_each(|(_, t)| t.abort());
}

fn pod_map(snapshot: &Wire) -> BTreeMap<String, PodView> {
    let Wire::Snapshot { items, .. } = snapshot else {
        return BTreeMap::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Item::Pod(p) => Some((p.name.clone(), p.clone())),
            _ => None,
        })
        .collect()
}

/// Follows one pod until aborted; when its stream ends (container restarted, API server
/// restarted) it resumes after the last line it saw, so lines are neither lost nor doubled.
async fn follow(api: Api<Pod>, pod: String, feed: Arc<Feed>, seq: Arc<AtomicU64>) {
    let mut last: Option<Timestamp> = None;
    loop {
        let params = LogParams {
            follow: true,
            timestamps: true,
            tail_lines: last.is_none().then_some(TAIL),
            since_time: last,
            ..Default::default()
        };
        match api.log_stream(&pod, &params).await {
            Ok(stream) => {
                let mut lines = stream.lines();
                while let Some(Ok(raw)) = lines.next().await {
                    let (ts, line) = parse(&pod, &raw);
                    if let (Some(ts), Some(prev)) = (ts, last)
                        && ts <= prev
                    {
                        continue;
                    }
                    last = ts.or(last);
                    feed.upsert(Item::Log(LogLine {
                        seq: seq.fetch_add(1, Ordering::Relaxed),
                        ..line
                    }));
                }
            }
            Err(e) => tracing::debug!(%pod, error = %e, "log stream not available yet"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// `2026-12-01T11:20:00.123456789Z {"timestamp":…,"level":"INFO","message":…}` →
/// the kubelet's timestamp and the parsed line. Lines that are not the service's JSON
/// keep their text as the message, with no level.
pub fn parse(pod: &str, raw: &str) -> (Option<Timestamp>, LogLine) {
    let (ts_text, rest) = raw.split_once(' ').unwrap_or(("", raw));
    let ts: Option<Timestamp> = ts_text.parse().ok();
    let rest = if ts.is_some() { rest } else { raw };
    let json: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(rest).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let fields = json
        .iter()
        .flatten()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "timestamp" | "level" | "message" | "logger" | "pod"
            )
        })
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let line = match field("message") {
        Some(message) => LogLine {
            seq: 0,
            pod: pod.to_owned(),
            time: field("timestamp").unwrap_or_else(|| ts_text.to_owned()),
            level: field("level").unwrap_or_default().to_lowercase(),
            message,
            fields,
        },
        None => LogLine {
            seq: 0,
            pod: pod.to_owned(),
            time: ts.map(|t| t.to_string()).unwrap_or_default(),
            level: String::new(),
            message: rest.to_owned(),
            fields: String::new(),
        },
    };
    (ts, line)
}

/// `kubectl logs POD [--tail N] [--since Ns] [--previous]`, once (for downloads and the
/// previous container). `tail` and `since` are bounded by the caller.
pub async fn fetch(
    client: &Client,
    ns: &str,
    pod: &str,
    tail: Option<i64>,
    since: Option<i64>,
    previous: bool,
) -> crate::cluster::Result<String> {
    let params = download_params(tail, since, previous);
    Api::<Pod>::namespaced(client.clone(), ns)
        .logs(pod, &params)
        .await
        .map_err(|e| crate::cluster::Error::kube(format!("Pod {ns}/{pod} 로그"), e))
}

/// The most a download holds in memory, and the lines it has when none are asked for:
/// a chatty container's whole log must not become one allocation.
pub const DOWNLOAD_MAX_BYTES: i64 = 8 * 1024 * 1024;
pub const DOWNLOAD_DEFAULT_TAIL: i64 = 1000;

fn download_params(tail: Option<i64>, since: Option<i64>, previous: bool) -> LogParams {
    LogParams {
        tail_lines: tail.or(since.is_none().then_some(DOWNLOAD_DEFAULT_TAIL)),
        since_seconds: since,
        previous,
        timestamps: true,
        limit_bytes: Some(DOWNLOAD_MAX_BYTES),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn downloads_are_bounded_in_lines_and_bytes() {
        let p = super::download_params(None, None, false);
        assert_eq!(p.tail_lines, Some(super::DOWNLOAD_DEFAULT_TAIL));
        assert_eq!(p.limit_bytes, Some(super::DOWNLOAD_MAX_BYTES));
        let p = super::download_params(None, Some(600), true);
        assert_eq!(
            (p.tail_lines, p.since_seconds, p.previous),
            (None, Some(600), true)
        );
        assert_eq!(
            super::download_params(Some(20), None, false).tail_lines,
            Some(20)
        );
    }

    #[test]
    fn json_lines_are_parsed_and_others_kept_as_text() {
        let (ts, line) = parse(
            "p",
            r#"2026-12-01T11:20:00.5Z {"timestamp":"2026-12-01T11:20:00.4Z","level":"DEBUG","message":"GET / 200","logger":"hello","pod":"p","path":"/","status":200}"#,
        );
        assert!(ts.is_some());
        assert_eq!(line.level, "debug");
        assert_eq!(line.message, "GET / 200");
        assert_eq!(line.time, "2026-12-01T11:20:00.4Z");
        assert_eq!(line.fields, "path=/ status=200");
        let (_, plain) = parse("p", "2026-12-01T11:20:01Z panic: boom");
        assert_eq!(plain.level, "");
        assert_eq!(plain.message, "panic: boom");
        let (none, bare) = parse("p", "no timestamp here");
        assert!(none.is_none());
        assert_eq!(bare.message, "no timestamp here");
    }
}
