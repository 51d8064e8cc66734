use leptos::prelude::*;
use leptos_meta::Title;

use crate::server::{library, request_progress};
use crate::ui::Layout;

#[component]
pub fn Landing() -> impl IntoView {
    let library = library();
    let progress = request_progress();
    let total = library.lessons().len();
    let done = library
        .lessons()
        .iter()
        .filter(|l| progress.is_done(&l.meta.id))
        .count();
    let first = library
        .lessons()
        .first()
        .map(|l| l.meta.id.clone())
        .unwrap_or_default();
    let parts = library
        .parts()
        .into_iter()
        .map(|part| {
            let minutes: u32 = part.lessons.iter().map(|l| l.meta.minutes).sum();
            let first = part
                .lessons
                .first()
                .map(|l| l.meta.id.clone())
                .unwrap_or_default();
            let count = part.lessons.len();
            view! {
                <li class="part-card">
                    <a href=format!("/lessons/{first}")>
                        <h2>{part.title.to_owned()}</h2>
                        <p class="part-meta">{format!("레슨 {count}개 · 약 {minutes}분")}</p>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text="Hello K8s — 쿠버네티스 실무형 튜토리얼"/>
        <Layout>
            <section class="hero">
                <h1>"K8s Hello World 실무형 튜토리얼"</h1>
                <p class="lead">
                    "Rust로 만든 작은 hello 서비스를 Helm으로 배포하고, 무슨 일이 일어났는지 해부하고, "
                    "실무 패턴을 내 클러스터에서 직접 실험합니다."
                </p>
                <p class="progress-summary">{format!("진행 상황: {total}개 중 {done}개 완료")}</p>
                <p><a class="button primary" href=format!("/lessons/{first}")>"시작하기"</a></p>
            </section>
            <ol class="part-cards">{parts}</ol>
        </Layout>
    }
}
