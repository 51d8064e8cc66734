//! The lab: one experiment (or reset) at a time per namespace, the record of each
//! experiment's latest run — published on the `experiments` live topic and kept in the
//! database (`lab_store.rs`) so it survives a portal restart — and which experiments a
//! namespace passed. With a shared database the claim is a row too (one run per
//! namespace across replicas), and running runs are saved as they go.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use super::lab_store::{HEARTBEAT, RunStore};
use crate::clock::now_ms;
use crate::cluster::watch::Hub;
use crate::live::{ExperimentRun, Item, RunPhase, Topic};

#[derive(Debug)]
pub struct Lab {
    hub: Arc<Hub>,
    store: Option<RunStore>,
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
    /// Running runs waiting to be saved (shared database).
    pending: Mutex<HashMap<String, ExperimentRun>>,
    /// Held while saving: a coalesced running state taken before a run's final state
    /// must not land after it.
    writes: tokio::sync::Mutex<()>,
}

/// Held while something runs in a namespace; dropping it frees the namespace.
#[derive(Debug)]
pub struct Claim {
    lab: Arc<Lab>,
    namespace: String,
    /// The heartbeat of the claim row (shared database).
    beating: Option<AbortHandle>,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.lab.lock_busy().remove(&self.namespace);
        if let Some(beat) = self.beating.take() {
            beat.abort();
        }
        if let Some(store) = self.lab.store.clone().filter(RunStore::is_shared) {
            let ns = self.namespace.clone();
            tokio::spawn(async move {
                if let Err(e) = store.release(&ns, &store.replica).await {
                    tracing::warn!(error = %e, namespace = %ns, "could not free the claim row");
                }
            });
        }
    }
}

/// What is already running, for the polite refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy(pub &'static str);

#[path = "lab_restore.rs"]
mod restore;
#[cfg(test)]
#[path = "lab_tests.rs"]
mod tests;

/// Why a run shows as stopped when its portal went away.
pub const RESTARTED: &str = "포털이 다시 시작되어 실험이 중단되었습니다. 다시 실행해 주세요.";
pub const INTERRUPTED: &str = "실험을 돌리던 포털 인스턴스가 멈춰 실험이 중단되었습니다. 네임스페이스를 기준 상태로 되돌리고 있으니 잠시 뒤 다시 실행해 주세요.";

impl Lab {
    pub fn new(hub: Arc<Hub>, store: Option<RunStore>) -> Arc<Self> {
        Arc::new(Self {
            hub,
            store,
            busy: Mutex::default(),
            passed: Mutex::default(),
            next_id: AtomicU64::new(now_ms() as u64),
            verdicts: Default::default(),
            fails: Mutex::default(),
            inflight: Default::default(),
            pending: Mutex::default(),
            writes: tokio::sync::Mutex::new(()),
        })
    }

    fn lock_busy(&self) -> std::sync::MutexGuard<'_, HashMap<String, &'static str>> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_passed(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeSet<String>>> {
        self.passed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the namespace for `what`, or says what already runs there (through this
    /// replica, or — shared database — through any).
    pub async fn claim(
        self: &Arc<Self>,
        namespace: &str,
        what: &'static str,
    ) -> Result<Claim, Busy> {
        {
            let mut busy = self.lock_busy();
            if let Some(running) = busy.get(namespace) {
                return Err(Busy(running));
            }
            busy.insert(namespace.to_owned(), what);
        }
        let claim = |beating| Claim {
            lab: self.clone(),
            namespace: namespace.to_owned(),
            beating,
        };
        let Some(store) = self.store.clone().filter(RunStore::is_shared) else {
            return Ok(claim(None));
        };
        let refused = match store.claim(namespace, what).await {
            Ok(None) => None,
            Ok(Some(other)) => Some(
                crate::experiments::catalog::find(&other.what).map_or("reset", |s| s.name.as_str()),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not claim the namespace in the database");
                Some("reset")
            }
        };
        if let Some(running) = refused {
            // Not ours: no Claim exists, so nothing deletes the other replica's row.
            self.lock_busy().remove(namespace);
            return Err(Busy(running));
        }
        let ns = namespace.to_owned();
        Ok(claim(Some(
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(HEARTBEAT);
                loop {
                    tick.tick().await;
                    if let Err(e) = store.beat(&ns).await {
                        tracing::warn!(error = %e, namespace = %ns, "claim heartbeat failed");
                    }
                }
            })
            .abort_handle(),
        )))
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

    /// Sends the run to every tab of the namespace; with a shared database a running
    /// run is saved too (coalesced, see [`Lab::sync_running`]) so other replicas show it.
    pub fn publish(&self, namespace: &str, run: &ExperimentRun) {
        self.publish_local(namespace, run);
        if run.phase == RunPhase::Running && self.store.as_ref().is_some_and(RunStore::is_shared) {
            self.lock_pending()
                .insert(namespace.to_owned(), run.clone());
        }
    }

    fn publish_local(&self, namespace: &str, run: &ExperimentRun) {
        self.hub
            .feed(namespace, Topic::Experiments)
            .upsert(Item::Experiment(Box::new(run.clone())));
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, ExperimentRun>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Shared database: saves the latest state of running runs twice a second, so a
    /// burst of marks is one write. Runs for the life of the portal.
    pub fn sync_running(self: &Arc<Self>) {
        let Some(store) = self.store.clone().filter(RunStore::is_shared) else {
            return;
        };
        let lab = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
            loop {
                tick.tick().await;
                let Some(lab) = lab.upgrade() else { return };
                let _writing = lab.writes.lock().await;
                let pending: Vec<_> = lab.lock_pending().drain().collect();
                for (ns, run) in pending {
                    if let Err(e) = store.save(&ns, &run, false).await {
                        tracing::warn!(error = %e, "could not save the running experiment");
                    }
                }
            }
        });
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
        let Some(store) = &self.store else { return };
        // Before the save: its announcement makes other replicas read the streak.
        if matches!(run.phase, RunPhase::Failed | RunPhase::Passed) {
            let failed = run.phase == RunPhase::Failed;
            if let Err(e) = store.count_streak(namespace, &run.experiment, failed).await {
                tracing::warn!(error = %e, "could not count the experiment's failures");
            }
        }
        // The final state wins over a coalesced running one, waiting or being saved.
        let _writing = self.writes.lock().await;
        self.lock_pending().remove(namespace);
        if let Err(e) = store
            .save(namespace, run, run.phase == RunPhase::Passed)
            .await
        {
            tracing::warn!(error = %e, "could not store the experiment run");
        }
    }

    /// Replaces the failure streaks of `namespace` (or of all) with stored ones.
    fn set_streaks(&self, namespace: Option<&str>, rows: Vec<(String, String, i64)>) {
        let mut fails = self.fails.lock().unwrap_or_else(|p| p.into_inner());
        fails.retain(|(ns, _), _| namespace.is_some_and(|only| only != ns));
        for (ns, experiment, n) in rows {
            fails.insert((ns, experiment), u32::try_from(n).unwrap_or(u32::MAX));
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
