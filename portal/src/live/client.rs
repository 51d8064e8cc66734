//! The browser's side of the live stream: one `EventSource` per tab, whatever the number
//! of panels (browsers allow six HTTP/1.1 connections per origin), feeding reactive maps
//! that the panel islands read. On the server the same calls return empty data, so the
//! islands render their "connecting" state into the page.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{FeedState, Item, Topic};

/// The tab's link to the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Open,
    /// The stream broke; the browser is retrying (the portal or its network is down).
    Reconnecting,
}

/// One topic as a panel sees it.
#[derive(Debug, Clone)]
pub struct TopicData {
    pub items: ArcRwSignal<BTreeMap<String, Item>>,
    pub state: ArcRwSignal<(FeedState, Option<String>)>,
}

impl TopicData {
    fn new() -> Self {
        Self {
            items: ArcRwSignal::new(BTreeMap::new()),
            state: ArcRwSignal::new((FeedState::Connecting, None)),
        }
    }
}

/// Items kept per topic in the tab (log lines arrive without end).
const KEEP: usize = 1000;

/// Applies one message of the stream to the topic maps. Pure bookkeeping, so the server
/// build can test it too.
pub fn apply(topics: &BTreeMap<Topic, TopicData>, wire: super::Wire) {
    use super::Wire;
    let topic = match &wire {
        Wire::Snapshot { topic, .. }
        | Wire::Upsert { topic, .. }
        | Wire::Delete { topic, .. }
        | Wire::State { topic, .. } => *topic,
    };
    let Some(data) = topics.get(&topic) else {
        return;
    };
    match wire {
        Wire::Snapshot { items, .. } => data
            .items
            .set(items.into_iter().map(|i| (i.key(), i)).collect()),
        Wire::Upsert { item, .. } => data.items.update(|m| {
            m.insert(item.key(), *item);
            while m.len() > KEEP {
                m.pop_first();
            }
        }),
        Wire::Delete { key, .. } => data.items.update(|m| {
            m.remove(&key);
        }),
        Wire::State { state, message, .. } => data.state.set((state, message)),
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::*;

    pub fn topic(_: Topic) -> TopicData {
        TopicData::new()
    }

    pub fn link() -> ArcRwSignal<Link> {
        ArcRwSignal::new(Link::Connecting)
    }

    pub fn now() -> ArcRwSignal<f64> {
        ArcRwSignal::new(0.0)
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use std::time::Duration;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::*;

    struct Live {
        topics: BTreeMap<Topic, TopicData>,
        /// The topics the open EventSource carries.
        connected: Vec<Topic>,
        source: Option<EventSource>,
        scheduled: bool,
        link: ArcRwSignal<Link>,
        now: Option<ArcRwSignal<f64>>,
    }

    thread_local! {
        static LIVE: RefCell<Live> = RefCell::new(Live {
            topics: BTreeMap::new(),
            connected: Vec::new(),
            source: None,
            scheduled: false,
            link: ArcRwSignal::new(Link::Connecting),
            now: None,
        });
    }

    pub fn topic(topic: Topic) -> TopicData {
        LIVE.with_borrow_mut(|live| {
            let data = live
                .topics
                .entry(topic)
                .or_insert_with(TopicData::new)
                .clone();
            // All islands hydrate in one pass: connect once they have all asked.
            if !live.connected.contains(&topic) && !live.scheduled {
                live.scheduled = true;
                set_timeout(connect, Duration::ZERO);
            }
            data
        })
    }

    pub fn link() -> ArcRwSignal<Link> {
        LIVE.with_borrow(|live| live.link.clone())
    }

    /// Seconds since the epoch, ticking once a second (for ages).
    pub fn now() -> ArcRwSignal<f64> {
        LIVE.with_borrow_mut(|live| {
            live.now
                .get_or_insert_with(|| {
                    let now = ArcRwSignal::new(js_sys::Date::now() / 1000.0);
                    let tick = now.clone();
                    set_interval(
                        move || tick.set(js_sys::Date::now() / 1000.0),
                        Duration::from_secs(1),
                    );
                    now
                })
                .clone()
        })
    }

    fn connect() {
        LIVE.with_borrow_mut(|live| {
            live.scheduled = false;
            if let Some(old) = live.source.take() {
                old.close();
            }
            let names: Vec<&str> = live.topics.keys().map(|t| t.as_str()).collect();
            let url = format!("/api/live?topics={}", names.join(","));
            let Ok(source) = EventSource::new(&url) else {
                live.link.set(Link::Reconnecting);
                return;
            };
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<crate::live::Wire>(&text) {
                    Ok(wire) => LIVE.with_borrow(|live| apply(&live.topics, wire)),
                    Err(e) => leptos::logging::warn!("live: unreadable message: {e}"),
                }
            });
            let link = live.link.clone();
            let on_open = Closure::<dyn FnMut()>::new(move || link.set(Link::Open));
            let link = live.link.clone();
            let on_error = Closure::<dyn FnMut()>::new(move || {
                link.set(Link::Reconnecting);
                // A refused stream (429: too many tabs; a proxy's 502 while the portal
                // restarts) is closed for good by the browser: try again in a while.
                let closed = LIVE.with_borrow(|live| {
                    live.source
                        .as_ref()
                        .is_some_and(|s| s.ready_state() == EventSource::CLOSED)
                });
                if closed {
                    set_timeout(connect, Duration::from_secs(5));
                }
            });
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            // The handlers live as long as the page.
            on_message.forget();
            on_open.forget();
            on_error.forget();
            live.connected = live.topics.keys().copied().collect();
            live.source = Some(source);
        });
    }
}

pub use imp::{link, now, topic};
