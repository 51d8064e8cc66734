//! Logs of every pod of the release, followed live (new pods join by themselves), the
//! service's JSON lines shown as time / level / message; pause, one pod, the previous
//! container, and a download with tail / since.

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::common::{Frame, Live, error_text};
use super::pods::pods;
use crate::live::{Item, LogLine, Topic};

/// The previous container's log of a pod of this learner (after a restart, e.g. OOMKilled).
#[server(prefix = "/api", endpoint = "previous-logs")]
pub async fn previous_logs(pod: String) -> Result<String, ServerFnError> {
    use crate::request::{bad_request, learner};
    let l = learner(false).await?;
    let mine = crate::cluster::traffic::is_release_pod(
        &l.client,
        &l.namespace,
        crate::cluster::release::RELEASE,
        &pod,
    )
    .await
    .map_err(|e| l.cluster_error(e))?;
    if !mine {
        return Err(bad_request("이 네임스페이스의 hello 파드가 아닙니다"));
    }
    crate::cluster::watch::logs::fetch(&l.client, &l.namespace, &pod, Some(200), None, true)
        .await
        .map_err(|e| l.cluster_error(e))
}

fn line_view(l: &LogLine) -> impl IntoView + use<> {
    let time = l.time.get(11..23).unwrap_or(&l.time).to_owned();
    let level = if l.level.is_empty() {
        "-".to_owned()
    } else {
        l.level.clone()
    };
    view! {
        <li class=format!("log-line lvl-{level}") data-pod=l.pod.clone()>
            <span class="log-time">{time}</span>
            <span class="log-level">{level.to_uppercase()}</span>
            <span class="log-pod">{l.pod.rsplit('-').next().unwrap_or_default().to_owned()}</span>
            <span class="log-msg">{l.message.clone()}" "<span class="dim">{l.fields.clone()}</span></span>
        </li>
    }
}

#[island]
pub fn LogsPanel() -> impl IntoView {
    let (logs, pod_feed) = (Live::new(Topic::Logs), Live::new(Topic::Pods));
    let (only, set_only) = signal(String::new());
    let (paused, set_paused) = signal(None::<u64>);
    let (tail, set_tail) = signal(200u32);
    let (since, set_since) = signal(0u32);
    let (previous, set_previous) = signal(None::<Result<String, String>>);
    let fetch_previous = Action::new_local(move |pod: &String| {
        let pod = pod.clone();
        async move { set_previous.set(Some(previous_logs(pod).await.map_err(|e| error_text(&e)))) }
    });
    let lines = {
        let logs = logs.clone();
        move || {
            let only = only.get();
            let upto = paused.get();
            let mut lines: Vec<LogLine> = logs.list(|i| match i {
                Item::Log(l) if only.is_empty() || l.pod == only => Some(l.clone()),
                _ => None,
            });
            if let Some(upto) = upto {
                lines.retain(|l| l.seq <= upto);
            }
            let skip = lines.len().saturating_sub(300);
            lines[skip..].iter().map(line_view).collect_view()
        }
    };
    let newest = move || {
        logs.list(|i| match i {
            Item::Log(l) => Some(l.seq),
            _ => None,
        })
        .last()
        .copied()
        .unwrap_or(0)
    };
    let download = move || {
        let pod = only.get();
        (!pod.is_empty()).then(|| {
            let since = since.get();
            let since = if since > 0 {
                format!("&since={since}")
            } else {
                String::new()
            };
            format!("/api/logs?pod={pod}&tail={}{since}", tail.get())
        })
    };
    view! {
        <Frame title="로그" name="logs" topics=vec![Topic::Logs, Topic::Pods]>
            <div class="log-controls">
                <label>"파드"
                    <select data-field="log-pod" on:change=move |ev| { set_only.set(event_target_value(&ev)); set_previous.set(None); }>
                        <option value="">"모든 파드 (새 파드도 자동으로)"</option>
                        {move || pods(&pod_feed).into_iter().map(|p| view! { <option value=p.name.clone()>{p.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button class="button" data-action="pause" on:click=move |_| {
                    let next = if paused.get_untracked().is_some() { None } else { Some(newest()) };
                    set_paused.set(next);
                }>{move || if paused.get().is_some() { "▶ 계속" } else { "⏸ 일시 정지" }}</button>
                {move || {
                    let pod = only.get();
                    (!pod.is_empty()).then(|| view! {
                        <button class="button" data-action="previous" on:click=move |_| { fetch_previous.dispatch(pod.clone()); }>"이전 컨테이너 로그"</button>
                        <label>"tail" <input type="number" min="1" max="5000" value=tail.get_untracked() on:input=move |ev| set_tail.set(event_target_value(&ev).parse().unwrap_or(200))/></label>
                        <label>"since(초)" <input type="number" min="0" max="86400" value=since.get_untracked() on:input=move |ev| set_since.set(event_target_value(&ev).parse().unwrap_or(0))/></label>
                    })
                }}
                {move || download().map(|href| view! { <a class="button" href=href download="">"내려받기"</a> })}
            </div>
            <ol class="log-lines" aria-live="off">{lines}</ol>
            {move || previous.get().map(|r| view! {
                <div class="previous-logs">
                    <h4>"이전 컨테이너의 로그"</h4>
                    {match r {
                        Ok(text) if text.is_empty() => EitherOf3::A(view! { <p class="empty">"비어 있습니다."</p> }),
                        Ok(text) => EitherOf3::B(view! { <pre><code>{text}</code></pre> }),
                        Err(m) => EitherOf3::C(view! { <p class="form-error">{m}</p> }),
                    }}
                </div>
            })}
        </Frame>
    }
}
