//! `/cluster`: every live panel on one page — the learner's cluster at a glance.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::Layout;

#[component]
pub fn ClusterPage() -> impl IntoView {
    view! {
        <Title text="클러스터 — Hello K8s"/>
        <Layout>
            <article class="prose cluster-page">
                <h1>"내 클러스터"</h1>
                <p>"레슨에 흩어져 있는 라이브 패널을 한곳에 모았습니다. 모든 패널은 하나의 연결로 실시간 갱신됩니다."</p>
                {crate::panels::ALL.into_iter().map(crate::panels::panel).collect_view()}
            </article>
        </Layout>
    }
}
