//! Where sessions live: in the portal's database (the SQLite file, or PostgreSQL when
//! `PORTAL_DATABASE` is one) by default, or in Redis
//! (`PORTAL_SESSION_REDIS=redis://host:6379/0`). With PostgreSQL or Redis several
//! replicas share them.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike, Config as RedisConfig, Pool};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::store::Db;

use crate::server::{Error, Result};

/// Connections to Redis kept open.
const REDIS_POOL: usize = 4;

#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
    Redis(RedisStore<Pool>),
}

impl Sessions {
    /// Connects to Redis and waits until it answers; the URL is never logged (it may
    /// hold a password).
    pub async fn redis(url: &str) -> Result<Self> {
        let bad = |e: &dyn std::fmt::Display| {
            Error::Config(format!(
                "PORTAL_SESSION_REDIS 로 Redis 에 연결하지 못했습니다: {e}"
            ))
        };
        let config = RedisConfig::from_url(url).map_err(|e| bad(&e))?;
        let pool = Pool::new(config, None, None, None, REDIS_POOL).map_err(|e| bad(&e))?;
        let started = tokio::time::timeout(std::time::Duration::from_secs(10), pool.init())
            .await
            .map_err(|_| bad(&"10초 안에 응답이 없습니다"))?;
        started.map_err(|e| bad(&e))?;
        tracing::info!("sessions in Redis");
        Ok(Self::Redis(RedisStore::new(pool)))
    }

    /// The session table in the portal's own database, created if missing.
    pub async fn in_db(db: &Db) -> Result<Self> {
        let sessions = match db {
            Db::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await.map(|()| Self::Sqlite(store))
            }
            Db::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                // Replicas starting together race on `CREATE … IF NOT EXISTS`; the
                // loser finds the table there on a second try.
                let mut migrated = store.migrate().await;
                for _ in 0..3 {
                    if migrated.is_ok() {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    migrated = store.migrate().await;
                }
                migrated.map(|()| Self::Postgres(store))
            }
        };
        sessions.map_err(Error::Store)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
            Self::Redis(_) => "Redis",
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
            Self::Redis(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
            Self::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(s) => s.load(id).await,
            Self::Postgres(s) => s.load(id).await,
            Self::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
            Self::Redis(s) => s.delete(id).await,
        }
    }
}
