//! Work exactly one replica does per cycle: the workshop's idle sweeper and, with a
//! shared database, marking the runs of vanished replicas as interrupted and putting
//! their namespaces back to the baseline. One replica (SQLite) simply does it; with
//! PostgreSQL every replica tries to hold the Lease `hello-k8s-portal-singleton` each
//! cycle and only the holder works — if it dies, another takes over once the lease
//! runs out (three cycles).

use std::time::Duration;

use crate::cluster::lease::{self, Held};
use crate::cluster::watch::Connected;
use crate::experiments::engine::{Ctx, runner};
use crate::server::PortalState;

/// The Lease's name, in `PORTAL_LEASE_NAMESPACE`.
pub const LEASE: &str = "hello-k8s-portal-singleton";

/// Outside workshop mode only stale runs are looked for.
const DEFAULT_CYCLE: Duration = Duration::from_secs(10);

pub fn spawn(state: PortalState) {
    let shared = state.config.database.is_shared();
    if state.workshop.is_none() && !shared {
        return;
    }
    tokio::spawn(async move {
        let every = state
            .workshop
            .as_ref()
            .map_or(DEFAULT_CYCLE, |ws| ws.sweep_every());
        let lease_seconds = i32::try_from((every.as_secs() * 3).clamp(5, 60)).unwrap_or(60);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if *state.shutdown.borrow() {
                return;
            }
            let Some(connected) = state.hub.conn().now() else {
                continue;
            };
            if shared && !holds(&state, &connected, lease_seconds).await {
                continue;
            }
            if let Some(ws) = &state.workshop {
                ws.sweep_once(&connected.client, &state.config.replica)
                    .await;
            }
            if shared {
                interrupt_stale_runs(&state).await;
            }
        }
    });
}

async fn holds(state: &PortalState, connected: &Connected, seconds: i32) -> bool {
    let config = &state.config;
    match lease::hold(
        &connected.client,
        &config.lease_namespace,
        LEASE,
        &config.replica,
        seconds,
    )
    .await
    {
        Ok(Held::Mine) => true,
        Ok(Held::Theirs) => false,
        Err(e) => {
            tracing::warn!(error = %e, "could not take or renew the singleton lease");
            false
        }
    }
}

/// Runs whose replica stopped beating become "interrupted", then their namespace goes
/// back to the tutorial's baseline so the learner can start again.
async fn interrupt_stale_runs(state: &PortalState) {
    let stale = match state.lab.interrupt_stale().await {
        Ok(stale) => stale,
        Err(e) => {
            tracing::warn!(error = %e, "could not look for interrupted runs");
            return;
        }
    };
    for claim in stale {
        let ns = claim.namespace;
        let learner = match super::request::learner_in(state, ns.clone()) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, namespace = %ns, "no client to reset with");
                continue;
            }
        };
        let Ok(_claim) = state.lab.claim(&ns, "reset").await else {
            continue;
        };
        let ctx = Ctx::new(&learner);
        match runner::reset(&state.lab, &ctx).await {
            Ok(()) => tracing::info!(namespace = %ns, "namespace of an interrupted run reset"),
            Err(e) => {
                tracing::warn!(error = %e, namespace = %ns, "could not reset after an interrupted run")
            }
        }
    }
}
