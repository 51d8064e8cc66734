//! The learners of a workshop, in the portal's SQLite database: who joined, their
//! namespace, when they were last seen, and a copy of their progress for the host.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use tokio::sync::{broadcast, watch};

use crate::clock::now_ms;
use crate::progress::Progress;

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
    db: SqlitePool,
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
    joined_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL,
    progress TEXT NOT NULL DEFAULT '{}')";

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
    pub async fn open(db: SqlitePool) -> Result<Self, sqlx::Error> {
        sqlx::raw_sql(SCHEMA).execute(&db).await?;
        Ok(Self {
            db,
            changed: Arc::new(watch::channel(0).0),
            removed: broadcast::channel(64).0,
        })
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
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM learners")
            .fetch_one(&self.db)
            .await?;
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
        let inserted = sqlx::query(
            "INSERT INTO learners (id, name, namespace, joined_ms, seen_ms)
             SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM learners) < ?",
        )
        .bind(&learner.id)
        .bind(&learner.name)
        .bind(&learner.namespace)
        .bind(now)
        .bind(now)
        .bind(i64::try_from(max).unwrap_or(i64::MAX))
        .execute(&self.db)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        self.bump();
        Ok(Some(learner))
    }

    pub async fn get(&self, id: &str) -> Result<Option<LearnerRecord>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, name, namespace, joined_ms, seen_ms, progress FROM learners WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(record))
    }

    pub async fn all(&self) -> Result<Vec<LearnerRecord>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, namespace, joined_ms, seen_ms, progress FROM learners ORDER BY joined_ms",
        )
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// Marks the learner as active now (at most one write every 30 s).
    pub async fn touch(&self, id: &str) -> Result<(), sqlx::Error> {
        let now = now_ms();
        sqlx::query("UPDATE learners SET seen_ms = ? WHERE id = ? AND seen_ms < ?")
            .bind(now)
            .bind(id)
            .bind(now - 30_000)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    pub async fn save_progress(&self, id: &str, progress: &Progress) -> Result<(), sqlx::Error> {
        let text = serde_json::to_string(progress).unwrap_or_default();
        sqlx::query("UPDATE learners SET progress = ?, seen_ms = ? WHERE id = ?")
            .bind(text)
            .bind(now_ms())
            .bind(id)
            .execute(&self.db)
            .await?;
        self.bump();
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
        sqlx::query("DELETE FROM learners WHERE id = ?")
            .bind(id)
            .execute(&self.db)
            .await?;
        self.bump();
        // Nobody listening is fine: no stream of theirs is open.
        let _ = self.removed.send(id.to_owned());
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
mod tests {
    use super::*;

    async fn store() -> Store {
        let db = SqlitePool::connect("sqlite::memory:").await.unwrap();
        Store::open(db).await.unwrap()
    }

    #[tokio::test]
    async fn learners_are_created_found_touched_and_removed() {
        let s = store().await;
        let a = s.create("가나다", 10).await.unwrap().unwrap();
        let b = s.create("라마", 10).await.unwrap().unwrap();
        assert_ne!(a.namespace, b.namespace);
        assert!(a.namespace.starts_with("hk-") && a.namespace.len() == 11);
        assert_eq!(s.count().await.unwrap(), 2);
        let mut p = Progress::default();
        p.done.insert("3-2".into());
        s.save_progress(&a.id, &p).await.unwrap();
        assert_eq!(s.get(&a.id).await.unwrap().unwrap().progress, p);
        assert_eq!(s.idle(Duration::from_secs(3600)).await.unwrap().len(), 0);
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(s.idle(Duration::ZERO).await.unwrap().len(), 2);
        s.delete(&b.id).await.unwrap();
        assert!(s.get(&b.id).await.unwrap().is_none());
    }

    /// Twenty learners at once for three seats, on a file with several connections.
    #[tokio::test]
    async fn the_limit_holds_when_many_join_at_once() {
        let file = std::env::temp_dir().join(format!("hk-seats-{}.sqlite3", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5));
        let db = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .unwrap();
        let s = Store::open(db).await.unwrap();
        let joins = (0..20).map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.create(&format!("n{i}"), 3).await.unwrap() })
        });
        let mut seated = 0;
        for j in joins {
            seated += usize::from(j.await.unwrap().is_some());
        }
        assert_eq!((seated, s.count().await.unwrap()), (3, 3));
        let _ = std::fs::remove_file(&file);
    }
}
