//! Start-up: load the lessons (once), open the session store, serve until Ctrl+C/SIGTERM.

use std::time::{Duration, SystemTime};

use leptos::prelude::LeptosOptions;
use tower_sessions::session_store::ExpiredDeletion;

use crate::cluster::values::{ChartMeta, Values};
use crate::cluster::watch::ClusterConn;
use crate::experiments::engine::lab_store::RunStore;
use crate::lessons::Library;
use crate::server::{Chart, Config, Error, PortalState, Result, Sessions};
use crate::store::Db;

/// The chart's `Chart.yaml` and `values.yaml`, parsed (not copied into code).
pub fn load_chart(config: &Config) -> Result<Chart> {
    let dir = config.chart_dir.clone();
    let meta = ChartMeta::load(&dir).map_err(|e| Error::Config(e.to_string()))?;
    let values = Values::load(&dir, &[]).map_err(|e| Error::Config(e.to_string()))?;
    Ok(Chart { meta, values, dir })
}

pub fn load_lessons(config: &Config) -> Result<Library> {
    Library::load(&config.content_dir, &config.repo_root).map_err(|e| Error::Lessons(e.to_string()))
}

/// The database of sessions, progress and experiment runs, and the session store in
/// it (used unless Redis is configured).
pub async fn open_store(config: &Config) -> Result<(Sessions, Db)> {
    let db = Db::open(&config.database).await.map_err(Error::Store)?;
    let sessions = Sessions::in_db(&db).await?;
    Ok((sessions, db))
}

/// Serves until Ctrl+C/SIGTERM. `app` builds the HTTP app from the state
/// ([`crate::router::router`]; passed in so the server never imports the pages).
pub async fn run(config: Config, app: fn(PortalState, Sessions) -> axum::Router) -> Result<()> {
    let library = load_lessons(&config)?;
    let (db_sessions, db) = open_store(&config).await?;
    tracing::info!(database = db.kind(), "state store");
    let options = LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let chart = load_chart(&config)?;
    let conn = if config.cluster {
        ClusterConn::start()
    } else {
        ClusterConn::none()
    };
    let mut state = PortalState::new(config.clone(), options, library, chart, conn);
    let runs = RunStore::open(db.clone(), config.replica.clone())
        .await
        .map_err(Error::Store)?;
    state.lab = crate::experiments::Lab::new(state.hub.clone(), Some(runs));
    let restored = state.lab.restore().await.map_err(Error::Store)?;
    state.lab.sync_running();
    tracing::info!(runs = restored, "experiment runs restored");
    if let Some(ws) = config.workshop.clone() {
        let store = crate::workshop::Store::open(db.clone())
            .await
            .map_err(Error::Store)?;
        let workshop = crate::workshop::Workshop::new(ws, store);
        tracing::info!(max_learners = workshop.config.max_learners, "workshop mode");
        state.workshop = Some(workshop);
    }
    let (stopping, shutdown) = tokio::sync::watch::channel(false);
    state.shutdown = shutdown;
    super::singleton::spawn(state.clone());
    // Sessions in Redis when configured, else in the portal's database.
    let sessions = match &config.session_redis {
        Some(url) => Sessions::redis(url.expose()).await?,
        None => {
            tokio::spawn(delete_expired_sessions(db_sessions.clone(), EXPIRED_SWEEP));
            db_sessions
        }
    };
    tracing::info!(store = sessions.kind(), "sessions");
    state.session_store = Some(sessions.clone());
    if config.dev {
        tokio::spawn(reload_on_change(state.clone()));
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| Error::Bind {
            addr: config.addr.to_string(),
            source,
        })?;
    tracing::info!("포털이 http://{} 에서 기다립니다", config.addr);
    let lab = state.lab.clone();
    // The peer address is kept for the limit on wrong join codes and host tokens.
    let app = app(state, sessions).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown({
            let lab = lab.clone();
            async move {
                shutdown_signal().await;
                let _ = stopping.send(true);
                // Runs start putting their releases back while the requests finish.
                lab.inflight.stop();
            }
        })
        .await
        .map_err(Error::Serve);
    let left = lab.inflight.drain(RUNS_DRAIN).await;
    if left > 0 {
        tracing::warn!(
            runs = left,
            "experiment runs still going at shutdown were dropped"
        );
    }
    served
}

/// The longest a stopping portal waits for experiment runs to put their releases back:
/// inside the chart's grace period (`terminationGracePeriodSeconds`, 60).
const RUNS_DRAIN: Duration = Duration::from_secs(30);

/// How often expired sessions leave the database (Redis expires its own keys).
const EXPIRED_SWEEP: Duration = Duration::from_secs(300);

/// Runs for the life of the portal: a failed sweep is logged and tried again next time
/// (the store's own loop would stop at the first error). Replicas sharing PostgreSQL
/// each sweep; deleting rows already gone is harmless.
async fn delete_expired_sessions(store: Sessions, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let swept = match &store {
            Sessions::Sqlite(s) => s.delete_expired().await,
            Sessions::Postgres(s) => s.delete_expired().await,
            Sessions::Redis(_) => return,
        };
        if let Err(e) = swept {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
    }
}

/// Development only: re-loads the lessons when a file under content/ changes. A broken
/// edit keeps the last good lessons and logs the errors.
async fn reload_on_change(state: PortalState) {
    let mut last = newest_mtime(&state.config.content_dir);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = newest_mtime(&state.config.content_dir);
        if now == last {
            continue;
        }
        last = now;
        match load_lessons(&state.config) {
            Ok(library) => {
                state.replace_library(library);
                tracing::info!("lessons re-loaded");
            }
            Err(e) => tracing::error!("{e}"),
        }
    }
}

fn newest_mtime(dir: &std::path::Path) -> Option<SystemTime> {
    let mut newest = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(m) = entry.metadata().and_then(|m| m.modified()) {
                newest = newest.max(Some(m));
            }
        }
    }
    newest
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use tower_sessions::SessionStore;
    use tower_sessions::cookie::time::{Duration as Span, OffsetDateTime};
    use tower_sessions::session::{Id, Record};

    use super::*;

    /// A new database file of its own for each test.
    async fn store(name: &str) -> (Sessions, sqlx::SqlitePool) {
        let dir = std::env::temp_dir().join(format!("hk-run-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("p.sqlite3").display().to_string();
        let config =
            Config::from_lookup(|k| (k == "PORTAL_DATABASE").then(|| file.clone())).unwrap();
        let (sessions, db) = open_store(&config).await.unwrap();
        let Db::Sqlite(pool) = db else {
            panic!("a file path opens SQLite")
        };
        (sessions, pool)
    }

    #[tokio::test]
    async fn the_file_is_in_wal_mode_with_normal_sync_and_a_busy_timeout() {
        let (_, pool) = store("pragmas").await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&pool)
            .await
            .unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&pool)
            .await
            .unwrap();
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((mode.as_str(), sync, busy), ("wal", 1, 5000));
    }

    #[tokio::test]
    async fn expired_sessions_are_deleted_while_the_portal_runs() {
        let (store, pool) = store("expired").await;
        let record = |id: i128, expiry: OffsetDateTime| Record {
            id: Id(id),
            data: Default::default(),
            expiry_date: expiry,
        };
        let now = OffsetDateTime::now_utc();
        store
            .create(&mut record(1, now - Span::minutes(1)))
            .await
            .unwrap();
        store
            .create(&mut record(2, now + Span::days(1)))
            .await
            .unwrap();
        let count = || async {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tower_sessions")
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        assert_eq!(count().await, 2);
        let sweeper = tokio::spawn(delete_expired_sessions(store.clone(), EXPIRED_SWEEP));
        // The first sweep is at once.
        for _ in 0..100 {
            if count().await == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        sweeper.abort();
        assert_eq!(count().await, 1, "only the live session is left");
    }
}
