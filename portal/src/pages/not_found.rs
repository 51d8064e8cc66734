use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::Layout;

/// Any unknown path or lesson id: a Korean 404 page with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="페이지를 찾을 수 없습니다 — Hello K8s"/>
        <Layout>
            <article class="not-found">
                <h1>"페이지를 찾을 수 없습니다"</h1>
                <p>"주소가 바뀌었거나 없는 레슨입니다. 왼쪽 목차에서 레슨을 고르거나 검색해 보세요."</p>
                <p><a class="button" href="/">"처음으로 돌아가기"</a></p>
            </article>
        </Layout>
    }
}
