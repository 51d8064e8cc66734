//! `/host`: the workshop host's dashboard — every learner with their lessons done, each
//! experiment's latest verdict, who is stuck, their namespace's quota use — with reset,
//! remove and "end the workshop", pushed live (`follow.rs`). The host token is typed in and
//! sent in request bodies only (never in a URL, so never in a log); once given, the
//! session may follow the board.

use leptos::either::EitherOf4;
use leptos::prelude::*;

mod api;
mod follow;

pub use api::{host_end, host_joining, host_learner, host_login, host_logout, host_overview};

pub use crate::live::{Board, LearnerRow};

#[island]
fn HostBoard() -> impl IntoView {
    use follow::{Link, follow};

    let (token, set_token) = signal(String::new());
    let (rows, set_rows) = signal(None::<Result<Vec<LearnerRow>, String>>);
    let (link, set_link) = signal(Link::Closed);
    let (joining, set_joining) = signal(None::<bool>);
    let (message, set_message) = signal(None::<String>);
    let (ready, set_ready) = signal(false);
    let now = RwSignal::from(crate::panels::common::clock());
    // In the browser only: a session that already gave the token follows at once.
    Effect::new(move |_| {
        set_ready.set(true);
        follow(set_rows, set_joining, set_link);
    });
    let login = Action::new_local(move |_: &()| async move {
        match host_login(token.get_untracked()).await {
            Ok(()) => follow(set_rows, set_joining, set_link),
            Err(e) => set_rows.set(Some(Err(crate::panels::common::error_text(&e)))),
        }
    });
    let logout = Action::new_local(move |_: &()| async move {
        match host_logout().await {
            // A fresh page: the board's stream and rows go with the rights.
            Ok(_) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
            Err(e) => set_message.set(Some(crate::panels::common::error_text(&e))),
        }
    });
    let act = Action::new_local(move |(id, remove): &(String, bool)| {
        let (id, remove) = (id.clone(), *remove);
        async move {
            let r = host_learner(token.get_untracked(), id, remove).await;
            set_message.set(Some(
                r.unwrap_or_else(|e| crate::panels::common::error_text(&e)),
            ));
        }
    });
    let toggle = Action::new_local(move |open: &bool| {
        let open = *open;
        async move {
            let r = host_joining(token.get_untracked(), open).await;
            set_message.set(Some(
                r.unwrap_or_else(|e| crate::panels::common::error_text(&e)),
            ));
        }
    });
    let end = Action::new_local(move |_: &()| async move {
        let r = host_end(token.get_untracked()).await;
        set_message.set(Some(
            r.unwrap_or_else(|e| crate::panels::common::error_text(&e)),
        ));
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
                                <td>{let seen = r.seen_ms; move || format!("{}초 전", ((now.get() * 1000.0) as i64 - seen).max(0) / 1000)}</td>
                                <td data-done=r.lessons_done.len()>{r.lessons_done.join(", ")}</td>
                                <td>{r.verdicts.iter().map(|(e, v)| {
                                    let word = match v.as_str() { "passed" => "성공", "failed" => "실패", "running" => "진행 중", _ => "중단" };
                                    view! { <span class="verdict" data-verdict=v.clone() data-experiment=e.clone()>{format!("{e}: {word}")}</span> }
                                }).collect_view()}</td>
                                <td class="small">{r.quota.join(" · ")}</td>
                                <td>
                                    <button class="button" on:click=move |_| { act.dispatch((id1.clone(), false)); }>"릴리스 초기화"</button>
                                    <button class="button danger" on:click=move |_| { act.dispatch((id2.clone(), true)); }>"참가자 제거"</button>
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
            <button class="button primary" data-action="host-load" on:click=move |_| { login.dispatch(()); }>"보기"</button>
            {move || joining.get().map(|open| view! {
                <button class="button" data-action="host-joining" data-joining=if open { "open" } else { "closed" }
                    on:click=move |_| { toggle.dispatch(!open); }>{if open { "참가 닫기" } else { "참가 열기" }}</button>
                <span class="dim">{if open { "참가 받는 중" } else { "참가 닫힘" }}</span>
            })}
            <button class="button danger" data-action="host-end" on:click=move |_| { end.dispatch(()); }>"워크숍 끝내기"</button>
            <button class="button" data-action="host-logout" on:click=move |_| { logout.dispatch(()); }>"로그아웃"</button>
            <span class=move || format!("live-badge {}", link.get().as_str()) data-host-link=move || link.get().as_str() role="status">{move || link.get().label()}</span>
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
                <p>"참가자마다 완료한 레슨, 실험 판정, 막힌 곳(같은 실험이 두 번 넘게 연달아 실패), 네임스페이스 할당량을 봅니다. 바뀌는 대로 곧바로 보여 줍니다."</p>
                <HostBoard/>
            </article>
        </Layout>
    }
}
