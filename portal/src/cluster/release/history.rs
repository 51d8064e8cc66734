//! `helm history` / `helm rollback`, answered from what Kubernetes itself keeps: every pod
//! template a Deployment ever had survives as a ReplicaSet numbered by the
//! `deployment.kubernetes.io/revision` annotation (`kubectl rollout history`).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::json;

use super::apply::FIELD_MANAGER;
use crate::cluster::{Error, Result};

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// Added by the Deployment controller to tell its ReplicaSets apart; never copied back.
const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// One pod template the Deployment has had.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub revision: i64,
    pub replica_set: String,
    /// The first container's image.
    pub image: Option<String>,
    /// The pod template's `checksum/config`: equal checksums mean equal ConfigMaps.
    pub config_checksum: Option<String>,
    pub env: Vec<EnvEntry>,
    /// Pods this ReplicaSet has now (old revisions are scaled to 0, not deleted).
    pub replicas: i32,
    pub ready_replicas: i32,
    pub created: Option<Timestamp>,
    /// The revision the Deployment runs now.
    pub current: bool,
}

/// An `env` entry of the pod template; a `valueFrom` is described, e.g.
/// `fieldRef: metadata.name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: String,
    pub value: String,
}

/// The Deployment's revisions, oldest first.
pub async fn history(client: &Client, namespace: &str, deployment: &str) -> Result<Vec<Revision>> {
    let (deploy, replica_sets) = load(client, namespace, deployment).await?;
    Ok(revisions(&deploy, &replica_sets))
}

/// `kubectl rollout undo --to-revision`: puts the chosen revision's pod template back
/// into the Deployment; the controller then rolls the pods and numbers it anew.
/// Returns the revision rolled back to, as it was before the rollback.
pub async fn rollback(
    client: &Client,
    namespace: &str,
    deployment: &str,
    to_revision: i64,
) -> Result<Revision> {
    let (deploy, replica_sets) = load(client, namespace, deployment).await?;
    if deploy.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
        return Err(Error::Paused {
            name: deployment.to_owned(),
        });
    }
    let revisions = revisions(&deploy, &replica_sets);
    let Some(target) = revisions
        .iter()
        .find(|r| r.revision == to_revision)
        .cloned()
    else {
        let known: Vec<String> = revisions.iter().map(|r| r.revision.to_string()).collect();
        let available = if known.is_empty() {
            "없음".to_owned()
        } else {
            known.join(", ")
        };
        return Err(Error::RevisionNotFound {
            revision: to_revision,
            available,
        });
    };
    // `revisions` only lists ReplicaSets that exist, so this finds it.
    let Some(rs) = replica_sets
        .iter()
        .find(|rs| rs.name_any() == target.replica_set)
    else {
        return Err(Error::RevisionNotFound {
            revision: to_revision,
            available: String::new(),
        });
    };
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..Default::default()
    };
    Api::<Deployment>::namespaced(client.clone(), namespace)
        .patch(deployment, &params, &Patch::Strategic(rollback_patch(rs)))
        .await
        .map_err(|e| {
            Error::kube(
                format!("Deployment {namespace}/{deployment} 롤백 (리비전 {to_revision})"),
                e,
            )
        })?;
    tracing::info!(%namespace, %deployment, to_revision, "rolled back");
    Ok(target)
}

async fn load(
    client: &Client,
    namespace: &str,
    deployment: &str,
) -> Result<(Deployment, Vec<ReplicaSet>)> {
    let deploy = Api::<Deployment>::namespaced(client.clone(), namespace)
        .get(deployment)
        .await
        .map_err(|e| Error::kube(format!("Deployment {namespace}/{deployment} 조회"), e))?;
    // Narrow the list by the Deployment's selector; ownership is checked afterwards.
    let selector = deploy
        .spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref())
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let replica_sets = Api::<ReplicaSet>::namespaced(client.clone(), namespace)
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| Error::kube(format!("ReplicaSet 목록 조회 ({namespace})"), e))?;
    Ok((deploy, replica_sets.items))
}

/// The ReplicaSets this Deployment controls (another Deployment's could share labels).
fn owned_by<'a>(deploy: &Deployment, replica_sets: &'a [ReplicaSet]) -> Vec<&'a ReplicaSet> {
    let uid = deploy.metadata.uid.as_deref();
    replica_sets
        .iter()
        .filter(|rs| {
            rs.owner_references()
                .iter()
                .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid)
        })
        .collect()
}

/// Pure: the revisions among `replica_sets` that belong to `deploy`, oldest first.
pub fn revisions(deploy: &Deployment, replica_sets: &[ReplicaSet]) -> Vec<Revision> {
    let current = deploy
        .annotations()
        .get(REVISION_ANNOTATION)
        .and_then(|r| r.parse::<i64>().ok());
    let mut out: Vec<Revision> = owned_by(deploy, replica_sets)
        .into_iter()
        .filter_map(|rs| describe(rs, current))
        .collect();
    out.sort_by_key(|r| r.revision);
    out
}

/// `None` for a ReplicaSet without a revision (not made by a Deployment controller).
fn describe(rs: &ReplicaSet, current: Option<i64>) -> Option<Revision> {
    let revision = rs.annotations().get(REVISION_ANNOTATION)?.parse().ok()?;
    let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    let container = template
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.first());
    let status = rs.status.as_ref();
    Some(Revision {
        revision,
        replica_set: rs.name_any(),
        image: container.and_then(|c| c.image.clone()),
        config_checksum: template
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get("checksum/config").cloned()),
        env: container
            .and_then(|c| c.env.as_ref())
            .into_iter()
            .flatten()
            .map(env_entry)
            .collect(),
        replicas: status.map_or(0, |s| s.replicas),
        ready_replicas: status.and_then(|s| s.ready_replicas).unwrap_or(0),
        created: rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
        current: current == Some(revision),
    })
}

fn env_entry(e: &k8s_openapi::api::core::v1::EnvVar) -> EnvEntry {
    let from = e.value_from.as_ref();
    let value = match (&e.value, from) {
        (Some(v), _) => v.clone(),
        (None, Some(f)) => {
            if let Some(r) = &f.field_ref {
                format!("fieldRef: {}", r.field_path)
            } else if let Some(r) = &f.config_map_key_ref {
                format!("configMapKeyRef: {}/{}", r.name, r.key)
            } else if let Some(r) = &f.secret_key_ref {
                format!("secretKeyRef: {}/{}", r.name, r.key)
            } else if let Some(r) = &f.resource_field_ref {
                format!("resourceFieldRef: {}", r.resource)
            } else {
                "valueFrom".to_owned()
            }
        }
        (None, None) => String::new(),
    };
    EnvEntry {
        name: e.name.clone(),
        value,
    }
}

/// Pure: the strategic merge patch that makes a Deployment's pod template exactly the
/// ReplicaSet's. `$patch: replace` swaps the whole template, so keys that only the newer
/// template had (an extra annotation, say) do not survive the rollback.
pub fn rollback_patch(rs: &ReplicaSet) -> serde_json::Value {
    let mut template: PodTemplateSpec = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let mut template = serde_json::to_value(template).unwrap_or_else(|_| json!({}));
    if let Some(map) = template.as_object_mut() {
        map.insert("$patch".into(), json!("replace"));
    }
    json!({ "spec": { "template": template } })
}
