//! `kubectl top pods`, live, against each pod's requests and limits: the bar fills up
//! to the limit (the line marks the request).

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live, mebibytes, millicores};
use crate::live::{Item, Topic};

fn bar(used: i64, request: Option<i64>, limit: Option<i64>) -> impl IntoView {
    let scale = limit.or(request).unwrap_or(used.max(1)).max(1) as f64;
    let pct = (used as f64 / scale * 100.0).clamp(0.0, 100.0);
    let req_pct = request.map(|r| (r as f64 / scale * 100.0).clamp(0.0, 100.0));
    let class = if limit.is_some_and(|l| used as f64 >= 0.9 * l as f64) {
        "bar hot"
    } else {
        "bar"
    };
    view! {
        <span class=class role="img" aria-label=format!("한도의 {pct:.0}%")>
            <span class="fill" style=format!("width:{pct:.1}%")></span>
            {req_pct.map(|r| view! { <span class="req" style=format!("left:{r:.1}%")></span> })}
        </span>
    }
}

#[island]
pub fn UsagePanel() -> impl IntoView {
    let live = Live::new(Topic::Usage);
    let rows = move || {
        let usage = live.list(|i| match i {
            Item::Usage(u) => Some(u.clone()),
            _ => None,
        });
        if usage.is_empty() {
            return Either::Left(
                view! { <tr><td colspan="3" class="empty">"측정값이 아직 없습니다."</td></tr> },
            );
        }
        Either::Right(usage
            .into_iter()
            .map(|u| {
                view! {
                    <tr data-pod=u.pod.clone() data-cpu=u.cpu_millis data-memory=u.memory_bytes>
                        <td class="mono">{u.pod.clone()}</td>
                        <td>{bar(u.cpu_millis, u.cpu_request, u.cpu_limit)}
                            {format!(" {} (요청 {} / 한도 {})", millicores(Some(u.cpu_millis)), millicores(u.cpu_request), millicores(u.cpu_limit))}</td>
                        <td>{bar(u.memory_bytes, u.memory_request, u.memory_limit)}
                            {format!(" {} (요청 {} / 한도 {})", mebibytes(Some(u.memory_bytes)), mebibytes(u.memory_request), mebibytes(u.memory_limit))}</td>
                    </tr>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="리소스 사용량" name="usage" topics=vec![Topic::Usage]>
            <div class="table-wrap">
                <table class="live-table">
                    <thead><tr><th>"파드"</th><th>"CPU"</th><th>"메모리"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">"같은 일: "<code>"kubectl top pods -n hello"</code>" (metrics-server 가 없으면 포털이 kubelet 의 Summary API 에서 읽습니다)"</p>
        </Frame>
    }
}
