//! The HTML shell and the page routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::cluster::ClusterPage;
use crate::pages::host::HostPage;
use crate::pages::join::JoinPage;
use crate::pages::landing::Landing;
use crate::pages::lesson::LessonPage;
use crate::pages::not_found::NotFound;
use crate::pages::search::SearchPage;

/// Applies a remembered theme before first paint, so a dark-mode reader never sees a
/// white flash, and wires the copy buttons and checklist boxes (plain DOM, no wasm).
const HEAD_SCRIPT: &str = r#"try{var t=localStorage.getItem("theme");if(t==="dark"||t==="light")document.documentElement.setAttribute("data-theme",t)}catch(e){}"#;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="ko">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <script>{HEAD_SCRIPT}</script>
                <link rel="preload" href="/fonts/PretendardVariable.woff2" r#as="font" r#type="font/woff2" crossorigin=""/>
                <link rel="stylesheet" href="/pkg/portal.css"/>
                <link rel="stylesheet" href="/assets/highlight.css"/>
                <script src="/assets/page.js" defer></script>
                <HydrationScripts options=options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Landing/>
                <Route path=path!("/lessons/:id") view=LessonPage/>
                <Route path=path!("/search") view=SearchPage/>
                <Route path=path!("/cluster") view=ClusterPage/>
                <Route path=path!("/join") view=JoinPage/>
                <Route path=path!("/host") view=HostPage/>
            </Routes>
        </Router>
    }
}
