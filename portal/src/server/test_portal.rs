//! A whole portal for router-level tests: the fixture lessons, no cluster, an in-memory
//! SQLite (migrated or not), optionally in workshop mode.

use std::net::SocketAddr;
use std::path::Path;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::sqlite::SqlitePoolOptions;
use tower::ServiceExt;
use tower_sessions_sqlx_store::SqliteStore;

use crate::cluster::watch::ClusterConn;
use crate::router::router;
use crate::server::{Config, PortalState, Sessions, load_chart};

#[derive(Debug)]
pub struct TestPortal {
    pub state: PortalState,
    pub store: SqliteStore,
    pub pool: sqlx::SqlitePool,
}

/// `env` adds settings (`PORTAL_WORKSHOP_CODE` turns workshop mode on).
pub async fn portal(migrated: bool, env: &[(&str, &str)]) -> TestPortal {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures/lessons");
    let repo = root.parent().expect("the workspace");
    let mut vars: Vec<(String, String)> = vec![
        (
            "PORTAL_CONTENT_DIR".into(),
            fixtures.join("valid").display().to_string(),
        ),
        ("PORTAL_REPO_ROOT".into(), fixtures.display().to_string()),
        (
            "PORTAL_CHART_DIR".into(),
            repo.join("deploy/helm/hello-world").display().to_string(),
        ),
    ];
    vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let config = Config::from_lookup(|k| {
        vars.iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
    })
    .expect("test config");
    let library = crate::lessons::Library::load(&config.content_dir, &config.repo_root)
        .unwrap_or_else(|e| panic!("fixture lessons: {e}"));
    let chart = load_chart(&config).expect("the hello chart");
    let options = LeptosOptions::builder().output_name("portal").build();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    let store = SqliteStore::new(pool.clone());
    if migrated {
        store.migrate().await.expect("session table");
    }
    let workshop = config.workshop.clone();
    let mut state = PortalState::new(config, options, library, chart, ClusterConn::none());
    state.session_store = Some(Sessions::Sqlite(store.clone()));
    if let Some(ws) = workshop {
        let learners = crate::workshop::Store::open(crate::store::Db::Sqlite(pool.clone()))
            .await
            .expect("learners table");
        state.workshop = Some(crate::workshop::Workshop::new(ws, learners));
    }
    TestPortal { state, store, pool }
}

/// One request through the whole router.
pub async fn send(state: &PortalState, store: &SqliteStore, req: Request<Body>) -> Response<Body> {
    router(state.clone(), Sessions::Sqlite(store.clone()))
        .oneshot(req)
        .await
        .expect("the router answers")
}

impl TestPortal {
    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        send(&self.state, &self.store, req).await
    }

    /// A server function call as a portal page makes it (same-origin form POST), from
    /// `peer`, with `cookie` if given.
    pub async fn call(
        &self,
        endpoint: &str,
        form: &str,
        peer: [u8; 4],
        cookie: Option<&str>,
    ) -> (u16, Option<String>, String) {
        let mut req = Request::post(format!("/api/{endpoint}"))
            .header(header::HOST, "portal.test")
            .header(header::ORIGIN, "http://portal.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(
                header::COOKIE,
                format!("{}={c}", crate::server::SESSION_COOKIE),
            );
        }
        let mut req = req.body(Body::from(form.to_owned())).expect("a request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((peer, 40000))));
        let res = self.send(req).await;
        let status = res.status().as_u16();
        let session = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{}=", crate::server::SESSION_COOKIE))
                    .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
            });
        let body = res.into_body().collect().await.expect("a body").to_bytes();
        (status, session, String::from_utf8_lossy(&body).into_owned())
    }
}
