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

/// Runs until aborted. `keep_deleted` keeps items the API server deleted (events: the
/// portal keeps them past the API server's one-hour TTL while it runs).
pub async fn run<K>(feed: Arc<Feed>, api: Api<K>, to_item: ToItem<K>, keep_deleted: bool)
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let mut retry = FIRST_RETRY;
    loop {
        let mut stream = watcher::watcher(api.clone(), watcher::Config::default()).boxed();
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
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}
