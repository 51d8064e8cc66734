//! The canary of appendix A-3: a second Deployment of the hello service at another
//! version, beside the release's own, whose pods carry the release's selector labels so
//! the one Service sends them a share of the requests. Built from the release's own
//! Deployment by a pure function, applied server-side like the release.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{EnvVar, ResourceQuota};
use kube::Client;
use kube::api::{Api, Patch, PatchParams};

use super::apply::{FIELD_MANAGER, apply_one, delete_one};
use super::names::ReleaseNames;
use crate::cluster::{Error, Result};

/// Marks the canary's pods. In the canary's selector too, so neither Deployment ever
/// counts the other's ReplicaSets (the release's selector alone matches both).
pub const TRACK_LABEL: &str = "hello-k8s.dev/track";

/// `release` (the release's Deployment rendered at the canary's version) renamed to the
/// canary, with `replicas` pods and its own track label. `APP_VERSION` is set on the
/// container because the ConfigMap both Deployments read names the release's version;
/// `env` wins over `envFrom`.
pub fn desired(
    release: &Deployment,
    names: &ReleaseNames,
    version: &str,
    replicas: i32,
) -> Deployment {
    let mut d = release.clone();
    d.metadata.name = Some(names.canary.clone());
    let track = || (TRACK_LABEL.to_owned(), "canary".to_owned());
    d.metadata.labels.get_or_insert_default().extend([track()]);
    if let Some(spec) = d.spec.as_mut() {
        spec.replicas = Some(replicas);
        spec.selector
            .match_labels
            .get_or_insert_default()
            .extend([track()]);
        let meta = spec.template.metadata.get_or_insert_default();
        meta.labels.get_or_insert_default().extend([track()]);
        if let Some(pod) = spec.template.spec.as_mut() {
            for c in &mut pod.containers {
                let env = c.env.get_or_insert_default();
                env.retain(|e| e.name != "APP_VERSION");
                env.push(EnvVar {
                    name: "APP_VERSION".into(),
                    value: Some(version.to_owned()),
                    value_from: None,
                });
            }
        }
    }
    d
}

/// Creates or updates the canary Deployment.
pub async fn apply(client: &Client, canary: &Deployment) -> Result<()> {
    let ns = canary.metadata.namespace.clone().unwrap_or_default();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    apply_one(Api::namespaced(client.clone(), &ns), canary, &params).await
}

/// `kubectl scale deployment/NAME --replicas=N`: the scale subresource, so only the
/// pod count changes (no new ReplicaSet, no rollout).
pub async fn scale(client: &Client, namespace: &str, name: &str, replicas: i32) -> Result<()> {
    let patch = serde_json::json!({ "spec": { "replicas": replicas } });
    Api::<Deployment>::namespaced(client.clone(), namespace)
        .patch_scale(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| {
            Error::kube(
                format!("Deployment {namespace}/{name} 레플리카 {replicas} 로 조정"),
                e,
            )
        })?;
    Ok(())
}

/// Deletes the canary Deployment (its pods follow); whether it was there.
pub async fn remove(client: &Client, names: &ReleaseNames) -> Result<bool> {
    delete_one::<Deployment>(
        Api::namespaced(client.clone(), &names.namespace),
        &names.canary,
    )
    .await
}

/// Whether the canary Deployment exists.
pub async fn exists(client: &Client, names: &ReleaseNames) -> Result<bool> {
    Ok(
        Api::<Deployment>::namespaced(client.clone(), &names.namespace)
            .get_opt(&names.canary)
            .await
            .map_err(|e| {
                Error::kube(
                    format!("Deployment {}/{} 조회", names.namespace, names.canary),
                    e,
                )
            })?
            .is_some(),
    )
}

/// The most pods the namespace's quotas allow, if any quota limits pods.
pub async fn pod_quota(client: &Client, namespace: &str) -> Result<Option<i64>> {
    let quotas = Api::<ResourceQuota>::namespaced(client.clone(), namespace)
        .list(&Default::default())
        .await
        .map_err(|e| Error::kube(format!("ResourceQuota {namespace} 조회"), e))?;
    Ok(quotas
        .items
        .iter()
        .filter_map(|q| q.spec.as_ref()?.hard.as_ref()?.get("pods"))
        .filter_map(|q| q.0.parse::<i64>().ok())
        .min())
}
