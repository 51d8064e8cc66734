use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::server::library;
use crate::ui::Layout;

/// Longest query we accept; longer input is cut, never an error page.
const MAX_QUERY_CHARS: usize = 100;

/// The snippet with the match wrapped in `<mark>`.
fn snippet(text: &str, highlight: Option<std::ops::Range<usize>>) -> impl IntoView + use<> {
    match highlight.filter(|r| text.get(r.clone()).is_some()) {
        Some(r) => view! {
            {text[..r.start].to_owned()}<mark>{text[r.clone()].to_owned()}</mark>{text[r.end..].to_owned()}
        }
        .into_any(),
        None => text.to_owned().into_any(),
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query: String = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let query = query.trim().to_owned();
    let hits = if query.is_empty() {
        Vec::new()
    } else {
        library().search(&query)
    };
    let count = hits.len();
    let results = hits
        .into_iter()
        .map(|hit| {
            let href = match &hit.anchor {
                Some(anchor) => format!("/lessons/{}#{anchor}", hit.id),
                None => format!("/lessons/{}", hit.id),
            };
            view! {
                <li class="search-hit">
                    <a href=href>{hit.title}</a>
                    <p>{snippet(&hit.snippet, hit.highlight.clone())}</p>
                </li>
            }
        })
        .collect_view();
    let heading = if query.is_empty() {
        "검색어를 입력하세요".to_owned()
    } else {
        format!("‘{query}’ 검색 결과 {count}건")
    };
    view! {
        <Title text="검색 — Hello K8s"/>
        <Layout>
            <article class="search-page">
                <h1>{heading}</h1>
                <form role="search" action="/search" method="get" class="search-form big">
                    <label class="visually-hidden" for="q2">"검색어"</label>
                    <input id="q2" name="q" type="search" value=query.clone() maxlength="100"/>
                    <button class="button" type="submit">"검색"</button>
                </form>
                {(count == 0 && !query.is_empty()).then(|| view! { <p>"일치하는 레슨이 없습니다. 다른 낱말로 찾아 보세요."</p> })}
                <ol class="search-hits">{results}</ol>
            </article>
        </Layout>
    }
}
