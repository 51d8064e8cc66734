//! A lesson: server-rendered Markdown with the live parts placed by its directives,
//! the in-page table of contents, previous/next, and the "done" button.

use leptos::prelude::*;

/// Marks a lesson done (or not) for this learner. State-changing: needs the session
/// cookie, and the Origin check in front of every POST.
#[server(prefix = "/api", endpoint = "lesson-done")]
pub async fn set_done(id: String, done: bool) -> Result<bool, ServerFnError> {
    use crate::progress::Progress;
    use crate::server::library;
    use tower_sessions::Session;

    if library().get(&id).is_none() {
        return Err(ServerFnError::new("없는 레슨입니다"));
    }
    let session: Session = leptos_axum::extract().await?;
    let mut progress: Progress = session
        .get(Progress::SESSION_KEY)
        .await?
        .unwrap_or_default();
    if done {
        progress.done.insert(id);
    } else {
        progress.done.remove(&id);
    }
    session.insert(Progress::SESSION_KEY, &progress).await?;
    crate::server::mirror_progress(&expect_context(), &session, &progress).await;
    Ok(done)
}

/// Records that this learner opened a lesson. Sent by the page's island once it runs,
/// so plain GETs (crawlers, load tests) never create sessions or write to the database.
#[server(prefix = "/api", endpoint = "lesson-visited")]
pub async fn mark_visited(id: String) -> Result<(), ServerFnError> {
    use crate::progress::Progress;
    use crate::server::library;
    use tower_sessions::Session;

    if library().get(&id).is_none() {
        return Err(ServerFnError::new("없는 레슨입니다"));
    }
    let session: Session = leptos_axum::extract().await?;
    let mut progress: Progress = session
        .get(Progress::SESSION_KEY)
        .await?
        .unwrap_or_default();
    if progress.visited.insert(id) {
        session.insert(Progress::SESSION_KEY, &progress).await?;
        crate::server::mirror_progress(&expect_context(), &session, &progress).await;
    }
    Ok(())
}

#[island]
pub fn DoneButton(id: String, done: bool) -> impl IntoView {
    // Runs in the browser only: record the visit once the page is alive.
    Effect::new({
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let _ = mark_visited(id).await;
            });
        }
    });
    let (is_done, set_is_done) = signal(done);
    let (error, set_error) = signal(None::<String>);
    let toggle = Action::new(move |want: &bool| {
        let (id, want) = (id.clone(), *want);
        async move {
            match set_done(id, want).await {
                Ok(now) => {
                    set_is_done.set(now);
                    set_error.set(None);
                }
                Err(_) => set_error.set(Some(
                    "저장하지 못했습니다. 잠시 뒤 다시 눌러 주세요.".into(),
                )),
            }
        }
    });
    view! {
        <div class="done-box">
            <button
                class="button done-button"
                type="button"
                aria-pressed=move || is_done.get().to_string()
                on:click=move |_| {
                    toggle.dispatch(!is_done.get_untracked());
                }
            >
                {move || if is_done.get() { "✓ 완료한 레슨" } else { "이 레슨을 완료로 표시" }}
            </button>
            <p class="form-error" role="status">{move || error.get()}</p>
        </div>
    }
}

#[cfg(feature = "ssr")]
pub use page::LessonPage;

#[cfg(feature = "ssr")]
mod page {
    use leptos::prelude::*;
    use leptos_meta::{Meta, Title};
    use leptos_router::hooks::use_params_map;

    use super::DoneButton;
    use crate::lessons::{Lesson, Segment};
    use crate::pages::not_found::NotFound;
    use crate::server::{library, request_progress};
    use crate::ui::{Layout, Toc, breadcrumbs};

    #[component]
    pub fn LessonPage() -> impl IntoView {
        let id = use_params_map()
            .read_untracked()
            .get("id")
            .unwrap_or_default();
        let library = library();
        let Some(lesson) = library.get(&id) else {
            return view! { <NotFound/> }.into_any();
        };
        let progress = request_progress();
        let done = progress.is_done(&id);
        // The task-list boxes this learner ticked; page.js applies them.
        let ticks = progress
            .checklist
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let prev = library
            .prev(&id)
            .map(|l| (l.meta.id.clone(), l.meta.title.clone()));
        let next = library
            .next(&id)
            .map(|l| (l.meta.id.clone(), l.meta.title.clone()));
        // Everything the view needs, owned: the page outlives this borrow of the library.
        let (title, minutes, description) = (
            lesson.meta.title.clone(),
            lesson.meta.minutes,
            summary(lesson),
        );
        let (crumbs, body, toc) = (breadcrumbs(lesson), segments(lesson), lesson.toc.clone());
        view! {
            <Title text=format!("{title} — Hello K8s")/>
            <Meta name="description" content=description/>
            <Layout current=id.clone()>
                <div class="lesson-grid">
                    <article class="lesson prose" data-lesson=id.clone() data-checklist=ticks>
                        {crumbs}
                        <p class="lesson-meta">{format!("약 {minutes}분")}</p>
                        {body}
                        <DoneButton id=id.clone() done=done/>
                        <PrevNext prev=prev next=next/>
                    </article>
                    <aside class="lesson-aside">
                        <Toc entries=toc/>
                    </aside>
                </div>
            </Layout>
        }
        .into_any()
    }

    fn segments(lesson: &Lesson) -> impl IntoView + use<> {
        lesson
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Html(html) => view! { <div class="md" inner_html=html.clone()></div> }.into_any(),
                Segment::Panel { name, .. } => crate::panels::panel(*name),
                Segment::Experiment { name } => {
                    let namespace = crate::server::request_namespace();
                    view! { <crate::experiments::panel::ExperimentPanel name=*name namespace=namespace/> }
                        .into_any()
                }
            })
            .collect_view()
    }

    /// The first prose of the lesson, for `<meta name=description>`.
    fn summary(lesson: &Lesson) -> String {
        let text = lesson
            .sections
            .iter()
            .map(|s| s.text.as_str())
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        let mut out: String = text.chars().take(150).collect();
        if text.chars().count() > 150 {
            out.push('…');
        }
        out
    }

    #[component]
    fn PrevNext(prev: Option<(String, String)>, next: Option<(String, String)>) -> impl IntoView {
        view! {
            <nav class="prev-next" aria-label="이전 다음 레슨">
                {prev.map(|(id, title)| view! {
                    <a class="prev" rel="prev" href=format!("/lessons/{id}")>
                        <span class="dir">"← 이전"</span><span class="t">{title}</span>
                    </a>
                })}
                {next.map(|(id, title)| view! {
                    <a class="next" rel="next" href=format!("/lessons/{id}")>
                        <span class="dir">"다음 →"</span><span class="t">{title}</span>
                    </a>
                })}
            </nav>
        }
    }
}
