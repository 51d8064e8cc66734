//! Pieces every panel island uses: the connection badge, typed reads of a topic, and
//! the formatting of ages, CPU and memory as kubectl prints them.

use leptos::prelude::*;

use crate::live::client::{Link, TopicData, link, now, topic};
use crate::live::{FeedState, Item, Topic};

/// The items of one topic, as a closure-friendly getter.
#[derive(Debug, Clone)]
pub struct Live {
    data: TopicData,
}

impl Live {
    pub fn new(t: Topic) -> Self {
        Self { data: topic(t) }
    }

    /// The items that `pick` accepts, in key order.
    pub fn list<T>(&self, pick: impl Fn(&Item) -> Option<T>) -> Vec<T> {
        self.data.items.read().values().filter_map(pick).collect()
    }

    pub fn state(&self) -> (FeedState, Option<String>) {
        self.data.state.get()
    }
}

/// "실시간" / "재연결 중…" / "연결 중…" / "클러스터 없음", with the reason when there is one.
#[component]
pub fn LiveBadge(topics: Vec<Topic>) -> impl IntoView {
    let feeds: Vec<Live> = topics.into_iter().map(Live::new).collect();
    let link = link();
    let status = move || {
        if link.get() == Link::Reconnecting {
            return ("reconnecting", "포털과 다시 연결하는 중…".to_owned(), None);
        }
        let states: Vec<_> = feeds.iter().map(Live::state).collect();
        if let Some((_, m)) = states.iter().find(|(s, _)| *s == FeedState::NoCluster) {
            return ("no-cluster", "클러스터 없음".to_owned(), m.clone());
        }
        if let Some((_, m)) = states.iter().find(|(s, _)| *s == FeedState::Reconnecting) {
            return ("reconnecting", "다시 연결하는 중…".to_owned(), m.clone());
        }
        if link.get() == Link::Open && states.iter().all(|(s, _)| *s == FeedState::Live) {
            return ("live", "실시간".to_owned(), None);
        }
        ("connecting", "연결 중…".to_owned(), None)
    };
    view! {
        {move || {
            let (class, label, message) = status();
            view! {
                <span class=format!("live-badge {class}") data-live=class role="status">{label}</span>
                {message.map(|m| view! { <p class="live-message">{m}</p> })}
            }
        }}
    }
}

/// A panel's frame: title, badge, body. Typed children (not `Children`, which boxes the
/// body into an `AnyView` and so compiles every hydration path of every panel into the wasm).
#[component]
pub fn Frame<C: IntoView + 'static>(
    title: &'static str,
    name: &'static str,
    topics: Vec<Topic>,
    children: TypedChildren<C>,
) -> impl IntoView {
    let children = children.into_inner();
    view! {
        <section class="panel" data-panel=name aria-label=title>
            <header class="panel-head">
                <h3>{title}</h3>
                <LiveBadge topics=topics/>
            </header>
            <div class="panel-body">{children()}</div>
        </section>
    }
}

/// Seconds since the epoch, ticking (0 on the server).
pub fn clock() -> ArcRwSignal<f64> {
    now()
}

/// kubectl's AGE: `45s`, `3m12s`, `2h5m`, `3d4h`.
pub fn age(now: f64, created: Option<i64>) -> String {
    let Some(created) = created else {
        return "-".into();
    };
    if now <= 0.0 {
        return "-".into();
    }
    let s = (now as i64 - created).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{}s", s / 60, s % 60),
        3600..86400 => format!("{}h{}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{}h", s / 86400, (s % 86400) / 3600),
    }
}

pub fn millicores(m: Option<i64>) -> String {
    m.map_or_else(|| "-".into(), |m| format!("{m}m"))
}

pub fn mebibytes(b: Option<i64>) -> String {
    b.map_or_else(|| "-".into(), |b| format!("{}Mi", b / (1024 * 1024)))
}

/// The part of a pod name its ReplicaSet added (`hello-hello-world-7c9d6b5f4-8xq2m` →
/// `8xq2m`), for the tree.
pub fn suffix<'a>(name: &'a str, parent: &str) -> &'a str {
    name.strip_prefix(parent)
        .and_then(|s| s.strip_prefix('-'))
        .unwrap_or(name)
}

/// A server function's error as the learner should read it.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        _ => "포털에 연결하지 못했습니다. 잠시 뒤 다시 시도해 주세요.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(age(1000.0, Some(955)), "45s");
        assert_eq!(age(1000.0, Some(1000 - 192)), "3m12s");
        assert_eq!(age(10_000.0, Some(10_000 - 7500)), "2h5m");
        assert_eq!(age(0.0, Some(1)), "-");
        assert_eq!(suffix("hello-abc-xyz", "hello-abc"), "xyz");
        assert_eq!(mebibytes(Some(128 * 1024 * 1024)), "128Mi");
    }
}
