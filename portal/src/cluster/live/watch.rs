//! Keeps a feed in step with the API server: a kube-runtime watcher (list, then watch;
//! re-list on 410 Gone; exponential back-off on errors) whose events become views.

use std::fmt::Debug;
use std::sync::Arc;

use futures::StreamExt;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

use super::feed::Feed;
use crate::live::{FeedState, Item};

/// What a watched kind turns into.
pub type ToItem<K> = fn(&K) -> Item;

/// Runs until aborted. `keep_deleted` keeps items the API server deleted (events: the
/// portal keeps them past the API server's one-hour TTL while it runs).
pub async fn run<K>(feed: Arc<Feed>, api: Api<K>, to_item: ToItem<K>, keep_deleted: bool)
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    K::DynamicType: Default,
{
    let mut stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
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
            }
            Ok(Event::Apply(obj)) => {
                feed.upsert(to_item(&obj));
                feed.set_health(FeedState::Live, None);
            }
            Ok(Event::Delete(obj)) => {
                if !keep_deleted {
                    feed.delete(&to_item(&obj).key());
                }
            }
            Err(e) => {
                tracing::warn!(topic = feed.topic.as_str(), error = %e, "watch failed; backing off");
                feed.set_health(
                    FeedState::Reconnecting,
                    Some(format!(
                        "API 서버와의 연결이 끊겨 다시 연결하는 중입니다: {e}"
                    )),
                );
            }
        }
    }
}
