//! The workshop's own settings and records next to the learners: whether joining is
//! open (stored, so every replica agrees and a restart keeps it) and each pass of the
//! idle sweeper (so a test can count that one replica swept per cycle).

use super::store::Store;
use crate::clock::now_ms;
use crate::on_db;

impl Store {
    /// Whether new learners may join: stored, so it holds for every replica and across
    /// restarts (open when never set).
    pub async fn joining_open(&self) -> Result<bool, sqlx::Error> {
        let value: Option<(String,)> = on_db!(&self.db, db => sqlx::query_as(
            "SELECT value FROM workshop_settings WHERE key = 'joining'",
        )
        .fetch_optional(db)
        .await)?;
        Ok(value.is_none_or(|(v,)| v != "closed"))
    }

    pub async fn set_joining(&self, open: bool) -> Result<(), sqlx::Error> {
        let value = if open { "open" } else { "closed" };
        on_db!(&self.db, db => sqlx::query(
            "INSERT INTO workshop_settings (key, value) VALUES ('joining', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(value)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        self.bump();
        self.announce("joining").await;
        Ok(())
    }

    /// One pass of the idle sweeper, for the record (the e2e test counts them: with
    /// several replicas exactly one sweeps per cycle).
    pub async fn record_sweep(&self, replica: &str, removed: usize) -> Result<(), sqlx::Error> {
        on_db!(&self.db, db => sqlx::query(
            "INSERT INTO workshop_sweeps (at_ms, replica, removed) VALUES ($1, $2, $3)",
        )
        .bind(now_ms())
        .bind(replica)
        .bind(i64::try_from(removed).unwrap_or(i64::MAX))
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
