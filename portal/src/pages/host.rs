//! `/host`: the workshop host's dashboard — every learner with their lessons done, each
//! experiment's latest verdict, who is stuck, their namespace's quota use — with reset,
//! remove and "end the workshop". The host token is typed in and sent in the body of
//! each call (never in a URL, so never in a log).

#[cfg(feature = "ssr")]
use axum::http::StatusCode;
use leptos::either::EitherOf4;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerRow {
    pub id: String,
    pub name: String,
    pub namespace: String,
    pub seen_ago_s: i64,
    pub lessons_done: Vec<String>,
    /// (experiment, verdict word) of the latest runs.
    pub verdicts: Vec<(String, String)>,
    /// Experiments that failed two or more times in a row.
    pub stuck: Vec<String>,
    /// `resource used/hard`.
    pub quota: Vec<String>,
}

#[cfg(feature = "ssr")]
fn host() -> Result<
    (
        crate::server::PortalState,
        std::sync::Arc<crate::workshop::Workshop>,
    ),
    ServerFnError,
> {
    let state = expect_context::<crate::server::PortalState>();
    let ws = state
        .workshop
        .clone()
        .ok_or_else(|| crate::panels::server::bad_request("이 포털은 워크숍 모드가 아닙니다."))?;
    Ok((state, ws))
}

#[cfg(feature = "ssr")]
fn check(ws: &crate::workshop::Workshop, token: &str) -> Result<(), ServerFnError> {
    if ws.token_matches(token) {
        Ok(())
    } else {
        Err(crate::panels::server::refuse(
            StatusCode::FORBIDDEN,
            "진행자 토큰이 맞지 않습니다.",
        ))
    }
}

#[server(prefix = "/api", endpoint = "host-overview")]
pub async fn host_overview(token: String) -> Result<Vec<LearnerRow>, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token)?;
    let now = crate::experiments::lab::now_ms();
    let client = state.hub.conn().now().map(|c| c.client);
    let mut rows = Vec::new();
    for l in ws
        .store
        .all()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
    {
        let runs = state.lab.runs(&l.namespace);
        let quota = match &client {
            Some(c) => crate::cluster::workshop::quota_use(c, &l.namespace)
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        };
        rows.push(LearnerRow {
            verdicts: runs
                .iter()
                .map(|r| {
                    (
                        format!(
                            "{}{}",
                            r.experiment,
                            if r.variant.is_empty() {
                                String::new()
                            } else {
                                format!(":{}", r.variant)
                            }
                        ),
                        r.phase.as_str().to_owned(),
                    )
                })
                .collect(),
            stuck: state.lab.stuck(&l.namespace),
            quota: quota
                .into_iter()
                .filter_map(|(k, used, hard)| {
                    let label = match k.as_str() {
                        "pods" => "파드",
                        "requests.cpu" => "CPU 요청",
                        "requests.memory" => "메모리 요청",
                        _ => return None,
                    };
                    Some(format!("{label} {used}/{hard}"))
                })
                .collect(),
            // Lessons marked done, and those whose experiment passed.
            lessons_done: {
                let mut done = l.progress.done.clone();
                for name in state.lab.passed(&l.namespace) {
                    if let Some(spec) = crate::experiments::catalog::spec(&name) {
                        done.insert(spec.lesson.to_owned());
                    }
                }
                done.into_iter().collect()
            },
            seen_ago_s: (now - l.seen_ms) / 1000,
            id: l.id,
            name: l.name,
            namespace: l.namespace,
        });
    }
    Ok(rows)
}

/// `remove` deletes the learner and their namespace; otherwise their release is reset.
#[server(prefix = "/api", endpoint = "host-learner")]
pub async fn host_learner(
    token: String,
    id: String,
    remove: bool,
) -> Result<String, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token)?;
    let learner = ws
        .store
        .get(&id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .ok_or_else(|| crate::panels::server::bad_request("그런 참가자가 없습니다."))?;
    let connected = state.hub.conn().now().ok_or_else(|| {
        crate::panels::server::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::cluster::live::NO_CLUSTER,
        )
    })?;
    if remove {
        ws.remove(&connected.client, &learner)
            .await
            .map_err(ServerFnError::new)?;
        return Ok(format!(
            "{} 님과 네임스페이스 {} 를 지웠습니다.",
            learner.name, learner.namespace
        ));
    }
    crate::cluster::release::uninstall_from(
        &connected.client,
        &learner.namespace,
        crate::panels::RELEASE,
        &state.chart.meta,
        false,
    )
    .await
    .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(format!(
        "{} 님의 릴리스를 지웠습니다 (네임스페이스는 그대로).",
        learner.name
    ))
}

/// Ends the workshop: every learner and namespace is removed.
#[server(prefix = "/api", endpoint = "host-end")]
pub async fn host_end(token: String) -> Result<String, ServerFnError> {
    let (state, ws) = host()?;
    check(&ws, &token)?;
    let Some(connected) = state.hub.conn().now() else {
        return Err(crate::panels::server::refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::cluster::live::NO_CLUSTER,
        ));
    };
    let all = ws
        .store
        .all()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    for l in &all {
        ws.remove(&connected.client, l)
            .await
            .map_err(ServerFnError::new)?;
    }
    Ok(format!(
        "워크숍을 마쳤습니다: 참가자 {}명과 네임스페이스를 지웠습니다.",
        all.len()
    ))
}

#[island]
fn HostBoard() -> impl IntoView {
    let (token, set_token) = signal(String::new());
    let (rows, set_rows) = signal(None::<Result<Vec<LearnerRow>, String>>);
    let (message, set_message) = signal(None::<String>);
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let load = Action::new_local(move |_: &()| async move {
        let r = host_overview(token.get_untracked()).await;
        set_rows.set(Some(r.map_err(|e| crate::panels::common::error_text(&e))));
    });
    let act = Action::new_local(move |(id, remove): &(String, bool)| {
        let (id, remove) = (id.clone(), *remove);
        async move {
            let r = host_learner(token.get_untracked(), id, remove).await;
            set_message.set(Some(
                r.unwrap_or_else(|e| crate::panels::common::error_text(&e)),
            ));
            load.dispatch(());
        }
    });
    let end = Action::new_local(move |_: &()| async move {
        let r = host_end(token.get_untracked()).await;
        set_message.set(Some(
            r.unwrap_or_else(|e| crate::panels::common::error_text(&e)),
        ));
        load.dispatch(());
    });
    // Refreshes every 5 s once the token is accepted.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if matches!(rows.get_untracked(), Some(Ok(_))) && !load.pending().get_untracked() {
                    load.dispatch(());
                }
            },
            std::time::Duration::from_secs(5),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let table = move || match rows.get() {
        None => EitherOf4::A(view! { <p class="dim">"진행자 토큰을 넣고 '보기' 를 누르세요."</p> }),
        Some(Err(e)) => EitherOf4::B(view! { <p class="form-error" data-host="error">{e}</p> }),
        Some(Ok(rows)) if rows.is_empty() => {
            EitherOf4::C(view! { <p class="empty" data-host="empty">"아직 참가자가 없습니다."</p> })
        }
        Some(Ok(rows)) => EitherOf4::D(view! {
            <table class="live-table host-table" data-host="table">
                <thead><tr><th>"이름"</th><th>"네임스페이스"</th><th>"마지막 활동"</th><th>"완료한 레슨"</th><th>"실험"</th><th>"할당량"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let (id1, id2) = (r.id.clone(), r.id.clone());
                        view! {
                            <tr data-learner=r.namespace.clone() data-stuck=(!r.stuck.is_empty()).to_string()>
                                <td>{r.name.clone()}{(!r.stuck.is_empty()).then(|| view! { <span class="warn">{format!(" · 막힘: {}", r.stuck.join(", "))}</span> })}</td>
                                <td><code>{r.namespace.clone()}</code></td>
                                <td>{format!("{}초 전", r.seen_ago_s)}</td>
                                <td data-done=r.lessons_done.len()>{r.lessons_done.join(", ")}</td>
                                <td>{r.verdicts.iter().map(|(e, v)| {
                                    let word = match v.as_str() { "passed" => "성공", "failed" => "실패", "running" => "진행 중", _ => "중단" };
                                    view! { <span class="verdict" data-verdict=v.clone() data-experiment=e.clone()>{format!("{e}: {word}")}</span> }
                                }).collect_view()}</td>
                                <td class="small">{r.quota.join(" · ")}</td>
                                <td>
                                    <button class="button" on:click=move |_| { act.dispatch((id1.clone(), false)); }>"릴리스 초기화"</button>
                                    <button class="button danger" on:click=move |_| { act.dispatch((id2.clone(), true)); }>"내보내기"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }),
    };
    view! {
        <div class="host-board" data-ready=move || ready.get().to_string()>
            <label>"진행자 토큰 " <input type="password" data-field="token" on:input=move |ev| set_token.set(event_target_value(&ev))/></label>
            <button class="button primary" data-action="host-load" on:click=move |_| { load.dispatch(()); }>"보기"</button>
            <button class="button danger" data-action="host-end" on:click=move |_| { end.dispatch(()); }>"워크숍 끝내기"</button>
            {move || message.get().map(|m| view! { <p class="result" role="status">{m}</p> })}
            {table}
        </div>
    }
}

#[cfg(feature = "ssr")]
#[component]
pub fn HostPage() -> impl IntoView {
    use leptos_meta::Title;

    use crate::ui::Layout;
    view! {
        <Title text="진행자 화면 — Hello K8s"/>
        <Layout>
            <article class="prose host-page">
                <h1>"진행자 화면"</h1>
                <p>"참가자마다 완료한 레슨, 실험 판정, 막힌 곳(같은 실험이 두 번 넘게 연달아 실패), 네임스페이스 할당량을 봅니다. 5초마다 새로 고칩니다."</p>
                <HostBoard/>
            </article>
        </Layout>
    }
}
