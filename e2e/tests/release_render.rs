//! The portal installs the tutorial's release without helm, so its rendering must be
//! what `helm template hello deploy/helm/hello-world …` prints: the same objects, field
//! for field, including the `checksum/config` helm computes from the ConfigMap text.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use e2e::{Tools, chart_dir};
use portal::cluster::release::{Rendered, render};
use portal::cluster::values::{ChartMeta, Overrides, Values};
use serde::Deserialize;
use serde_json::Value;

/// helm's objects, YAML turned into JSON, normalised and sorted.
fn helm(extra: &[&str]) -> Vec<Value> {
    let chart = chart_dir();
    let mut args = vec!["template", "hello", chart.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    let yaml = Tools.helm(&args).expect("helm template");
    let docs = serde_norway::Deserializer::from_str(&yaml)
        .map(|doc| Value::deserialize(doc).expect("helm prints YAML"));
    sorted(docs.filter(|d| !d.is_null()).collect())
}

/// The portal's objects for the same input, as they would be sent to the API server.
fn portal(values: &Values) -> Vec<Value> {
    let meta = ChartMeta::load(&chart_dir()).expect("Chart.yaml");
    let Rendered {
        namespace,
        config_map,
        deployment,
        service,
        ingress,
    } = render(values, "hello", &meta);
    let mut objects = vec![
        serde_json::to_value(namespace).expect("JSON"),
        serde_json::to_value(config_map).expect("JSON"),
        serde_json::to_value(deployment).expect("JSON"),
        serde_json::to_value(service).expect("JSON"),
    ];
    objects.extend(ingress.map(|i| serde_json::to_value(i).expect("JSON")));
    sorted(objects)
}

/// Nulls, empty maps and empty lists mean "unset" to the API server on both sides.
fn normalise(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Object(map) => {
            let map: serde_json::Map<_, _> = map
                .into_iter()
                .filter_map(|(k, v)| Some((k, normalise(v)?)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Value::Array(items) => {
            let items: Vec<_> = items.into_iter().filter_map(normalise).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other),
    }
}

fn sorted(objects: Vec<Value>) -> Vec<Value> {
    let mut objects: Vec<Value> = objects.into_iter().filter_map(normalise).collect();
    let key = |o: &Value| {
        format!(
            "{}/{}",
            o["kind"].as_str().unwrap_or(""),
            o["metadata"]["name"].as_str().unwrap_or("")
        )
    };
    objects.sort_by_key(key);
    objects
}

fn assert_same(case: &str, portal: Vec<Value>, helm: Vec<Value>) {
    let kinds = |objs: &[Value]| {
        objs.iter()
            .map(|o| o["kind"].as_str().unwrap_or("?").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&portal), kinds(&helm), "{case}: different objects");
    for (mine, theirs) in portal.iter().zip(&helm) {
        assert!(
            mine == theirs,
            "{case}: {} differs\n--- portal\n{}\n--- helm\n{}",
            mine["kind"],
            serde_json::to_string_pretty(mine).unwrap_or_default(),
            serde_json::to_string_pretty(theirs).unwrap_or_default()
        );
    }
}

fn values(files: &[&str]) -> Values {
    let files: Vec<_> = files.iter().map(|f| chart_dir().join(f)).collect();
    Values::load(&chart_dir(), &files).expect("values files")
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn default_values_render_like_helm() {
    assert_same("defaults", portal(&values(&[])), helm(&[]));
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn environment_files_render_like_helm() {
    for file in ["values-dev.yaml", "values-prod.yaml"] {
        let path = chart_dir().join(file);
        assert_same(
            file,
            portal(&values(&[file])),
            helm(&["-f", path.to_str().unwrap()]),
        );
    }
    let both = [
        chart_dir().join("values-dev.yaml"),
        chart_dir().join("values-prod.yaml"),
    ];
    let helm_both = helm(&[
        "-f",
        both[0].to_str().unwrap(),
        "-f",
        both[1].to_str().unwrap(),
    ]);
    assert_same(
        "dev then prod",
        portal(&values(&["values-dev.yaml", "values-prod.yaml"])),
        helm_both,
    );
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn the_lessons_upgrade_renders_like_helm() {
    let upgrade = Overrides {
        image_tag: Some("2.0.0".into()),
        app_version: Some("2.0.0".into()),
        ..Default::default()
    };
    let v2 = values(&[])
        .with_overrides(&upgrade, &["1.0.0".into(), "2.0.0".into()])
        .unwrap();
    assert_same(
        "2.0.0",
        portal(&v2),
        helm(&["--set", "image.tag=2.0.0", "--set", "app.version=2.0.0"]),
    );
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn every_panel_override_renders_like_the_matching_set_flags() {
    let overrides = Overrides {
        image_tag: None,
        replicas: Some(4),
        log_level: Some("warning".parse().unwrap()),
        app_env: Some("staging".into()),
        app_version: Some("1.2.3-rc.1".into()),
        pre_stop_seconds: Some(0),
        grace_seconds: Some(5),
    };
    let v = values(&["values-dev.yaml"])
        .with_overrides(&overrides, &[])
        .unwrap();
    let dev = chart_dir().join("values-dev.yaml");
    let flags = [
        "-f",
        dev.to_str().unwrap(),
        "--set",
        "replicaCount=4",
        "--set",
        "config.logLevel=warning",
        "--set",
        "config.appEnv=staging",
        "--set",
        "app.version=1.2.3-rc.1",
        "--set",
        "gracefulShutdown.preStopSleepSeconds=0",
        "--set",
        "gracefulShutdown.terminationGracePeriodSeconds=5",
    ];
    assert_same("panel overrides", portal(&v), helm(&flags));

    let mut no_ingress = values(&[]);
    no_ingress.ingress.enabled = false;
    no_ingress.namespace = "hk-release-test".into();
    assert_same(
        "no ingress, other namespace",
        portal(&no_ingress),
        helm(&[
            "--set",
            "ingress.enabled=false",
            "--set",
            "namespace=hk-release-test",
        ]),
    );
}
