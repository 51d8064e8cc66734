//! Keeps a feed in step with the API server: a kube-runtime watcher (list, then watch;
//! re-list on 410 Gone). After any error the watch is started afresh — a new list — once
//! a short back-off has passed: a watch that silently resumes would leave the panel
//! saying "reconnecting" until the next change, and a fresh list proves it is current.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

use super::feed::Feed;
use crate::live::{FeedState, Item};

/// What a watched kind turns into.
pub type ToItem<K> = fn(&K) -> Item;

const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(5);

/// Watches re-listed after a failure or an ended stream, since start (`/metrics`).
pub static RESTARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The API server ends each watch within a minute and the watcher resumes it from the
/// last version seen (no re-list); a connection that goes silent past that (plus kube's
/// margin) is treated as dead and re-opened, so a half-open socket cannot freeze a panel
/// for the default five minutes.
const WATCH_SECONDS: u32 = 60;

pub fn watch_config() -> watcher::Config {
    watcher::Config::default().timeout(WATCH_SECONDS)
}

/// Runs until aborted. `keep_deleted` keeps items the API server deleted (events: the
/// portal keeps them past the API server's one-hour TTL while it runs).
pub async fn run<K>(feed: Arc<Feed>, api: Api<K>, to_item: ToItem<K>, keep_deleted: bool)
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let mut retry = FIRST_RETRY;
    loop {
        let mut stream = watcher::watcher(api.clone(), watch_config()).boxed();
        let mut relist: Option<Vec<Item>> = None;
        while let Some(event) = stream.next().await {
            match event {
                Ok(Event::Init) => relist = Some(Vec::new()),
                Ok(Event::InitApply(obj)) => {
                    if let Some(list) = relist.as_mut() {
                        list.push(to_item(&obj));
                    }
                }
                Ok(Event::InitDone) => {
                    let list = relist.take().unwrap_or_default();
                    if keep_deleted {
                        list.into_iter().for_each(|i| feed.upsert(i));
                    } else {
                        feed.replace(list);
                    }
                    feed.set_health(FeedState::Live, None);
                    retry = FIRST_RETRY;
                }
                Ok(Event::Apply(obj)) => feed.upsert(to_item(&obj)),
                Ok(Event::Delete(obj)) => {
                    if !keep_deleted {
                        feed.delete(&to_item(&obj).key());
                    }
                }
                Err(e) => {
                    tracing::warn!(topic = feed.topic.as_str(), error = %e, ?retry, "watch failed; re-listing after a pause");
                    feed.set_health(
                        FeedState::Reconnecting,
                        Some(format!(
                            "API 서버와의 연결이 끊겨 다시 연결하는 중입니다: {e}"
                        )),
                    );
                    break;
                }
            }
        }
        RESTARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::time::sleep(with_jitter(retry)).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// `base` plus up to half of it again, at random: after an API server restart the
/// portal's many watches (one per namespace and topic) must not all re-list at once.
fn with_jitter(base: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // A fresh RandomState is randomly keyed: enough randomness for spreading retries.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = base.as_millis() as u64 / 2;
    base + Duration::from_millis(if half == 0 { 0 } else { random % (half + 1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_spread_over_half_the_pause_again() {
        let base = Duration::from_secs(2);
        let waits: std::collections::BTreeSet<_> = (0..50).map(|_| with_jitter(base)).collect();
        assert!(waits.iter().all(|w| (base..=base + base / 2).contains(w)));
        assert!(waits.len() > 1, "not all the same");
    }
}
