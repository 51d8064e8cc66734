//! What the experiments do to single pods: delete one (as `kubectl delete pod`), and
//! call one of its own endpoints through the API server's pod proxy.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams};

use super::traffic::{self, Answer, Target};
use super::{Error, Result};

/// `kubectl delete pod NAME [--grace-period=N]`. Returns at once; the kubelet then runs
/// the preStop hook, sends SIGTERM and, after the grace period, SIGKILL.
pub async fn delete(client: &Client, namespace: &str, name: &str) -> Result<()> {
    Api::<Pod>::namespaced(client.clone(), namespace)
        .delete(name, &DeleteParams::default())
        .await
        .map_err(|e| Error::kube(format!("Pod {namespace}/{name} 삭제"), e))?;
    tracing::info!(%namespace, pod = %name, "pod deleted");
    Ok(())
}

/// Sends `target` to `pod` itself (the pod proxy), e.g. `POST /admin/toggle-ready`.
pub async fn call(
    client: &Client,
    namespace: &str,
    pod: &str,
    port: u16,
    target: &Target,
) -> Result<Answer> {
    traffic::send(client, namespace, "", 0, Some((pod, port)), target).await
}
