//! Where the lab keeps its records: each experiment's latest run, the passes, and — so
//! that one run at a time holds across replicas — a claim row per busy namespace with
//! the replica that owns it and a heartbeat. On PostgreSQL a saved run is announced
//! (`NOTIFY`) and every other replica reloads that namespace, so a run started through
//! one replica shows the same timeline through another. Failures in a row ("who is
//! stuck") are counted here too, so every replica's host board agrees.

use std::time::Duration;

use crate::clock::now_ms;
use crate::live::ExperimentRun;
use crate::on_db;
use crate::store::Db;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS experiment_runs (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    run TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (namespace, key));
CREATE TABLE IF NOT EXISTS experiment_passes (
    namespace TEXT NOT NULL,
    experiment TEXT NOT NULL,
    first_ms BIGINT NOT NULL,
    PRIMARY KEY (namespace, experiment));
CREATE TABLE IF NOT EXISTS experiment_streaks (
    namespace TEXT NOT NULL,
    experiment TEXT NOT NULL,
    failed BIGINT NOT NULL,
    PRIMARY KEY (namespace, experiment));
CREATE TABLE IF NOT EXISTS experiment_claims (
    namespace TEXT PRIMARY KEY,
    what TEXT NOT NULL,
    replica TEXT NOT NULL,
    heartbeat_ms BIGINT NOT NULL)";

/// The channel saved runs are announced on: `<replica> <namespace>`.
const CHANNEL: &str = "hk_runs";

/// A claim whose owner has not beaten for this long belongs to a replica that is gone.
pub const STALE: Duration = Duration::from_secs(20);
/// How often the owner of a claim beats.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct RunStore {
    db: Db,
    /// This replica's name, in claims and announcements.
    pub replica: String,
}

/// A claim row: the namespace, what runs there, and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub namespace: String,
    pub what: String,
    pub replica: String,
}

impl RunStore {
    pub async fn open(db: Db, replica: String) -> Result<Self, sqlx::Error> {
        db.schema(SCHEMA).await?;
        Ok(Self { db, replica })
    }

    pub fn is_shared(&self) -> bool {
        self.db.is_shared()
    }

    /// Every stored run as `(namespace, JSON)`.
    pub async fn runs(
        &self,
        namespace: Option<&str>,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        on_db!(&self.db, db => sqlx::query_as(
            "SELECT namespace, run FROM experiment_runs WHERE $1 IS NULL OR namespace = $1",
        )
        .bind(namespace)
        .fetch_all(db)
        .await)
    }

    pub async fn passes(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        on_db!(&self.db, db => sqlx::query_as("SELECT namespace, experiment FROM experiment_passes")
            .fetch_all(db)
            .await)
    }

    /// Counts a finished run of `experiment`: a failure adds one to its streak, a pass
    /// ends it. Atomic in the database, so two replicas never lose a count.
    pub async fn count_streak(
        &self,
        namespace: &str,
        experiment: &str,
        failed: bool,
    ) -> Result<(), sqlx::Error> {
        let sql = if failed {
            "INSERT INTO experiment_streaks (namespace, experiment, failed) VALUES ($1, $2, 1)
             ON CONFLICT (namespace, experiment) DO UPDATE SET failed = experiment_streaks.failed + 1"
        } else {
            "DELETE FROM experiment_streaks WHERE namespace = $1 AND experiment = $2"
        };
        on_db!(&self.db, db => sqlx::query(sql)
            .bind(namespace)
            .bind(experiment)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Failures in a row as `(namespace, experiment, count)`, of one namespace or all.
    pub async fn streaks(
        &self,
        namespace: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
        on_db!(&self.db, db => sqlx::query_as(
            "SELECT namespace, experiment, failed FROM experiment_streaks
             WHERE $1 IS NULL OR namespace = $1",
        )
        .bind(namespace)
        .fetch_all(db)
        .await)
    }

    /// Stores the run (the latest per experiment and variant) and, if it passed, the
    /// pass; then tells the other replicas.
    pub async fn save(
        &self,
        namespace: &str,
        run: &ExperimentRun,
        passed: bool,
    ) -> Result<(), sqlx::Error> {
        let text = serde_json::to_string(run).unwrap_or_default();
        let key = format!("{}:{}", run.experiment, run.variant);
        on_db!(&self.db, db => sqlx::query(
            "INSERT INTO experiment_runs (namespace, key, run, updated_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (namespace, key) DO UPDATE SET run = excluded.run, updated_ms = excluded.updated_ms",
        )
        .bind(namespace)
        .bind(&key)
        .bind(&text)
        .bind(now_ms())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if passed {
            on_db!(&self.db, db => sqlx::query(
                "INSERT INTO experiment_passes (namespace, experiment, first_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (namespace, experiment) DO NOTHING",
            )
            .bind(namespace)
            .bind(&run.experiment)
            .bind(now_ms())
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        }
        self.db
            .notify(CHANNEL, &format!("{} {namespace}", self.replica))
            .await;
        Ok(())
    }

    /// Takes `namespace` for `what`, or returns who has it.
    pub async fn claim(
        &self,
        namespace: &str,
        what: &str,
    ) -> Result<Option<ClaimRow>, sqlx::Error> {
        let taken = on_db!(&self.db, db => sqlx::query(
            "INSERT INTO experiment_claims (namespace, what, replica, heartbeat_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (namespace) DO NOTHING",
        )
        .bind(namespace)
        .bind(what)
        .bind(&self.replica)
        .bind(now_ms())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if taken == 1 {
            return Ok(None);
        }
        let row: Option<(String, String, String)> = on_db!(&self.db, db => sqlx::query_as(
            "SELECT namespace, what, replica FROM experiment_claims WHERE namespace = $1",
        )
        .bind(namespace)
        .fetch_optional(db)
        .await)?;
        Ok(Some(row.map_or_else(
            // Freed between the two statements: still busy a moment ago.
            || ClaimRow {
                namespace: namespace.to_owned(),
                what: what.to_owned(),
                replica: String::new(),
            },
            |(namespace, what, replica)| ClaimRow {
                namespace,
                what,
                replica,
            },
        )))
    }

    pub async fn beat(&self, namespace: &str) -> Result<(), sqlx::Error> {
        on_db!(&self.db, db => sqlx::query(
            "UPDATE experiment_claims SET heartbeat_ms = $1 WHERE namespace = $2 AND replica = $3",
        )
        .bind(now_ms())
        .bind(namespace)
        .bind(&self.replica)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))
        .map(drop)
    }

    /// Frees `namespace` if `replica` holds it.
    pub async fn release(&self, namespace: &str, replica: &str) -> Result<(), sqlx::Error> {
        on_db!(&self.db, db => sqlx::query(
            "DELETE FROM experiment_claims WHERE namespace = $1 AND replica = $2",
        )
        .bind(namespace)
        .bind(replica)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))
        .map(drop)
    }

    /// Claims whose owner stopped beating `STALE` ago (or, with `all`, every claim: a
    /// single replica that just started owns none of them).
    pub async fn stale(&self, all: bool) -> Result<Vec<ClaimRow>, sqlx::Error> {
        let before = if all {
            i64::MAX
        } else {
            now_ms() - STALE.as_millis() as i64
        };
        let rows: Vec<(String, String, String)> = on_db!(&self.db, db => sqlx::query_as(
            "SELECT namespace, what, replica FROM experiment_claims WHERE heartbeat_ms < $1",
        )
        .bind(before)
        .fetch_all(db)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(namespace, what, replica)| ClaimRow {
                namespace,
                what,
                replica,
            })
            .collect())
    }

    /// PostgreSQL: calls `changed(namespace)` for every run another replica saves,
    /// until it returns `false`.
    pub async fn listen(
        &self,
        changed: impl Fn(String) -> bool + Send + 'static,
    ) -> Result<(), sqlx::Error> {
        let me = self.replica.clone();
        self.db
            .listen(CHANNEL, move |payload| match payload.split_once(' ') {
                Some((from, ns)) if from != me => changed(ns.to_owned()),
                _ => true,
            })
            .await
    }
}
