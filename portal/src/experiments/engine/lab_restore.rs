//! The lab's records after a restart or a lost replica: loading stored runs into the
//! live feeds, reloading a namespace another replica saved, and marking the runs of a
//! vanished replica as interrupted.

use std::sync::Arc;

use super::{INTERRUPTED, Lab, RESTARTED};
use crate::clock::now_ms;
use crate::experiments::engine::lab_store::ClaimRow;
use crate::live::{ExperimentRun, Mark, MarkKind, RunPhase};

impl Lab {
    /// Loads every stored run into the live feeds. With one replica (SQLite) a run
    /// that was going on when the portal stopped is shown as stopped and its claim
    /// freed; with a shared database another replica may still be running it, so that
    /// is left to [`Lab::interrupt_stale`].
    pub async fn restore(self: &Arc<Self>) -> Result<usize, sqlx::Error> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let count = self.load(None, !store.is_shared()).await?;
        if !store.is_shared() {
            for claim in store.stale(true).await? {
                store.release(&claim.namespace, &claim.replica).await?;
            }
        }
        let passes = store.passes().await?;
        {
            let mut passed = self.lock_passed();
            for (ns, experiment) in passes {
                passed.entry(ns).or_default().insert(experiment);
            }
        }
        let lab = Arc::downgrade(self);
        store
            .listen(move |ns| {
                let Some(lab) = lab.upgrade() else {
                    return false;
                };
                tokio::spawn(async move {
                    if let Err(e) = lab.load(Some(&ns), false).await {
                        tracing::warn!(error = %e, namespace = %ns, "could not reload runs");
                    }
                });
                true
            })
            .await?;
        Ok(count)
    }

    /// Publishes the stored runs (of one namespace, or all); `stop_running` shows runs
    /// that were going on as stopped.
    async fn load(
        &self,
        namespace: Option<&str>,
        stop_running: bool,
    ) -> Result<usize, sqlx::Error> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let rows = store.runs(namespace).await?;
        let count = rows.len();
        self.set_streaks(namespace, store.streaks(namespace).await?);
        for (ns, text) in rows {
            let Ok(mut run) = serde_json::from_str::<ExperimentRun>(&text) else {
                tracing::warn!(namespace = %ns, "unreadable stored experiment run; skipped");
                continue;
            };
            if run.phase == RunPhase::Passed {
                self.lock_passed()
                    .entry(ns.clone())
                    .or_default()
                    .insert(run.experiment.clone());
            }
            if stop_running && run.phase == RunPhase::Running {
                run.phase = RunPhase::Stopped;
                run.verdict = Some(RESTARTED.into());
            }
            self.publish_local(&ns, &run);
        }
        Ok(count)
    }

    /// Marks the runs of replicas that stopped beating as interrupted (Korean verdict,
    /// saved and shown everywhere) and frees their namespaces. Returns the namespaces,
    /// which the caller puts back to the baseline. Only one replica calls it at a time
    /// (the singleton lease).
    pub async fn interrupt_stale(&self) -> Result<Vec<ClaimRow>, sqlx::Error> {
        let Some(store) = &self.store else {
            return Ok(Vec::new());
        };
        let stale = store.stale(false).await?;
        for claim in &stale {
            for (_, text) in store.runs(Some(&claim.namespace)).await? {
                let Ok(mut run) = serde_json::from_str::<ExperimentRun>(&text) else {
                    continue;
                };
                if run.phase != RunPhase::Running {
                    continue;
                }
                run.phase = RunPhase::Stopped;
                run.verdict = Some(INTERRUPTED.into());
                run.timeline.push(Mark {
                    at_ms: now_ms().saturating_sub(run.started_ms).max(0),
                    kind: MarkKind::Verdict,
                    text: INTERRUPTED.into(),
                });
                self.count_verdict(RunPhase::Stopped);
                store.save(&claim.namespace, &run, false).await?;
                self.publish_local(&claim.namespace, &run);
            }
            store.release(&claim.namespace, &claim.replica).await?;
            tracing::warn!(namespace = %claim.namespace, replica = %claim.replica, "run of a vanished replica marked as interrupted");
        }
        Ok(stale)
    }
}
