//! The learners of a workshop, in the portal's database (SQLite or PostgreSQL): who
//! joined, their namespace, when they were last seen, a copy of their progress for the
//! host, and whether joining is open. With PostgreSQL every replica sees the same rows,
//! and a change made through one is announced to the others (`NOTIFY`).

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{broadcast, watch};

use crate::clock::now_ms;
use crate::on_db;
use crate::progress::Progress;
use crate::store::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRecord {
    pub id: String,
    pub name: String,
    pub namespace: String,
    pub joined_ms: i64,
    pub seen_ms: i64,
    pub progress: Progress,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub(super) db: Db,
    /// Bumped on every join, progress copy and removal: the host dashboard's stream
    /// pushes a new board when it moves.
    changed: Arc<watch::Sender<u64>>,
    /// The id of every learner removed, so their open streams end.
    removed: broadcast::Sender<String>,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS learners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    namespace TEXT NOT NULL UNIQUE,
    joined_ms BIGINT NOT NULL,
    seen_ms BIGINT NOT NULL,
    progress TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS workshop_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workshop_sweeps (
    at_ms BIGINT NOT NULL,
    replica TEXT NOT NULL,
    removed BIGINT NOT NULL)";

/// The channel replicas announce changes on (PostgreSQL only).
const CHANNEL: &str = "hk_workshop";
/// Learner rows that cannot change between a count and an insert on PostgreSQL, where
/// the statement alone does not serialise joins the way SQLite's single writer does.
const SEATS_LOCK: i64 = 0x6b38_7365_6174;

type Row = (String, String, String, i64, i64, String);

fn record((id, name, namespace, joined_ms, seen_ms, progress): Row) -> LearnerRecord {
    LearnerRecord {
        id,
        name,
        namespace,
        joined_ms,
        seen_ms,
        progress: serde_json::from_str(&progress).unwrap_or_default(),
    }
}

/// A short id nobody picks: from the time, a counter and the process.
fn new_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = Sha256::digest(format!("{nanos}:{n}:{}", std::process::id()));
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

impl Store {
    pub async fn open(db: Db) -> Result<Self, sqlx::Error> {
        db.schema(SCHEMA).await?;
        let store = Self {
            db,
            changed: Arc::new(watch::channel(0).0),
            removed: broadcast::channel(64).0,
        };
        store.listen().await?;
        Ok(store)
    }

    /// PostgreSQL: bumps (and removals) of other replicas arrive as notifications.
    async fn listen(&self) -> Result<(), sqlx::Error> {
        let changed = Arc::downgrade(&self.changed);
        let removed = self.removed.clone();
        self.db
            .listen(CHANNEL, move |payload| {
                let Some(changed) = changed.upgrade() else {
                    return false;
                };
                if let Some(id) = payload.strip_prefix("removed:") {
                    let _ = removed.send(id.to_owned());
                }
                changed.send_modify(|v| *v += 1);
                true
            })
            .await
    }

    pub(super) async fn announce(&self, what: &str) {
        self.db.notify(CHANNEL, what).await;
    }

    /// Changes as they happen (see [`Store::changed`]).
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Ids of learners as they are removed (see [`Store::delete`]).
    pub fn removals(&self) -> broadcast::Receiver<String> {
        self.removed.subscribe()
    }

    /// Tells the host's stream that something it shows changed.
    pub fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    pub async fn count(&self) -> Result<usize, sqlx::Error> {
        let (n,): (i64,) = on_db!(&self.db, db => sqlx::query_as("SELECT COUNT(*) FROM learners")
            .fetch_one(db)
            .await)?;
        Ok(n as usize)
    }

    /// A new learner with a fresh namespace name `hk-<id>`.
    /// A new learner, or `None` when `max` learners are already in: the count and the
    /// insert are one statement, so learners joining at the same moment cannot pass the
    /// limit together.
    pub async fn create(
        &self,
        name: &str,
        max: usize,
    ) -> Result<Option<LearnerRecord>, sqlx::Error> {
        let id = new_id();
        let now = now_ms();
        let learner = LearnerRecord {
            namespace: format!("hk-{id}"),
            id,
            name: name.to_owned(),
            joined_ms: now,
            seen_ms: now,
            progress: Progress::default(),
        };
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        let insert = "INSERT INTO learners (id, name, namespace, joined_ms, seen_ms)
             SELECT $1, $2, $3, $4, $4 WHERE (SELECT count(*) FROM learners) < $5";
        let inserted = match &self.db {
            Db::Sqlite(db) => sqlx::query(insert)
                .bind(&learner.id)
                .bind(&learner.name)
                .bind(&learner.namespace)
                .bind(now)
                .bind(max)
                .execute(db)
                .await?
                .rows_affected(),
            Db::Postgres(db) => {
                let mut tx = db.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(SEATS_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let n = sqlx::query(insert)
                    .bind(&learner.id)
                    .bind(&learner.name)
                    .bind(&learner.namespace)
                    .bind(now)
                    .bind(max)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                n
            }
        };
        if inserted == 0 {
            return Ok(None);
        }
        self.bump();
        self.announce("joined").await;
        Ok(Some(learner))
    }

    pub async fn get(&self, id: &str) -> Result<Option<LearnerRecord>, sqlx::Error> {
        let row: Option<Row> = on_db!(&self.db, db => sqlx::query_as(
            "SELECT id, name, namespace, joined_ms, seen_ms, progress FROM learners WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(record))
    }

    pub async fn all(&self) -> Result<Vec<LearnerRecord>, sqlx::Error> {
        let rows: Vec<Row> = on_db!(&self.db, db => sqlx::query_as(
            "SELECT id, name, namespace, joined_ms, seen_ms, progress FROM learners ORDER BY joined_ms, id",
        )
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// Marks the learner as active now (at most one write every 30 s).
    pub async fn touch(&self, id: &str) -> Result<(), sqlx::Error> {
        let now = now_ms();
        on_db!(&self.db, db => sqlx::query("UPDATE learners SET seen_ms = $1 WHERE id = $2 AND seen_ms < $3")
            .bind(now)
            .bind(id)
            .bind(now - 30_000)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn save_progress(&self, id: &str, progress: &Progress) -> Result<(), sqlx::Error> {
        let text = serde_json::to_string(progress).unwrap_or_default();
        on_db!(&self.db, db => sqlx::query("UPDATE learners SET progress = $1, seen_ms = $2 WHERE id = $3")
            .bind(&text)
            .bind(now_ms())
            .bind(id)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        self.bump();
        self.announce("progress").await;
        Ok(())
    }

    /// Learners not seen for `idle`.
    pub async fn idle(&self, idle: Duration) -> Result<Vec<LearnerRecord>, sqlx::Error> {
        let before = now_ms() - idle.as_millis() as i64;
        Ok(self
            .all()
            .await?
            .into_iter()
            .filter(|l| l.seen_ms <= before)
            .collect())
    }

    pub async fn delete(&self, id: &str) -> Result<(), sqlx::Error> {
        on_db!(&self.db, db => sqlx::query("DELETE FROM learners WHERE id = $1")
            .bind(id)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        self.bump();
        // Nobody listening is fine: no stream of theirs is open.
        let _ = self.removed.send(id.to_owned());
        self.announce(&format!("removed:{id}")).await;
        Ok(())
    }

    /// Resolves once learner `id` is removed (or, if removals were missed, once it is
    /// found gone).
    pub async fn gone(&self, id: &str) {
        let mut removals = self.removals();
        loop {
            match removals.recv().await {
                Ok(removed) if removed == id => return,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if matches!(self.get(id).await, Ok(None)) {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
            }
        }
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
