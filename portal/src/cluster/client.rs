//! The connection to the cluster, set up once at start-up.

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

/// A client that acts as `user` (`Impersonate-User`): the API server then checks that
/// user's rights, not the portal's.
pub fn impersonating(base: &Config, user: &str) -> Result<Client> {
    let mut config = base.clone();
    config.auth_info.impersonate = Some(user.to_owned());
    Client::try_from(config).map_err(|source| Error::Client { source })
}
