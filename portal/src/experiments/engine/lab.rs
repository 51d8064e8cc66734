//! The lab: one experiment (or reset) at a time per namespace, the record of each
//! experiment's latest run — published on the `experiments` live topic and kept in
//! SQLite so it survives a portal restart — and which experiments a namespace passed.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;

use crate::clock::now_ms;
use crate::cluster::watch::Hub;
use crate::live::{ExperimentRun, Item, RunPhase, Topic};

#[derive(Debug)]
pub struct Lab {
    hub: Arc<Hub>,
    db: Option<SqlitePool>,
    /// Namespace → what runs there now (a catalog name, or "reset").
    busy: Mutex<HashMap<String, &'static str>>,
    /// Namespace → experiments with a 성공 run (sticky, like a lesson marked done).
    passed: Mutex<HashMap<String, BTreeSet<String>>>,
    next_id: AtomicU64,
    /// (namespace, experiment) → failed runs in a row, for "who is stuck".
    fails: Mutex<HashMap<(String, String), u32>>,
    /// Runs ended as passed, failed, stopped (for `/metrics`).
    pub verdicts: [AtomicU64; 3],
    /// The runs going on now (the portal's shutdown waits for their clean-up).
    pub inflight: super::inflight::InFlight,
}

/// Held while something runs in a namespace; dropping it frees the namespace.
#[derive(Debug)]
pub struct Claim {
    lab: Arc<Lab>,
    namespace: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.lab.lock_busy().remove(&self.namespace);
    }
}

/// What is already running, for the polite refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy(pub &'static str);

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS experiment_runs (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    run TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (namespace, key));
CREATE TABLE IF NOT EXISTS experiment_passes (
    namespace TEXT NOT NULL,
    experiment TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    PRIMARY KEY (namespace, experiment));";

impl Lab {
    pub fn new(hub: Arc<Hub>, db: Option<SqlitePool>) -> Arc<Self> {
        Arc::new(Self {
            hub,
            db,
            busy: Mutex::default(),
            passed: Mutex::default(),
            next_id: AtomicU64::new(now_ms() as u64),
            verdicts: Default::default(),
            fails: Mutex::default(),
            inflight: Default::default(),
        })
    }

    fn lock_busy(&self) -> std::sync::MutexGuard<'_, HashMap<String, &'static str>> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_passed(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeSet<String>>> {
        self.passed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates the tables and loads every stored run into the live feeds. A run that
    /// was going on when the portal stopped is shown as stopped.
    pub async fn restore(&self) -> Result<usize, sqlx::Error> {
        let Some(db) = &self.db else { return Ok(0) };
        sqlx::raw_sql(SCHEMA).execute(db).await?;
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT namespace, run FROM experiment_runs")
                .fetch_all(db)
                .await?;
        let count = rows.len();
        for (ns, text) in rows {
            let Ok(mut run) = serde_json::from_str::<ExperimentRun>(&text) else {
                tracing::warn!(namespace = %ns, "unreadable stored experiment run; skipped");
                continue;
            };
            if run.phase == RunPhase::Running {
                run.phase = RunPhase::Stopped;
                run.verdict =
                    Some("포털이 다시 시작되어 실험이 중단되었습니다. 다시 실행해 주세요.".into());
            }
            self.publish(&ns, &run);
        }
        let passes: Vec<(String, String)> =
            sqlx::query_as("SELECT namespace, experiment FROM experiment_passes")
                .fetch_all(db)
                .await?;
        let mut passed = self.lock_passed();
        for (ns, experiment) in passes {
            passed.entry(ns).or_default().insert(experiment);
        }
        Ok(count)
    }

    /// Takes the namespace for `what`, or says what already runs there.
    pub fn claim(self: &Arc<Self>, namespace: &str, what: &'static str) -> Result<Claim, Busy> {
        let mut busy = self.lock_busy();
        if let Some(running) = busy.get(namespace) {
            return Err(Busy(running));
        }
        busy.insert(namespace.to_owned(), what);
        Ok(Claim {
            lab: self.clone(),
            namespace: namespace.to_owned(),
        })
    }

    pub fn running(&self, namespace: &str) -> Option<&'static str> {
        self.lock_busy().get(namespace).copied()
    }

    pub fn next_run_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn count_verdict(&self, phase: RunPhase) {
        let i = match phase {
            RunPhase::Passed => 0,
            RunPhase::Failed => 1,
            RunPhase::Stopped | RunPhase::Running => 2,
        };
        self.verdicts[i].fetch_add(1, Ordering::Relaxed);
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Sends the run to every tab of the namespace.
    pub fn publish(&self, namespace: &str, run: &ExperimentRun) {
        self.hub
            .feed(namespace, Topic::Experiments)
            .upsert(Item::Experiment(Box::new(run.clone())));
    }

    /// Stores the run (the latest per experiment and variant) and, if it passed, the pass.
    pub async fn persist(&self, namespace: &str, run: &ExperimentRun) {
        {
            let mut fails = self.fails.lock().unwrap_or_else(|p| p.into_inner());
            let key = (namespace.to_owned(), run.experiment.clone());
            match run.phase {
                RunPhase::Failed => *fails.entry(key).or_default() += 1,
                RunPhase::Passed => {
                    fails.remove(&key);
                }
                _ => {}
            }
        }
        if run.phase == RunPhase::Passed {
            self.lock_passed()
                .entry(namespace.to_owned())
                .or_default()
                .insert(run.experiment.clone());
        }
        let Some(db) = &self.db else { return };
        let text = serde_json::to_string(run).unwrap_or_default();
        let key = format!("{}:{}", run.experiment, run.variant);
        let stored = sqlx::query(
            "INSERT INTO experiment_runs (namespace, key, run, updated_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (namespace, key) DO UPDATE SET run = excluded.run, updated_ms = excluded.updated_ms",
        )
        .bind(namespace)
        .bind(&key)
        .bind(&text)
        .bind(now_ms())
        .execute(db)
        .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, "could not store the experiment run");
        }
        if run.phase == RunPhase::Passed {
            let stored = sqlx::query(
                "INSERT OR IGNORE INTO experiment_passes (namespace, experiment, first_ms) VALUES (?, ?, ?)",
            )
            .bind(namespace)
            .bind(&run.experiment)
            .bind(now_ms())
            .execute(db)
            .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "could not store the experiment pass");
            }
        }
    }

    /// Experiments that failed twice or more in a row in `namespace`.
    pub fn stuck(&self, namespace: &str) -> Vec<String> {
        let fails = self.fails.lock().unwrap_or_else(|p| p.into_inner());
        fails
            .iter()
            .filter(|((ns, _), n)| ns == namespace && **n >= 2)
            .map(|((_, e), _)| e.clone())
            .collect()
    }

    /// The experiments `namespace` has passed at least once.
    pub fn passed(&self, namespace: &str) -> BTreeSet<String> {
        self.lock_passed()
            .get(namespace)
            .cloned()
            .unwrap_or_default()
    }

    /// The stored runs of `namespace` (latest per experiment and variant).
    pub fn runs(&self, namespace: &str) -> Vec<ExperimentRun> {
        self.hub
            .feed(namespace, Topic::Experiments)
            .items()
            .into_iter()
            .filter_map(|i| match i {
                Item::Experiment(r) => Some(*r),
                _ => None,
            })
            .collect()
    }
}
