//! Experiment runs going on in the background, tracked so that a stopping portal ends
//! each one cleanly: it says "stop", every run puts the learner's release back to the
//! baseline and records why, and the portal waits for that — within a bound that fits
//! inside the pod's grace period — instead of dropping runs half-way (a ConfigMap left
//! changed, readiness left off).

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

#[derive(Debug)]
pub struct InFlight {
    stop: watch::Sender<bool>,
    tasks: Mutex<JoinSet<()>>,
}

impl Default for InFlight {
    fn default() -> Self {
        Self {
            stop: watch::channel(false).0,
            tasks: Mutex::default(),
        }
    }
}

impl InFlight {
    fn tasks(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn spawn(&self, run: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks();
        // Finished runs are reaped here, so the set holds only live ones.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(run);
    }

    /// Resolves once the portal is stopping (at once if it already is).
    pub async fn stopping(&self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// After [`Self::stop`]: waits for every run to finish its clean-up, at most `within`;
    /// returns how many were still going (and are then dropped).
    pub async fn drain(&self, within: Duration) -> usize {
        let mut tasks = std::mem::take(&mut *self.tasks());
        let _ = tokio::time::timeout(within, async { while tasks.join_next().await.is_some() {} })
            .await;
        let left = tasks.len();
        tasks.abort_all();
        left
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_stopping_portal_waits_for_clean_up_but_not_forever() {
        let runs = Arc::new(InFlight::default());
        let cleaned = Arc::new(AtomicBool::new(false));
        {
            let (runs2, cleaned) = (runs.clone(), cleaned.clone());
            runs.spawn(async move {
                runs2.stopping().await;
                tokio::time::sleep(Duration::from_secs(5)).await; // putting things back
                cleaned.store(true, Ordering::SeqCst);
            });
        }
        runs.spawn(std::future::pending()); // a run that never ends
        runs.stop();
        let left = runs.drain(Duration::from_secs(30)).await;
        assert!(
            cleaned.load(Ordering::SeqCst),
            "the clean-up ran to its end"
        );
        assert_eq!(left, 1, "the stuck run was given up after the bound");
    }
}
