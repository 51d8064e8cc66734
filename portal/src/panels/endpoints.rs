//! The Service's Endpoints: which pod addresses get traffic (ready) and which are held
//! back (not ready) — what readiness probes decide.

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live};
use crate::live::{Address, Item, Topic};

#[island]
pub fn EndpointsPanel() -> impl IntoView {
    let live = Live::new(Topic::Endpoints);
    let addr = |a: &Address, class: &'static str| {
        view! {
            <li class=class data-ip=a.ip.clone()>
                <code>{a.ip.clone()}</code>" "<span class="dim">{a.pod.clone().unwrap_or_default()}</span>
            </li>
        }
    };
    let body = move || {
        let list = live.list(|i| match i {
            Item::Endpoints(e) => Some(e.clone()),
            _ => None,
        });
        if list.is_empty() {
            return Either::Left(view! { <p class="empty">"Service 가 없습니다."</p> });
        }
        Either::Right(list.into_iter()
            .map(|e| {
                let ports = e.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
                view! {
                    <div class="endpoints" data-endpoints=e.name.clone() data-ready=e.ready.len() data-not-ready=e.not_ready.len()>
                        <p><code>{e.name.clone()}</code>" · 포트 "{ports}</p>
                        <div class="ep-cols">
                            <div><h4>{format!("준비됨 ({})", e.ready.len())}</h4>
                                <ul class="ep-list">{e.ready.iter().map(|a| addr(a, "ep-ready")).collect_view()}</ul></div>
                            <div><h4>{format!("준비 안 됨 ({})", e.not_ready.len())}</h4>
                                <ul class="ep-list">{e.not_ready.iter().map(|a| addr(a, "ep-not-ready")).collect_view()}</ul></div>
                        </div>
                    </div>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="Endpoints" name="endpoints" topics=vec![Topic::Endpoints]>
            {body}
        </Frame>
    }
}
