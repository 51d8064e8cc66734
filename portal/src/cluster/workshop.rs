//! Workshop namespaces: one per learner, built from a template the API server enforces —
//! a ServiceAccount whose Role reaches only its namespace (the portal impersonates it
//! for every call made for the learner), a ResourceQuota and LimitRange sized for the
//! tutorial, and a NetworkPolicy that keeps other namespaces out. Built by pure
//! functions, applied with server-side apply.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
    ServiceAccount,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::{Client, ResourceExt};

use super::release::FIELD_MANAGER;
use super::{Error, Result};

/// Every learner namespace carries it, with the learner's id as value.
pub const LEARNER_LABEL: &str = "hello-k8s.dev/learner";
/// The ServiceAccount the portal impersonates in a learner namespace.
pub const LEARNER_SA: &str = "learner";

/// The user name the API server sees when the portal acts for the learner of `ns`.
pub fn learner_user(ns: &str) -> String {
    format!("system:serviceaccount:{ns}:{LEARNER_SA}")
}

fn meta(ns: &str, name: &str, learner: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(ns.to_owned()),
        labels: Some(labels(learner)),
        ..Default::default()
    }
}

fn labels(learner: &str) -> BTreeMap<String, String> {
    [
        (LEARNER_LABEL.to_owned(), learner.to_owned()),
        (
            "app.kubernetes.io/managed-by".to_owned(),
            "hello-k8s-portal".to_owned(),
        ),
    ]
    .into()
}

fn quantities(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Quantity((*v).to_owned())))
        .collect()
}

/// Everything a learner namespace is made of.
#[derive(Debug, Clone)]
pub struct Template {
    pub namespace: Namespace,
    pub quota: ResourceQuota,
    pub limits: LimitRange,
    pub account: ServiceAccount,
    /// The namespaced Role, unless the learners are bound to a ClusterRole made by the
    /// portal's chart (then the portal needs only `bind` on that one, not every right).
    pub role: Option<Role>,
    pub binding: RoleBinding,
    pub policy: NetworkPolicy,
}

/// The tutorial needs at most 3 replicas (values-prod) plus one surge pod at
/// 200m/256Mi requests and 500m/512Mi limits, and pods in their 10 s preStop still
/// count; the quota leaves room for that and not for 10 replicas.
pub fn template(ns: &str, learner: &str, cluster_role: Option<&str>) -> Template {
    let mut namespace = Namespace {
        metadata: meta(ns, ns, learner),
        ..Default::default()
    };
    namespace.metadata.namespace = None;
    // Pod Security (1.23+; ignored by older API servers): the tutorial's chart runs as
    // `baseline` allows, so that is enforced; `restricted` is only warned about, since the
    // chart the lessons teach sets no securityContext.
    let labels = namespace
        .metadata
        .labels
        .get_or_insert_with(Default::default);
    for (key, level) in [
        ("pod-security.kubernetes.io/enforce", "baseline"),
        ("pod-security.kubernetes.io/warn", "restricted"),
    ] {
        labels.insert(key.to_owned(), level.to_owned());
    }
    Template {
        namespace,
        quota: ResourceQuota {
            metadata: meta(ns, "learner-quota", learner),
            spec: Some(ResourceQuotaSpec {
                hard: Some(quantities(&[
                    ("pods", "8"),
                    ("requests.cpu", "1500m"),
                    ("requests.memory", "2Gi"),
                    ("limits.cpu", "4"),
                    ("limits.memory", "4Gi"),
                    ("services", "4"),
                    ("configmaps", "10"),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        },
        limits: LimitRange {
            metadata: meta(ns, "learner-limits", learner),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".into(),
                    default: Some(quantities(&[("cpu", "250m"), ("memory", "256Mi")])),
                    default_request: Some(quantities(&[("cpu", "100m"), ("memory", "128Mi")])),
                    max: Some(quantities(&[("cpu", "1"), ("memory", "1Gi")])),
                    ..Default::default()
                }],
            }),
        },
        account: ServiceAccount {
            metadata: meta(ns, LEARNER_SA, learner),
            automount_service_account_token: Some(false),
            ..Default::default()
        },
        role: cluster_role.is_none().then(|| Role {
            metadata: meta(ns, "learner", learner),
            rules: Some(rules()),
        }),
        binding: RoleBinding {
            metadata: meta(ns, "learner", learner),
            // A RoleBinding to a ClusterRole still grants only inside this namespace.
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: if cluster_role.is_some() {
                    "ClusterRole"
                } else {
                    "Role"
                }
                .into(),
                name: cluster_role.unwrap_or("learner").into(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: LEARNER_SA.into(),
                namespace: Some(ns.to_owned()),
                ..Default::default()
            }]),
        },
        policy: NetworkPolicy {
            metadata: meta(ns, "learner-isolation", learner),
            // Pods take traffic only from their own namespace (the portal comes in
            // through the API server's proxy, which is not a pod).
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Ingress".into()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![NetworkPolicyPeer {
                        pod_selector: Some(LabelSelector::default()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        },
    }
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    PolicyRule {
        api_groups: Some(own(groups)),
        resources: Some(own(resources)),
        verbs: own(verbs),
        ..Default::default()
    }
}

/// What the tutorial does in its namespace, and nothing outside it.
fn rules() -> Vec<PolicyRule> {
    let all = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    vec![
        rule(&["apps"], &["deployments", "replicasets"], &all),
        rule(
            &["apps"],
            &["deployments/scale"],
            &["get", "update", "patch"],
        ),
        rule(&[""], &["pods", "services", "configmaps"], &all),
        rule(
            &[""],
            &[
                "pods/log",
                "endpoints",
                "events",
                "resourcequotas",
                "limitranges",
            ],
            &["get", "list", "watch"],
        ),
        rule(&[""], &["pods/proxy", "services/proxy"], &["get", "create"]),
        rule(&["networking.k8s.io"], &["ingresses"], &all),
        rule(&["metrics.k8s.io"], &["pods"], &["get", "list"]),
    ]
}

/// Creates or updates the learner's namespace and everything in it.
pub async fn provision(client: &Client, t: &Template) -> Result<()> {
    let ns = t.namespace.name_any();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let fail = |what: &str| {
        let what = format!("{what} {ns} 준비");
        move |e| Error::kube(what, e)
    };
    Api::<Namespace>::all(client.clone())
        .patch(&ns, &params, &Patch::Apply(&t.namespace))
        .await
        .map_err(fail("Namespace"))?;
    let c = || client.clone();
    Api::<ResourceQuota>::namespaced(c(), &ns)
        .patch(&t.quota.name_any(), &params, &Patch::Apply(&t.quota))
        .await
        .map_err(fail("ResourceQuota"))?;
    Api::<LimitRange>::namespaced(c(), &ns)
        .patch(&t.limits.name_any(), &params, &Patch::Apply(&t.limits))
        .await
        .map_err(fail("LimitRange"))?;
    Api::<ServiceAccount>::namespaced(c(), &ns)
        .patch(LEARNER_SA, &params, &Patch::Apply(&t.account))
        .await
        .map_err(fail("ServiceAccount"))?;
    if let Some(role) = &t.role {
        Api::<Role>::namespaced(c(), &ns)
            .patch(&role.name_any(), &params, &Patch::Apply(role))
            .await
            .map_err(fail("Role"))?;
    }
    Api::<RoleBinding>::namespaced(c(), &ns)
        .patch(&t.binding.name_any(), &params, &Patch::Apply(&t.binding))
        .await
        .map_err(fail("RoleBinding"))?;
    Api::<NetworkPolicy>::namespaced(c(), &ns)
        .patch(&t.policy.name_any(), &params, &Patch::Apply(&t.policy))
        .await
        .map_err(fail("NetworkPolicy"))?;
    tracing::info!(namespace = %ns, "learner namespace ready");
    Ok(())
}

/// Deletes a learner namespace (everything in it goes with it). `Ok(false)` if absent.
pub async fn remove(client: &Client, ns: &str) -> Result<bool> {
    match Api::<Namespace>::all(client.clone())
        .delete(ns, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(Error::kube(format!("Namespace {ns} 삭제"), e)),
    }
}

/// The learner namespaces that exist now.
pub async fn namespaces(client: &Client) -> Result<Vec<String>> {
    let list = Api::<Namespace>::all(client.clone())
        .list(&ListParams::default().labels(LEARNER_LABEL))
        .await
        .map_err(|e| Error::kube("학습자 네임스페이스 목록", e))?;
    Ok(list.items.iter().map(ResourceExt::name_any).collect())
}

/// `used/hard` of the learner's quota, by resource, for the host dashboard.
pub async fn quota_use(client: &Client, ns: &str) -> Result<Vec<(String, String, String)>> {
    let q = Api::<ResourceQuota>::namespaced(client.clone(), ns)
        .get_opt("learner-quota")
        .await
        .map_err(|e| Error::kube(format!("ResourceQuota {ns} 조회"), e))?;
    let Some(status) = q.and_then(|q| q.status) else {
        return Ok(Vec::new());
    };
    let used = status.used.unwrap_or_default();
    Ok(status
        .hard
        .unwrap_or_default()
        .into_iter()
        .map(|(k, hard)| {
            let u = used.get(&k).map_or_else(|| "0".to_owned(), |q| q.0.clone());
            (k, u, hard.0)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_stays_inside_its_namespace() {
        let t = template("hk-ab12", "ab12", None);
        assert_eq!(t.namespace.metadata.namespace, None);
        assert_eq!(t.namespace.labels()[LEARNER_LABEL], "ab12");
        assert_eq!(
            t.namespace.labels()["pod-security.kubernetes.io/enforce"],
            "baseline"
        );
        for ns in [
            &t.quota.metadata,
            &t.role.as_ref().unwrap().metadata,
            &t.binding.metadata,
            &t.policy.metadata,
        ] {
            assert_eq!(ns.namespace.as_deref(), Some("hk-ab12"));
        }
        let subject = &t.binding.subjects.as_ref().unwrap()[0];
        assert_eq!(
            (subject.name.as_str(), subject.namespace.as_deref()),
            ("learner", Some("hk-ab12"))
        );
        assert_eq!(t.binding.role_ref.kind, "Role", "never a ClusterRole");
        assert_eq!(
            learner_user("hk-ab12"),
            "system:serviceaccount:hk-ab12:learner"
        );
        let rules = t.role.unwrap().rules.unwrap();
        assert!(rules.iter().all(|r| {
            !r.verbs
                .iter()
                .any(|v| v == "*" || v == "escalate" || v == "bind")
        }));
        assert!(!rules.iter().any(|r| {
            r.resources
                .iter()
                .flatten()
                .any(|x| x == "secrets" || x == "namespaces")
        }));
    }

    #[test]
    fn a_chart_made_cluster_role_is_bound_inside_the_namespace() {
        let t = template("hk-ab12", "ab12", Some("portal-learner"));
        assert!(t.role.is_none(), "no Role of its own");
        assert_eq!(t.binding.role_ref.kind, "ClusterRole");
        assert_eq!(t.binding.role_ref.name, "portal-learner");
        // A RoleBinding (never a ClusterRoleBinding): the grant stays in the namespace.
        assert_eq!(t.binding.metadata.namespace.as_deref(), Some("hk-ab12"));
    }

    #[test]
    fn the_quota_fits_the_tutorial_and_not_ten_replicas() {
        let t = template("hk-x", "x", None);
        let hard = t.quota.spec.unwrap().hard.unwrap();
        assert_eq!(
            hard["pods"].0, "8",
            "values-prod's 3 + 1 surge + terminating fit; 10 do not"
        );
        assert_eq!(hard["requests.cpu"].0, "1500m");
    }
}
