//! Graceful shutdown, the order that keeps every request answered (Step 3-4):
//! 1. SIGTERM (or Ctrl+C) arrives: log it, answer readiness with 503 at once;
//! 2. keep accepting and serving while requests are in flight, so the kubelet's probes
//!    still get their 503 and late requests routed by kube-proxy are still served;
//! 3. when none are left, or the drain timeout passes, stop accepting and exit.

use std::time::Duration;

use crate::AppState;

/// Resolves when the server should stop accepting connections.
// region: shutdown
pub async fn drained(state: AppState, signal: impl Future<Output = ()>) {
    signal.await;
    tracing::info!("Received SIGTERM, starting graceful shutdown...");
    state.begin_shutdown();
    let timeout = state.config().drain_timeout;
    match tokio::time::timeout(timeout, state.wait_idle()).await {
        Ok(()) => tracing::info!("All in-flight requests finished"),
        Err(_) => tracing::warn!(
            in_flight = state.in_flight(),
            "Drain timeout of {}s passed, closing anyway",
            timeout.as_secs()
        ),
    }
}
// endregion: shutdown

// region: signal
/// SIGTERM from the kubelet, or Ctrl+C in a terminal.
pub async fn terminate_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
// endregion: signal

/// Extra time granted after the drain for connections to close before the hard exit.
pub const CLOSE_GRACE: Duration = Duration::from_secs(3);
