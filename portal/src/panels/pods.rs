//! `kubectl get pods -o wide`, live: phase, ready, restarts, age, IP, node and the last
//! termination reason (OOMKilled shows here).

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live, age, clock};
use crate::live::{Item, PodView, Topic};

pub fn pods(live: &Live) -> Vec<PodView> {
    live.list(|i| match i {
        Item::Pod(p) => Some(p.clone()),
        _ => None,
    })
}

#[island]
pub fn PodsPanel() -> impl IntoView {
    let live = Live::new(Topic::Pods);
    let now = clock();
    let rows = move || {
        let now = now.get();
        let pods = pods(&live);
        if pods.is_empty() {
            return Either::Left(
                view! { <tr><td colspan="8" class="empty">"파드가 없습니다."</td></tr> },
            );
        }
        Either::Right(pods.into_iter()
            .map(|p| {
                let ready_class = if p.ready == p.containers && p.containers > 0 { "ok" } else { "warn" };
                view! {
                    <tr data-pod=p.name.clone() data-status=p.status.clone() data-ready=format!("{}/{}", p.ready, p.containers)>
                        <td class="mono">{p.name.clone()}</td>
                        <td class=ready_class>{format!("{}/{}", p.ready, p.containers)}</td>
                        <td class=format!("status status-{}", p.status.to_lowercase())>{p.status.clone()}</td>
                        <td>{p.restarts}</td>
                        <td>{age(now, p.created)}</td>
                        <td class="mono">{p.ip.clone().unwrap_or_else(|| "-".into())}</td>
                        <td>{p.node.clone().unwrap_or_else(|| "-".into())}</td>
                        <td class="reason">{p.last_termination.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="파드" name="pods" topics=vec![Topic::Pods]>
            <div class="table-wrap">
                <table class="live-table">
                    <thead><tr>
                        <th>"이름"</th><th>"준비"</th><th>"상태"</th><th>"재시작"</th>
                        <th>"나이"</th><th>"IP"</th><th>"노드"</th><th>"마지막 종료 이유"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Frame>
    }
}
