//! Start-up: load the lessons (once), open the session store, serve until Ctrl+C/SIGTERM.

use std::time::{Duration, SystemTime};

use leptos::prelude::LeptosOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower_sessions_sqlx_store::SqliteStore;

use crate::cluster::live::ClusterConn;
use crate::cluster::values::{ChartMeta, Values};
use crate::lessons::Library;
use crate::server::{Chart, Config, Error, PortalState, Result, router};

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

/// The SQLite database of sessions, progress and experiment runs.
pub async fn open_store(config: &Config) -> Result<(SqliteStore, sqlx::SqlitePool)> {
    if let Some(dir) = config.database.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(&config.database)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(Error::Store)?;
    let store = SqliteStore::new(pool.clone());
    store.migrate().await.map_err(Error::Store)?;
    Ok((store, pool))
}

pub async fn run(config: Config) -> Result<()> {
    let library = load_lessons(&config)?;
    let (store, pool) = open_store(&config).await?;
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
    state.lab = crate::experiments::Lab::new(state.hub.clone(), Some(pool.clone()));
    let restored = state.lab.restore().await.map_err(Error::Store)?;
    tracing::info!(runs = restored, "experiment runs restored");
    if let Some(ws) = config.workshop.clone() {
        let store = crate::workshop::Store::open(pool.clone())
            .await
            .map_err(Error::Store)?;
        let workshop = crate::workshop::Workshop::new(ws, store);
        workshop.spawn_sweeper(state.hub.conn().clone());
        tracing::info!(max_learners = workshop.config.max_learners, "workshop mode");
        state.workshop = Some(workshop);
    }
    let (stopping, shutdown) = tokio::sync::watch::channel(false);
    state.shutdown = shutdown;
    // Sessions in Redis when configured (replicas share them), else in the SQLite file.
    let sessions = match &config.session_redis {
        Some(url) => crate::server::Sessions::redis(url.expose()).await?,
        None => crate::server::Sessions::Sqlite(store),
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
    axum::serve(listener, router(state, sessions))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(true);
        })
        .await
        .map_err(Error::Serve)
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
