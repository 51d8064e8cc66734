//! Static files: the wasm/JS/CSS bundle under `/pkg`, self-hosted fonts under `/fonts`
//! (no CDN, no external request), and the small page script.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::server::PortalState;

/// Copy buttons and checklist boxes: a few lines of DOM code, no framework needed.
const PAGE_JS: &str = include_str!("../../assets/page.js");

pub fn routes(state: &PortalState) -> Router<PortalState> {
    let site = std::path::Path::new(state.leptos_options.site_root.as_ref()).to_path_buf();
    let pkg = ServeDir::new(site.join("pkg")).precompressed_gzip();
    let fonts = ServeDir::new(site.join("fonts"));
    Router::new()
        .nest_service("/pkg", pkg)
        .nest_service(
            "/fonts",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ))
                .service(fonts),
        )
        .route("/assets/page.js", get(page_js))
        .route("/assets/highlight.css", get(highlight_css))
}

/// Colours for the server-side highlighting (light and dark), generated once.
async fn highlight_css() -> impl IntoResponse {
    static CSS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(crate::lessons::highlight_css);
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS.as_str(),
    )
}

async fn page_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        PAGE_JS,
    )
}
