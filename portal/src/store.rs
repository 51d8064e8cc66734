//! The portal's database: one SQLite file (one machine, the default) or PostgreSQL
//! (`PORTAL_DATABASE=postgres://…`), which several replicas share. Every query is
//! written once, with `$N` parameters that both engines accept, and runs on either pool
//! through [`on_db!`]; the schema uses types both understand (`TEXT`, `BIGINT`).

use std::path::PathBuf;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::secret::Secret;

/// Where the state lives, from `PORTAL_DATABASE`.
#[derive(Debug, Clone)]
pub enum Target {
    Sqlite(PathBuf),
    /// The URL may hold a password: [`Secret`] keeps it out of logs.
    Postgres(Secret),
}

impl Target {
    /// A `postgres://` or `postgresql://` URL, else a SQLite file path.
    pub fn parse(value: &str) -> Self {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Self::Postgres(Secret::new(value.to_owned()))
        } else {
            Self::Sqlite(PathBuf::from(value))
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool of whichever engine `$db` is. The body
/// is compiled once per engine, so each gets its own typed query.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// WAL, `synchronous=normal` and a busy timeout: many learners write progress at once,
/// and with sqlx's defaults (rollback journal, `synchronous=full`, no timeout) each
/// commit waits for its own fsync and a busy file fails instead of waiting
/// (`e2e/bench/store.sh` measures both).
pub fn sqlite_options(path: &std::path::Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
}

impl Db {
    pub async fn open(target: &Target) -> Result<Self, sqlx::Error> {
        match target {
            Target::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(sqlite_options(path))
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Target::Postgres(url) => {
                let options: PgConnectOptions = url.expose().parse()?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// Shared by several replicas (work that must happen once needs a lease).
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Creates tables that are missing. On PostgreSQL replicas starting together would
    /// race on `CREATE TABLE IF NOT EXISTS`; a transaction-scoped advisory lock lets one
    /// at a time through.
    pub async fn schema(&self, ddl: &str) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(pool) => sqlx::raw_sql(ddl).execute(pool).await.map(drop),
            Self::Postgres(pool) => {
                let script =
                    format!("BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); {ddl}; COMMIT;");
                sqlx::raw_sql(&script).execute(pool).await.map(drop)
            }
        }
    }

    /// Tells the other replicas on `channel` (PostgreSQL; nothing with SQLite, which one
    /// replica alone uses). A lost notice only delays what another replica shows.
    pub async fn notify(&self, channel: &str, payload: &str) {
        let Self::Postgres(pool) = self else { return };
        let sent = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(pool)
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, channel, "could not notify the other replicas");
        }
    }

    /// Calls `heard(payload)` for every notice on `channel` until it returns `false`
    /// (PostgreSQL; with SQLite there is nobody else to hear from). `recv` reconnects
    /// by itself after a dropped connection.
    pub async fn listen(
        &self,
        channel: &'static str,
        heard: impl Fn(&str) -> bool + Send + 'static,
    ) -> Result<(), sqlx::Error> {
        let Self::Postgres(pool) = self else {
            return Ok(());
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(channel).await?;
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        if !heard(n.payload()) {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, channel, "notifications interrupted");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(())
    }

    /// `SELECT 1`, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop))
    }
}

/// The advisory lock key of schema changes (any constant the portal alone uses).
const SCHEMA_LOCK: i64 = 0x6b38_7370_6f72;
