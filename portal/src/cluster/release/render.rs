//! `helm template` for the hello-world chart, as pure functions over typed k8s-openapi
//! objects. Each function mirrors one file in `deploy/helm/hello-world/templates/`;
//! `e2e/tests/release_render.rs` compares the result with real helm output.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, Container, ContainerPort, EnvFromSource, EnvVar, EnvVarSource,
    ExecAction, HTTPGetAction, Lifecycle, LifecycleHandler, Namespace, ObjectFieldSelector,
    PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::checksum::config_checksum;
use super::names::{ReleaseNames, labels, selector_labels};
use crate::cluster::values::{ChartMeta, ProbeValues, Values};

/// The container's port name that probes, the Service and the Ingress refer to.
const PORT_NAME: &str = "http";

/// Everything one release consists of, in the order it is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub namespace: Namespace,
    pub config_map: ConfigMap,
    pub deployment: Deployment,
    pub service: Service,
    pub ingress: Option<Ingress>,
}

/// `helm template`: the release's objects for `values`, as helm would render them.
pub fn render(values: &Values, release: &str, chart: &ChartMeta) -> Rendered {
    Rendered {
        namespace: namespace(values, release, chart),
        config_map: config_map(values, release, chart),
        deployment: deployment(values, release, chart),
        service: service(values, release, chart),
        ingress: values
            .ingress
            .enabled
            .then(|| ingress(values, release, chart)),
    }
}

fn metadata(name: String, namespace: Option<&str>, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: namespace.map(str::to_owned),
        labels: Some(labels),
        ..Default::default()
    }
}

/// `templates/namespace.yaml`.
pub fn namespace(values: &Values, release: &str, chart: &ChartMeta) -> Namespace {
    Namespace {
        metadata: metadata(
            values.namespace.clone(),
            None,
            labels(values, release, chart),
        ),
        ..Default::default()
    }
}

/// `templates/configmap.yaml`: the service reads these as environment variables.
pub fn config_map(values: &Values, release: &str, chart: &ChartMeta) -> ConfigMap {
    let names = ReleaseNames::new(&values.namespace, release, chart);
    ConfigMap {
        metadata: metadata(
            names.config_map,
            Some(&values.namespace),
            labels(values, release, chart),
        ),
        data: Some(BTreeMap::from([
            ("APP_ENV".to_owned(), values.config.app_env.clone()),
            ("APP_VERSION".to_owned(), values.app.version.clone()),
            ("LOG_LEVEL".to_owned(), values.config.log_level.clone()),
        ])),
        ..Default::default()
    }
}

/// `templates/deployment.yaml`.
pub fn deployment(values: &Values, release: &str, chart: &ChartMeta) -> Deployment {
    let names = ReleaseNames::new(&values.namespace, release, chart);
    let selector = selector_labels(release, chart);
    // A changed ConfigMap must roll the pods (env is read only at start): helm's trick of
    // hashing the rendered ConfigMap into the pod template, reproduced byte for byte.
    let annotations = BTreeMap::from([(
        "checksum/config".to_owned(),
        config_checksum(values, release, chart),
    )]);
    Deployment {
        metadata: metadata(
            names.fullname,
            Some(&values.namespace),
            labels(values, release, chart),
        ),
        spec: Some(DeploymentSpec {
            replicas: Some(values.replica_count),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::Int(1)),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            selector: LabelSelector {
                match_labels: Some(selector.clone()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(selector),
                    annotations: Some(annotations),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    termination_grace_period_seconds: Some(
                        values.graceful_shutdown.termination_grace_period_seconds,
                    ),
                    containers: vec![container(values, &names.config_map)],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn container(values: &Values, config_map: &str) -> Container {
    let env = |name: &str, value: String| EnvVar {
        name: name.into(),
        value: Some(value),
        ..Default::default()
    };
    let pod_name = EnvVar {
        name: "POD_NAME".into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: "metadata.name".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    Container {
        name: "hello-world".into(),
        image: Some(format!("{}:{}", values.image.repository, values.image.tag)),
        image_pull_policy: Some(values.image.pull_policy.clone()),
        ports: Some(vec![ContainerPort {
            name: Some(PORT_NAME.into()),
            container_port: values.service.target_port,
            // Part of the list's merge key: server-side apply on 1.20 rejects it unset.
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        env_from: Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: config_map.into(),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        env: Some(vec![
            env("PORT", values.service.target_port.to_string()),
            pod_name,
        ]),
        liveness_probe: Some(probe(&values.probes.liveness)),
        readiness_probe: Some(probe(&values.probes.readiness)),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction {
                    command: Some(vec![
                        "sleep".into(),
                        values.graceful_shutdown.pre_stop_sleep_seconds.to_string(),
                    ]),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        resources: Some(ResourceRequirements {
            requests: quantities(&values.resources.requests),
            limits: quantities(&values.resources.limits),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn probe(p: &ProbeValues) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(p.path.clone()),
            port: IntOrString::String(PORT_NAME.into()),
            ..Default::default()
        }),
        initial_delay_seconds: Some(p.initial_delay_seconds),
        period_seconds: Some(p.period_seconds),
        failure_threshold: Some(p.failure_threshold),
        ..Default::default()
    }
}

/// `toYaml` of an empty map gives `{}`, which the API server treats as unset.
fn quantities(map: &BTreeMap<String, String>) -> Option<BTreeMap<String, Quantity>> {
    (!map.is_empty()).then(|| {
        map.iter()
            .map(|(k, v)| (k.clone(), Quantity(v.clone())))
            .collect()
    })
}

/// `templates/service.yaml`.
pub fn service(values: &Values, release: &str, chart: &ChartMeta) -> Service {
    let names = ReleaseNames::new(&values.namespace, release, chart);
    Service {
        metadata: metadata(
            names.fullname,
            Some(&values.namespace),
            labels(values, release, chart),
        ),
        spec: Some(ServiceSpec {
            type_: Some(values.service.type_.clone()),
            selector: Some(selector_labels(release, chart)),
            ports: Some(vec![ServicePort {
                name: Some(PORT_NAME.into()),
                port: values.service.port,
                target_port: Some(IntOrString::String(PORT_NAME.into())),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `templates/ingress.yaml` (only when `ingress.enabled`).
pub fn ingress(values: &Values, release: &str, chart: &ChartMeta) -> Ingress {
    let names = ReleaseNames::new(&values.namespace, release, chart);
    let backend = IngressBackend {
        service: Some(IngressServiceBackend {
            name: names.fullname.clone(),
            port: Some(ServiceBackendPort {
                name: Some(PORT_NAME.into()),
                ..Default::default()
            }),
        }),
        ..Default::default()
    };
    Ingress {
        metadata: metadata(
            names.fullname,
            Some(&values.namespace),
            labels(values, release, chart),
        ),
        spec: Some(IngressSpec {
            ingress_class_name: Some(values.ingress.class_name.clone()),
            rules: Some(vec![IngressRule {
                host: Some(values.ingress.host.clone()),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend,
                    }],
                }),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}
