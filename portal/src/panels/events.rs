//! The namespace's events, newest first (what `kubectl describe` ends with). The portal
//! keeps them past the API server's one-hour TTL while it runs.

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live, age, clock};
use crate::live::{Item, Topic};

#[island]
pub fn EventsPanel() -> impl IntoView {
    let live = Live::new(Topic::Events);
    let now = clock();
    let rows = move || {
        let now = now.get();
        let mut events = live.list(|i| match i {
            Item::Event(e) => Some(e.clone()),
            _ => None,
        });
        events.sort_by_key(|e| std::cmp::Reverse(e.last));
        if events.is_empty() {
            return Either::Left(
                view! { <tr><td colspan="5" class="empty">"이벤트가 없습니다."</td></tr> },
            );
        }
        Either::Right(events
            .into_iter()
            .take(100)
            .map(|e| {
                view! {
                    <tr class=format!("event-{}", e.kind.to_lowercase()) data-reason=e.reason.clone()>
                        <td>{age(now, e.last)}</td>
                        <td>{e.kind.clone()}</td>
                        <td>{e.reason.clone()}</td>
                        <td class="mono">{e.object.clone()}</td>
                        <td>{e.message.clone()}{(e.count > 1).then(|| format!(" (×{})", e.count))}</td>
                    </tr>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="이벤트" name="events" topics=vec![Topic::Events]>
            <div class="table-wrap">
                <table class="live-table">
                    <thead><tr><th>"언제"</th><th>"유형"</th><th>"이유"</th><th>"대상"</th><th>"내용"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Frame>
    }
}
