//! The page frame: header, sidebar of parts and steps, main column, footer.

use leptos::prelude::*;

use crate::lessons::{Lesson, TocEntry};
use crate::server::{library, request_progress};
use crate::ui::ThemeToggle;

#[component]
pub fn Layout(
    /// The id of the lesson being shown, marked in the sidebar.
    #[prop(optional, into)]
    current: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"본문으로 건너뛰기"</a>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"⎈"</span>
                <span>"Hello K8s"</span>
            </a>
            <form class="search-form" role="search" action="/search" method="get">
                <label class="visually-hidden" for="q">"레슨 검색"</label>
                <input id="q" name="q" type="search" placeholder="레슨 검색 (예: 롤링)" maxlength="100" autocomplete="off"/>
            </form>
            <a class="header-link" href="/cluster">"클러스터"</a>
            <WorkshopLink/>
            <crate::panels::status::ClusterChip/>
            <ThemeToggle/>
        </header>
        <div class="page">
            <Sidebar current=current.clone()/>
            <main id="main" class="content" tabindex="-1">{children()}</main>
        </div>
        <footer class="site-footer">
            <p>"K8s Hello World 실무형 튜토리얼 — Rust 서비스로 다시 쓴 한국어 학습 포털"</p>
        </footer>
    }
}

/// In a workshop: who the learner is, or the way to join.
#[component]
fn WorkshopLink() -> impl IntoView {
    let state = expect_context::<crate::server::PortalState>();
    state.workshop.as_ref()?;
    let who = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::server::learner::Who>().cloned())
        .and_then(|w| w.learner);
    Some(match who {
        Some(l) => view! {
            <span class="header-link learner-chip" data-learner=l.namespace.clone()>{format!("{} · {}", l.name, l.namespace)}</span>
        }
        .into_any(),
        None => view! { <a class="header-link" href="/join" data-join-link="">"워크숍 참가"</a> }.into_any(),
    })
}

#[component]
pub fn Sidebar(current: Option<String>) -> impl IntoView {
    let library = library();
    let progress = request_progress();
    let parts = library
        .parts()
        .into_iter()
        .map(|part| {
            let items = part
                .lessons
                .iter()
                .map(|lesson| {
                    let id = lesson.meta.id.clone();
                    let is_current = current.as_deref() == Some(id.as_str());
                    let state = if progress.is_done(&id) {
                        "done"
                    } else if progress.is_visited(&id) {
                        "visited"
                    } else {
                        "new"
                    };
                    view! {
                        <li class="nav-item" data-state=state>
                            <a href=format!("/lessons/{id}") aria-current=is_current.then_some("page")>
                                <span class="nav-title">{lesson.meta.title.clone()}</span>
                                {(state == "done").then(|| view! { <span class="nav-done" aria-label="완료">"✓"</span> })}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <li class="nav-part">
                    <span class="nav-part-title">{part.title.to_owned()}</span>
                    <ol>{items}</ol>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="sidebar" aria-label="레슨 목차">
            <ol class="nav-parts">{parts}</ol>
        </nav>
    }
}

/// The in-page table of contents of a lesson.
#[component]
pub fn Toc(entries: Vec<TocEntry>) -> impl IntoView {
    (!entries.is_empty()).then(|| {
        let items = entries
            .into_iter()
            .map(|e| {
                view! {
                    <li class=format!("toc-level-{}", e.level)>
                        <a href=format!("#{}", e.id)>{e.text}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <nav class="toc" aria-label="이 페이지의 목차">
                <p class="toc-title">"이 페이지에서"</p>
                <ol>{items}</ol>
            </nav>
        }
    })
}

/// "Part 3 › Step 3-4" style trail above a lesson.
pub fn breadcrumbs(lesson: &Lesson) -> impl IntoView + use<> {
    let part = library().part_title(lesson.meta.part);
    view! {
        <nav class="breadcrumbs" aria-label="현재 위치">
            <ol>
                <li><a href="/">"처음"</a></li>
                <li>{part}</li>
                <li aria-current="page">{lesson.meta.title.clone()}</li>
            </ol>
        </nav>
    }
}
