//! `helm install/upgrade/uninstall` for a rendered release: server-side apply of each
//! object, then deletes in reverse. No release record is stored (helm keeps a Secret);
//! the cluster objects themselves, with their revision history, are the state.

use std::fmt::Debug;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::names::ReleaseNames;
use super::render::Rendered;
use crate::cluster::values::ChartMeta;
use crate::cluster::{Error, Result};

/// The portal's name in every object's `managedFields`.
pub const FIELD_MANAGER: &str = "hello-k8s-portal";

/// `helm install`: creates the release, or brings an existing one to `rendered`.
pub async fn install(client: &Client, rendered: &Rendered) -> Result<()> {
    apply(client, rendered, "설치", true).await
}

/// `helm upgrade`: the same apply; only the changed fields move, and a changed pod
/// template starts a rolling update.
pub async fn upgrade(client: &Client, rendered: &Rendered) -> Result<()> {
    apply(client, rendered, "업그레이드", true).await
}

/// Install or upgrade into a namespace the release does not own (a workshop learner's,
/// made by the portal): the Namespace object is left alone, and the learner's own
/// rights are enough.
pub async fn apply_in_given_namespace(client: &Client, rendered: &Rendered) -> Result<()> {
    apply(client, rendered, "적용", false).await
}

async fn apply(
    client: &Client,
    rendered: &Rendered,
    verb: &str,
    namespace_too: bool,
) -> Result<()> {
    let ns = rendered.namespace.name_any();
    tracing::info!(namespace = %ns, deployment = %rendered.deployment.name_any(), "release {verb}");
    // Forced: the portal is the owner of these fields even if someone `kubectl edit`ed them
    // in between, just as `helm upgrade` would overwrite them.
    let params = PatchParams::apply(FIELD_MANAGER).force();
    // The namespace first: everything else lives in it.
    if namespace_too {
        apply_one(
            Api::<Namespace>::all(client.clone()),
            &rendered.namespace,
            &params,
        )
        .await?;
    }
    apply_one(
        Api::namespaced(client.clone(), &ns),
        &rendered.config_map,
        &params,
    )
    .await?;
    apply_one(
        Api::namespaced(client.clone(), &ns),
        &rendered.deployment,
        &params,
    )
    .await?;
    apply_one(
        Api::namespaced(client.clone(), &ns),
        &rendered.service,
        &params,
    )
    .await?;
    match &rendered.ingress {
        Some(ingress) => apply_one(Api::namespaced(client.clone(), &ns), ingress, &params).await?,
        // Ingress switched off: helm removes the one an earlier revision created.
        None => {
            delete_one::<Ingress>(
                Api::namespaced(client.clone(), &ns),
                &rendered.deployment.name_any(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Applies only the release's ConfigMap: what `kubectl edit configmap` does. The
/// Deployment's checksum annotation stays, so running pods do not change.
pub async fn apply_config_map(client: &Client, config_map: &ConfigMap) -> Result<()> {
    let ns = config_map.namespace().unwrap_or_default();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    apply_one(Api::namespaced(client.clone(), &ns), config_map, &params).await
}

/// The Deployment's `metadata.generation` now (bumped by every spec change), so a
/// caller can wait for the controller to have seen its change.
pub async fn deployment_generation(client: &Client, namespace: &str, name: &str) -> Result<i64> {
    let d = Api::<Deployment>::namespaced(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|e| Error::kube(format!("Deployment {namespace}/{name} 조회"), e))?;
    Ok(d.metadata.generation.unwrap_or(0))
}

pub(super) async fn apply_one<K>(api: Api<K>, object: &K, params: &PatchParams) -> Result<()>
where
    K: Resource<DynamicType = ()> + Clone + Debug + Serialize + DeserializeOwned,
{
    let name = object.name_any();
    api.patch(&name, params, &Patch::Apply(object))
        .await
        .map_err(|e| Error::kube(format!("{} 적용", describe(&api, &name)), e))?;
    tracing::debug!(object = %describe(&api, &name), "applied");
    Ok(())
}

/// `helm uninstall`: deletes what [`install`] creates (Ingress, Service, Deployment,
/// ConfigMap, then the Namespace), skipping what is already gone. Returns what was
/// deleted, as `Kind/name`. Like helm, the namespace goes too because the chart owns it.
pub async fn uninstall(
    client: &Client,
    namespace: &str,
    release: &str,
    chart: &ChartMeta,
) -> Result<Vec<String>> {
    uninstall_from(client, namespace, release, chart, true).await
}

/// [`uninstall`]; `namespace_too = false` keeps a namespace the release does not own.
pub async fn uninstall_from(
    client: &Client,
    namespace: &str,
    release: &str,
    chart: &ChartMeta,
    namespace_too: bool,
) -> Result<Vec<String>> {
    let names = ReleaseNames::new(namespace, release, chart);
    tracing::info!(%namespace, %release, "release 삭제");
    let c = || client.clone();
    // An array evaluates in order, so the deletes run one after another as listed.
    let steps = [
        (
            "Ingress",
            names.fullname.as_str(),
            delete_one::<Ingress>(Api::namespaced(c(), namespace), &names.fullname).await?,
        ),
        (
            "Service",
            &names.fullname,
            delete_one::<Service>(Api::namespaced(c(), namespace), &names.fullname).await?,
        ),
        (
            "Deployment",
            &names.canary,
            delete_one::<Deployment>(Api::namespaced(c(), namespace), &names.canary).await?,
        ),
        (
            "Deployment",
            &names.fullname,
            delete_one::<Deployment>(Api::namespaced(c(), namespace), &names.fullname).await?,
        ),
        (
            "ConfigMap",
            &names.config_map,
            delete_one::<ConfigMap>(Api::namespaced(c(), namespace), &names.config_map).await?,
        ),
        (
            "Namespace",
            namespace,
            namespace_too && delete_one::<Namespace>(Api::all(c()), namespace).await?,
        ),
    ];
    Ok(steps
        .into_iter()
        .filter(|(_, _, existed)| *existed)
        .map(|(kind, name, _)| format!("{kind}/{name}"))
        .collect())
}

/// "Kind ns/name" (or "Kind name" for cluster objects), for messages.
fn describe<K: Resource<DynamicType = ()>>(api: &Api<K>, name: &str) -> String {
    match api.namespace() {
        Some(ns) => format!("{} {ns}/{name}", K::kind(&())),
        None => format!("{} {name}", K::kind(&())),
    }
}

/// Deletes one object in the background (its ReplicaSets and pods follow through the
/// garbage collector). `Ok(false)` if it was not there.
pub(super) async fn delete_one<K>(api: Api<K>, name: &str) -> Result<bool>
where
    K: Resource<DynamicType = ()> + Clone + Debug + DeserializeOwned,
{
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(Error::kube(format!("{} 삭제", describe(&api, name)), e)),
    }
}
