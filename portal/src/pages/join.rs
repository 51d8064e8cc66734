//! `/join`: a learner joins the workshop with its code and a display name, and gets a
//! namespace of their own (made by the portal from the workshop template).

use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "workshop-join")]
pub async fn workshop_join(code: String, name: String) -> Result<String, ServerFnError> {
    use axum::http::StatusCode;
    use tower_sessions::Session;

    use crate::cluster::workshop;
    use crate::request::{bad_request, refuse};
    use crate::server::PortalState;
    use crate::workshop::{SESSION_KEY, check_name};

    let state = expect_context::<PortalState>();
    let Some(ws) = state.workshop.clone() else {
        return Err(bad_request(
            "이 포털은 워크숍 모드가 아닙니다. 바로 레슨을 시작하면 됩니다.",
        ));
    };
    let keys =
        crate::workshop::guard::before_guess(&ws.guesses, state.config.trust_forwarded).await?;
    if !ws.code_matches(&code) {
        ws.guesses.failed(&keys, std::time::Instant::now());
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "참가 코드가 맞지 않습니다. 진행자에게 받은 코드를 다시 확인해 주세요.",
        ));
    }
    if !ws.joining_open().await {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "지금은 참가를 받지 않습니다. 진행자가 참가를 열면 다시 시도해 주세요.",
        ));
    }
    let name = check_name(&name).map_err(bad_request)?;
    let session: Session = leptos_axum::extract().await?;
    let store_err = |e: sqlx::Error| {
        tracing::error!(error = %e, "learner store");
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "참가 정보를 저장하지 못했습니다. 잠시 뒤 다시 시도해 주세요.",
        )
    };
    if let Some(id) = session.get::<String>(SESSION_KEY).await?
        && let Some(existing) = ws.store.get(&id).await.map_err(store_err)?
    {
        return Ok(format!(
            "이미 참가했습니다: {} (네임스페이스 {})",
            existing.name, existing.namespace
        ));
    }
    let Some(connected) = state.hub.conn().now() else {
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::cluster::watch::NO_CLUSTER,
        ));
    };
    let full = || {
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "정원({}명)이 찼습니다. 진행자에게 문의해 주세요.",
                ws.config.max_learners
            ),
        )
    };
    let learner = ws
        .store
        .create(&name, ws.config.max_learners)
        .await
        .map_err(store_err)?
        .ok_or_else(full)?;
    let template = workshop::template(
        &learner.namespace,
        &learner.id,
        ws.config.learner_cluster_role.as_deref(),
    );
    if let Err(e) = workshop::provision(&connected.client, &template).await {
        tracing::error!(error = %e, "could not make a learner namespace");
        let _ = ws.store.delete(&learner.id).await;
        return Err(refuse(
            StatusCode::BAD_GATEWAY,
            "실습 네임스페이스를 만들지 못했습니다. 잠시 뒤 다시 시도하거나 진행자에게 알려 주세요.",
        ));
    }
    // A new id on joining: a session id planted before (fixation) names nobody.
    let saved = async {
        session.cycle_id().await?;
        session.insert(SESSION_KEY, &learner.id).await
    };
    if let Err(e) = saved.await {
        tracing::error!(error = %e, "session store");
        let _ = ws.store.delete(&learner.id).await;
        return Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "참가 정보를 저장하지 못했습니다. 잠시 뒤 다시 시도해 주세요.",
        ));
    }
    tracing::info!(learner = %learner.id, namespace = %learner.namespace, "learner joined");
    Ok(format!(
        "{}님, 환영합니다. 실습 네임스페이스는 {} 입니다.",
        learner.name, learner.namespace
    ))
}

#[island]
fn JoinForm() -> impl IntoView {
    let (code, set_code) = signal(String::new());
    let (name, set_name) = signal(String::new());
    let (message, set_message) = signal(None::<(bool, String)>);
    // Effects run only in the browser: the form says when it can take input.
    let (ready, set_ready) = signal(false);
    Effect::new(move |_| set_ready.set(true));
    let join = Action::new_local(move |_: &()| {
        let (c, n) = (code.get_untracked(), name.get_untracked());
        async move {
            match workshop_join(c, n).await {
                Ok(m) => {
                    set_message.set(Some((true, m)));
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href("/lessons/1-1");
                    }
                }
                Err(e) => set_message.set(Some((false, crate::panels::common::error_text(&e)))),
            }
        }
    });
    view! {
        <form class="join-form" data-ready=move || ready.get().to_string() on:submit=move |ev| ev.prevent_default()>
            <label>"참가 코드" <input data-field="code" autocomplete="off" on:input=move |ev| set_code.set(event_target_value(&ev))/></label>
            <label>"이름 (다른 참가자와 진행자에게 보입니다)" <input data-field="name" maxlength="30" on:input=move |ev| set_name.set(event_target_value(&ev))/></label>
            <button class="button primary" type="button" data-action="join" disabled=move || join.pending().get()
                on:click=move |_| { join.dispatch(()); }>"참가하기"</button>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "result ok" } else { "result error" } role="status" data-join=if ok { "ok" } else { "error" }>{m}</p> })}
        </form>
    }
}

#[cfg(feature = "ssr")]
#[component]
pub fn JoinPage() -> impl IntoView {
    use leptos_meta::Title;

    use crate::ui::Layout;
    view! {
        <Title text="워크숍 참가 — Hello K8s"/>
        <Layout>
            <article class="prose join-page">
                <h1>"워크숍 참가"</h1>
                <p>"진행자에게 받은 참가 코드와 이름을 입력하면, 나만 쓰는 네임스페이스가 만들어집니다. 다른 참가자의 것은 보이지도, 바꿀 수도 없습니다."</p>
                <JoinForm/>
            </article>
        </Layout>
    }
}
