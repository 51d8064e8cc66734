//! Names and labels of a release's objects, as `_helpers.tpl` defines them.

use std::collections::BTreeMap;

use crate::cluster::values::{ChartMeta, Values};

/// `app.kubernetes.io/managed-by`. Helm's own word on purpose: the label is part of the
/// ConfigMap text whose sha256 is the pod template's `checksum/config`, so any other
/// value would make the portal and `helm upgrade` disagree on the pod template and roll
/// the pods whenever a learner switches between them. Who really applied an object is
/// recorded anyway, as the field manager `hello-k8s-portal` in `managedFields`.
pub const MANAGED_BY: &str = "Helm";

/// The tutorial's Helm release name: every learner's objects belong to it.
pub const RELEASE: &str = "hello";

/// The object names of a release, as `_helpers.tpl` computes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseNames {
    pub namespace: String,
    /// Deployment, Service and Ingress.
    pub fullname: String,
    pub config_map: String,
    /// The canary Deployment beside the release's own (appendix A-3).
    pub canary: String,
}

impl ReleaseNames {
    pub fn new(namespace: &str, release: &str, chart: &ChartMeta) -> Self {
        let fullname = fullname(release, &chart.name);
        Self {
            namespace: namespace.to_owned(),
            config_map: format!("{fullname}-config"),
            canary: format!("{fullname}-canary"),
            fullname,
        }
    }
}

/// `hello-world.fullname`: the release name alone if it already contains the chart name,
/// else `<release>-<chart>`; at most 63 bytes without a trailing '-'.
pub fn fullname(release: &str, chart_name: &str) -> String {
    let name = if release.contains(chart_name) {
        release.to_owned()
    } else {
        format!("{release}-{chart_name}")
    };
    let mut cut = name.len().min(63);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let name = &name[..cut];
    name.strip_suffix('-').unwrap_or(name).to_owned()
}

/// `hello-world.selectorLabels`: never changes for a release, so Deployments can upgrade.
pub fn selector_labels(release: &str, chart: &ChartMeta) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_owned(), chart.name.clone()),
        ("app.kubernetes.io/instance".to_owned(), release.to_owned()),
    ])
}

/// `hello-world.labels`: selector labels plus version and management.
pub fn labels(values: &Values, release: &str, chart: &ChartMeta) -> BTreeMap<String, String> {
    let mut labels = selector_labels(release, chart);
    labels.insert(
        "app.kubernetes.io/version".into(),
        values.app.version.clone(),
    );
    labels.insert("app.kubernetes.io/managed-by".into(), MANAGED_BY.into());
    labels.insert(
        "helm.sh/chart".into(),
        format!("{}-{}", chart.name, chart.version),
    );
    labels
}
