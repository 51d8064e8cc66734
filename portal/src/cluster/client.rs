//! The connection to the cluster, set up once at start-up.

use std::time::Duration;

use kube::config::Kubeconfig;
use kube::{Client, Config};

use super::{Error, Result};

/// What the portal's header shows about the cluster it talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    /// The kubeconfig's current context; `None` when running inside a cluster.
    pub context: Option<String>,
    /// The API server's `gitVersion`, e.g. `v1.20.2`.
    pub server_version: String,
}

/// Connects as `kubectl` would: `KUBECONFIG`, else `~/.kube/config`, else the pod's
/// service account. Asks the API server for its version, so a wrong address or expired
/// credentials fail here rather than in the first lesson panel.
pub async fn connect() -> Result<(Client, ClusterInfo)> {
    let (client, info, _) = connect_with_config().await?;
    Ok((client, info))
}

/// [`connect`], also returning the configuration (impersonating clients are derived
/// from it in workshop mode).
pub async fn connect_with_config() -> Result<(Client, ClusterInfo, Config)> {
    let config = Config::infer()
        .await
        .map_err(|source| Error::Config { source })?;
    let config = tuned(config, READ_TIMEOUT);
    let base = config.clone();
    // `infer` prefers the kubeconfig, so when one can be read it is the one in use.
    let context = Kubeconfig::read().ok().and_then(|k| k.current_context);
    let client = Client::try_from(config).map_err(|source| Error::Client { source })?;
    let version = client
        .apiserver_version()
        .await
        .map_err(|e| Error::kube("API 서버 버전 조회", e))?;
    tracing::info!(context = context.as_deref().unwrap_or("(in-cluster)"), version = %version.git_version, "connected to Kubernetes");
    Ok((
        client,
        ClusterInfo {
            context,
            server_version: version.git_version,
        },
        base,
    ))
}

/// The longest the portal waits for the API server to answer a call (or to send the
/// next bytes of a log stream, which then resumes where it was): above the 60 s the
/// shutdown experiment's slowest request may take through the pod proxy.
pub const READ_TIMEOUT: Duration = Duration::from_secs(90);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Two of kube's defaults do not fit the portal:
/// - the read timeout is off: a half-open connection would hang a call, and the panel
///   waiting on it, for good. The timer restarts with every request sent, so a pooled
///   connection's idle time does not count. (Watches are bounded by the watcher's own
///   idle timeout, see `cluster/watch/watcher.rs`.)
/// - 503 and 429 answers are retried, up to 15 times over minutes: through the pod proxy a
///   503 is the hello service's own answer (readiness switched off), and the experiments
///   must see it at once. Watches back off on their own; other calls fail and say why.
pub fn tuned(mut config: Config, read: Duration) -> Config {
    config.default_retry = false;
    config.read_timeout = Some(read);
    config.reset_reader_on_write = true;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.write_timeout = Some(CONNECT_TIMEOUT);
    config
}

/// A client that acts as `user` (`Impersonate-User`): the API server then checks that
/// user's rights, not the portal's.
pub fn impersonating(base: &Config, user: &str) -> Result<Client> {
    let mut config = base.clone();
    config.auth_info.impersonate = Some(user.to_owned());
    Client::try_from(config).map_err(|source| Error::Client { source })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// An API server that accepts the connection and then says nothing (half-open).
    #[tokio::test]
    async fn a_silent_api_server_fails_the_call_instead_of_hanging_it() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let config = Config::new(format!("http://{addr}").parse().unwrap());
        let client = Client::try_from(tuned(config, Duration::from_millis(300))).unwrap();
        let call = tokio::time::timeout(Duration::from_secs(10), client.apiserver_version()).await;
        assert!(
            matches!(call, Ok(Err(_))),
            "the call ends with an error: {call:?}"
        );
    }

    /// A pod answering 503 through the proxy (readiness off): the answer, at once.
    #[tokio::test]
    async fn a_503_is_an_answer_not_a_reason_to_retry() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let app = axum::Router::new().route(
            "/ready",
            axum::routing::get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { (http::StatusCode::SERVICE_UNAVAILABLE, "not ready") }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let config = Config::new(format!("http://{addr}").parse().unwrap());
        let client = Client::try_from(tuned(config, READ_TIMEOUT)).unwrap();
        let request = http::Request::get("/ready")
            .body(kube::client::Body::empty())
            .unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), client.send(request))
            .await
            .expect("no retries for minutes");
        assert_eq!(answer.unwrap().status(), 503);
        assert_eq!(hits.load(Ordering::SeqCst), 1, "asked once");
    }
}
