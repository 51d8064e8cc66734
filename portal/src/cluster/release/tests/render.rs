use serde_json::{Value, json};

use super::chart;
use crate::cluster::release::checksum::go_quote;
use crate::cluster::release::{config_checksum, configmap_text, fullname, render};
use crate::cluster::values::Overrides;

/// What `helm template hello deploy/helm/hello-world …` prints for `checksum/config`
/// (pinned from helm 4.1; `e2e/tests/release_render.rs` re-checks against live helm).
const HELM_DEFAULT: &str = "c9b51c7b846a8fb2166a3c7628769763b93582d95a4ffd03166d77249dd3a37f";
const HELM_DEV: &str = "9565cc18268c76dd0dbbb348ba0c48fa76a9e892ffd924d60e9d4de1fe11a631";
const HELM_PROD: &str = "fb9e4a01cd63120f13cda511f38e01946948ff6241fccef7831619ff8a0417bc";
const HELM_V2: &str = "e8161a4653e19d1b0f9660a2b545c54a9fb4f5b6af02efc3a45e9c1e5f72b794";

fn json_of<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

#[test]
fn default_values_render_the_tutorials_objects() {
    let (values, meta) = chart(None);
    let r = render(&values, "hello", &meta);
    let labels = json!({
        "app.kubernetes.io/name": "hello-world",
        "app.kubernetes.io/instance": "hello",
        "app.kubernetes.io/version": "1.0.0",
        "app.kubernetes.io/managed-by": "Helm",
        "helm.sh/chart": "hello-world-0.1.0",
    });
    let selector =
        json!({"app.kubernetes.io/name": "hello-world", "app.kubernetes.io/instance": "hello"});

    assert_eq!(
        json_of(&r.namespace),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "hello", "labels": labels}})
    );
    assert_eq!(
        json_of(&r.config_map),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "hello-hello-world-config", "namespace": "hello", "labels": labels},
               "data": {"APP_ENV": "production", "APP_VERSION": "1.0.0", "LOG_LEVEL": "info"}})
    );

    let d = json_of(&r.deployment);
    assert_eq!(
        (d["apiVersion"].clone(), d["kind"].clone()),
        (json!("apps/v1"), json!("Deployment"))
    );
    assert_eq!(
        d["metadata"],
        json!({"name": "hello-hello-world", "namespace": "hello", "labels": labels})
    );
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(
        d["spec"]["strategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    );
    assert_eq!(d["spec"]["selector"], json!({"matchLabels": selector}));
    assert_eq!(
        d["spec"]["template"]["metadata"],
        json!({"labels": selector, "annotations": {"checksum/config": HELM_DEFAULT}})
    );
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 45);
    assert_eq!(
        pod["containers"],
        json!([{
            "name": "hello-world",
            "image": "hello-world:1.0.0",
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "envFrom": [{"configMapRef": {"name": "hello-hello-world-config"}}],
            "env": [{"name": "PORT", "value": "8080"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            "livenessProbe": {"httpGet": {"path": "/health/live", "port": "http"}, "initialDelaySeconds": 10, "periodSeconds": 10, "failureThreshold": 3},
            "readinessProbe": {"httpGet": {"path": "/health/ready", "port": "http"}, "initialDelaySeconds": 5, "periodSeconds": 5, "failureThreshold": 3},
            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "10"]}}},
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}},
        }])
    );

    assert_eq!(
        json_of(&r.service)["spec"],
        json!({"type": "ClusterIP", "selector": selector, "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]})
    );
    let ingress = json_of(&r.ingress.expect("ingress enabled by default"));
    assert_eq!(
        ingress["spec"],
        json!({"ingressClassName": "nginx", "rules": [{"host": "hello.local", "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": "hello-hello-world", "port": {"name": "http"}}}}]}}]})
    );
}

#[test]
fn checksums_equal_helms_for_every_values_file() {
    let (values, meta) = chart(None);
    assert_eq!(config_checksum(&values, "hello", &meta), HELM_DEFAULT);
    let (dev, _) = chart(Some("values-dev.yaml"));
    assert_eq!(config_checksum(&dev, "hello", &meta), HELM_DEV);
    let (prod, _) = chart(Some("values-prod.yaml"));
    assert_eq!(config_checksum(&prod, "hello", &meta), HELM_PROD);
    let v2 = Overrides {
        image_tag: Some("2.0.0".into()),
        app_version: Some("2.0.0".into()),
        ..Default::default()
    };
    let v2 = values.with_overrides(&v2, &["2.0.0".into()]).unwrap();
    assert_eq!(config_checksum(&v2, "hello", &meta), HELM_V2);
}

#[test]
fn the_hashed_text_is_the_template_with_its_region_comments() {
    let (values, meta) = chart(None);
    let text = configmap_text(&values, "hello", &meta);
    assert!(
        text.starts_with("# region: configmap\napiVersion: v1\n"),
        "{text}"
    );
    assert!(
        text.ends_with("  LOG_LEVEL: \"info\"\n# endregion: configmap\n"),
        "{text}"
    );
    // Every literal line of the chart's template appears in the text, in order.
    let template = std::fs::read_to_string(
        crate::cluster::testing::chart_dir().join("templates/configmap.yaml"),
    )
    .unwrap();
    let literal: Vec<&str> = template.lines().filter(|l| !l.contains("{{")).collect();
    let rendered: Vec<&str> = text.lines().filter(|l| literal.contains(l)).collect();
    assert_eq!(rendered, literal);
}

#[test]
fn environment_files_change_the_objects() {
    let (dev, meta) = chart(Some("values-dev.yaml"));
    let r = render(&dev, "hello", &meta);
    assert_eq!(r.deployment.spec.as_ref().unwrap().replicas, Some(1));
    assert_eq!(r.config_map.data.as_ref().unwrap()["LOG_LEVEL"], "debug");
    let container = json_of(&r.deployment)["spec"]["template"]["spec"]["containers"][0].clone();
    assert_eq!(
        container["resources"],
        json!({"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}})
    );

    let (prod, _) = chart(Some("values-prod.yaml"));
    let r = render(&prod, "hello", &meta);
    assert_eq!(r.deployment.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(r.config_map.data.as_ref().unwrap()["APP_ENV"], "production");

    let mut off = prod.clone();
    off.ingress.enabled = false;
    assert!(render(&off, "hello", &meta).ingress.is_none());
}

#[test]
fn a_config_change_changes_the_pod_template_only_through_the_checksum() {
    let (values, meta) = chart(None);
    let mut debug = values.clone();
    debug.config.log_level = "debug".into();
    let (a, b) = (
        render(&values, "hello", &meta).deployment,
        render(&debug, "hello", &meta).deployment,
    );
    assert_ne!(a, b);
    let annotations = |d: &k8s_openapi::api::apps::v1::Deployment| {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .metadata
            .as_ref()
            .unwrap()
            .annotations
            .clone()
    };
    assert_ne!(annotations(&a), annotations(&b));
    assert_eq!(
        config_checksum(&debug, "hello", &meta),
        "643ff2c52cf50cb56710889c154adf4160fc2926ec4114549ad6f6de0fde5b31"
    );
}

#[test]
fn fullname_follows_the_helper() {
    assert_eq!(fullname("hello", "hello-world"), "hello-hello-world");
    assert_eq!(fullname("my-hello-world", "hello-world"), "my-hello-world");
    let long = "a".repeat(62) + "-b";
    assert_eq!(
        fullname(&long, "hello-world"),
        "a".repeat(62),
        "63 bytes, then the trailing '-' goes"
    );
}

#[test]
fn quote_is_gos_strconv_quote() {
    assert_eq!(go_quote("1.0.0"), "\"1.0.0\"");
    assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_eq!(
        go_quote("tab\there\nnl\u{1}\u{7f}"),
        "\"tab\\there\\nnl\\x01\\x7f\""
    );
    assert_eq!(go_quote("한글 ok"), "\"한글 ok\"");
    assert_eq!(go_quote("\u{a0}\u{85}"), "\"\\u00a0\\u0085\"");
}
