//! The request tester: sends the hello endpoints through the Service (or to one pod) and
//! shows status, body, which pod answered, the latency and the route taken.

use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::common::{Frame, Live, error_text};
use super::pods::pods;
use crate::live::Topic;

/// The endpoints a learner may call; anything else is refused.
pub const ENDPOINTS: [(&str, &str); 6] = [
    ("/", "GET / (인사)"),
    ("/info", "GET /info (설정과 파드 이름)"),
    ("/health/ready", "GET /health/ready"),
    ("/health/live", "GET /health/live"),
    ("/slow", "GET /slow?seconds=N"),
    ("/admin/toggle-ready", "POST /admin/toggle-ready"),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestResult {
    pub request: String,
    pub status: u16,
    pub body: String,
    pub pod: Option<String>,
    pub latency_ms: f64,
    /// How it travelled, in Korean.
    pub via: String,
}

#[server(prefix = "/api", endpoint = "send-request")]
pub async fn send_request(
    endpoint: String,
    seconds: Option<u32>,
    pod: Option<String>,
) -> Result<RequestResult, ServerFnError> {
    use crate::cluster::traffic::{self, Target, Via};
    use crate::request::{bad_request, learner};

    if !ENDPOINTS.iter().any(|(p, _)| *p == endpoint) {
        return Err(bad_request(format!(
            "보낼 수 없는 경로입니다: '{}'",
            endpoint.chars().take(60).collect::<String>()
        )));
    }
    let path_and_query = if endpoint == "/slow" {
        let s = seconds.unwrap_or(3);
        if !(1..=60).contains(&s) {
            return Err(bad_request(format!(
                "seconds 는 1 에서 60 사이여야 합니다: {s}"
            )));
        }
        format!("/slow?seconds={s}")
    } else {
        endpoint.clone()
    };
    let target = Target {
        post: endpoint == "/admin/toggle-ready",
        path_and_query,
    };
    let l = learner(endpoint == "/admin/toggle-ready").await?;
    let pod = l.release_pod(pod).await?;
    let v = &l.chart.values;
    let names = crate::cluster::release::ReleaseNames::new(
        &l.namespace,
        crate::cluster::release::RELEASE,
        &l.chart.meta,
    );
    let answer = traffic::send(
        &l.client,
        &l.namespace,
        &names.fullname,
        u16::try_from(v.service.port).unwrap_or(80),
        pod.as_deref()
            .map(|p| (p, u16::try_from(v.service.target_port).unwrap_or(8080))),
        &target,
    )
    .await
    .map_err(|e| l.cluster_error(e))?;
    l.done();
    Ok(RequestResult {
        request: format!(
            "{} {}",
            if target.post { "POST" } else { "GET" },
            target.path_and_query
        ),
        status: answer.status,
        body: answer.body.chars().take(2000).collect(),
        pod: answer.pod,
        latency_ms: answer.latency.as_secs_f64() * 1000.0,
        via: match answer.via {
            Via::ClusterIp => "Service ClusterIP 로 직접",
            Via::ServiceProxy => "API 서버의 서비스 프록시",
            Via::PodProxy => "API 서버의 파드 프록시 (파드 하나)",
        }
        .into(),
    })
}

#[island]
pub fn RequestsPanel() -> impl IntoView {
    let live = Live::new(Topic::Pods);
    let (endpoint, set_endpoint) = signal("/".to_owned());
    let (seconds, set_seconds) = signal(3u32);
    let (pod, set_pod) = signal(String::new());
    let (results, set_results) = signal(Vec::<Result<RequestResult, String>>::new());
    let send = Action::new_local(move |_: &()| {
        let (e, s, p) = (
            endpoint.get_untracked(),
            seconds.get_untracked(),
            pod.get_untracked(),
        );
        async move {
            let r = send_request(e, Some(s), Some(p))
                .await
                .map_err(|e| error_text(&e));
            set_results.update(|list| {
                list.insert(0, r);
                list.truncate(10);
            });
        }
    });
    let pod_options = move || {
        pods(&live)
            .into_iter()
            .map(|p| view! { <option value=p.name.clone()>{format!("{} 만", p.name)}</option> })
            .collect_view()
    };
    view! {
        <Frame title="요청 보내기" name="requests" topics=vec![Topic::Pods]>
            <form class="request-form" on:submit=move |ev| ev.prevent_default()>
                <label>"경로"
                    <select data-field="endpoint" on:change=move |ev| set_endpoint.set(event_target_value(&ev))>
                        {ENDPOINTS.iter().map(|(p, label)| view! { <option value=*p>{*label}</option> }).collect_view()}
                    </select>
                </label>
                {move || (endpoint.get() == "/slow").then(|| view! {
                    <label>"초" <input type="number" min="1" max="60" value=seconds.get_untracked()
                        on:input=move |ev| set_seconds.set(event_target_value(&ev).parse().unwrap_or(0))/></label>
                })}
                <label>"보낼 곳"
                    <select data-field="pod" on:change=move |ev| set_pod.set(event_target_value(&ev))>
                        <option value="">"Service (파드 아무나)"</option>
                        {pod_options}
                    </select>
                </label>
                <button class="button primary" type="button" data-action="send" disabled=move || send.pending().get()
                    on:click=move |_| { send.dispatch(()); }>"보내기"</button>
            </form>
            <ol class="request-results">
                {move || results.get().into_iter().map(|r| match r {
                    Ok(r) => Either::Left(view! {
                        <li class=if r.status < 400 { "ok" } else { "error" } data-status=r.status data-pod=r.pod.clone().unwrap_or_default()>
                            <p><b>{r.request.clone()}</b>" → "{r.status}" · "{format!("{:.0} ms", r.latency_ms)}" · 응답한 파드 "
                                <code>{r.pod.clone().unwrap_or_else(|| "알 수 없음".into())}</code>" · "{r.via.clone()}</p>
                            <pre><code>{r.body.clone()}</code></pre>
                        </li>
                    }),
                    Err(m) => Either::Right(view! { <li class="error"><p>{m}</p></li> }),
                }).collect_view()}
            </ol>
        </Frame>
    }
}
