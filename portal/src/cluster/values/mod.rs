//! The chart's inputs: `Chart.yaml` and `values.yaml`, read from the chart directory at
//! start-up (the chart stays the single source of truth; nothing is copied into code),
//! plus helm's `-f` layering and the few overrides a lesson panel may offer.

mod overrides;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use super::{Error, Result};

pub use overrides::{APP_ENVS, LogLevel, MAX_REPLICAS, Overrides};

/// The chart the release panels install, read once at start-up.
#[derive(Debug)]
pub struct Chart {
    pub meta: ChartMeta,
    pub values: Values,
    pub dir: PathBuf,
}

/// `Chart.yaml`: only what the templates use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMeta {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub app_version: Option<String>,
}

impl ChartMeta {
    pub fn from_yaml(text: &str) -> Result<Self> {
        serde_norway::from_str(text).map_err(|source| Error::Yaml {
            what: "Chart.yaml".into(),
            source,
        })
    }

    pub fn load(chart_dir: &Path) -> Result<Self> {
        Self::from_yaml(&read(&chart_dir.join("Chart.yaml"))?)
    }
}

/// `values.yaml`, typed. Field names follow the chart (camelCase in YAML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Values {
    pub replica_count: i32,
    pub image: Image,
    pub namespace: String,
    pub service: ServiceValues,
    pub ingress: IngressValues,
    pub resources: Resources,
    pub probes: Probes,
    pub graceful_shutdown: GracefulShutdown,
    pub config: AppConfig,
    pub app: App,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub repository: String,
    #[serde(deserialize_with = "scalar")]
    pub tag: String,
    pub pull_policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceValues {
    #[serde(rename = "type")]
    pub type_: String,
    pub port: i32,
    pub target_port: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressValues {
    pub enabled: bool,
    pub class_name: String,
    pub host: String,
}

/// Passed to the container as is (`toYaml`), so any resource name is allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default, deserialize_with = "scalar_map")]
    pub requests: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "scalar_map")]
    pub limits: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probes {
    pub liveness: ProbeValues,
    pub readiness: ProbeValues,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeValues {
    pub path: String,
    pub initial_delay_seconds: i32,
    pub period_seconds: i32,
    pub failure_threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GracefulShutdown {
    pub termination_grace_period_seconds: i64,
    pub pre_stop_sleep_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    #[serde(deserialize_with = "scalar")]
    pub app_env: String,
    #[serde(deserialize_with = "scalar")]
    pub log_level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    #[serde(deserialize_with = "scalar")]
    pub version: String,
}

impl Values {
    /// `values.yaml` followed by override layers, later ones winning, as
    /// `helm template -f a.yaml -f b.yaml` does. Each layer is `(name for errors, text)`.
    pub fn from_yaml_layers(base: &str, layers: &[(&str, &str)]) -> Result<Self> {
        let mut merged = parse_layer("values.yaml", base)?;
        for (name, text) in layers {
            merge(&mut merged, parse_layer(name, text)?);
        }
        serde_json::from_value(merged).map_err(|source| Error::ValuesShape {
            what: describe(layers),
            source,
        })
    }

    pub fn from_yaml(text: &str) -> Result<Self> {
        Self::from_yaml_layers(text, &[])
    }

    /// Reads `<chart_dir>/values.yaml` and then each file in `value_files` (paths as
    /// given, e.g. `<chart_dir>/values-dev.yaml`).
    pub fn load(chart_dir: &Path, value_files: &[PathBuf]) -> Result<Self> {
        let base = read(&chart_dir.join("values.yaml"))?;
        let texts = value_files
            .iter()
            .map(|p| Ok((p.display().to_string(), read(p)?)))
            .collect::<Result<Vec<_>>>()?;
        let layers: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Self::from_yaml_layers(&base, &layers)
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
        path: path.to_owned(),
        source,
    })
}

fn describe(layers: &[(&str, &str)]) -> String {
    std::iter::once("values.yaml")
        .chain(layers.iter().map(|(n, _)| *n))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// An empty or comment-only file is an empty map to helm, not an error.
fn parse_layer(name: &str, text: &str) -> Result<Json> {
    let value: Option<Json> = serde_norway::from_str(text).map_err(|source| Error::Yaml {
        what: name.to_owned(),
        source,
    })?;
    match value {
        None | Some(Json::Null) => Ok(Json::Object(Default::default())),
        Some(v @ Json::Object(_)) => Ok(v),
        Some(_) => Err(Error::InvalidValue {
            field: "values",
            message: format!("{name} 의 최상위는 맵이어야 합니다"),
        }),
    }
}

/// helm's coalescing: maps merge key by key, anything else replaces, and an explicit
/// `null` deletes the key from what came before.
fn merge(base: &mut Json, overlay: Json) {
    match (base, overlay) {
        (Json::Object(base), Json::Object(overlay)) => {
            for (key, value) in overlay {
                if value.is_null() {
                    base.remove(&key);
                    continue;
                }
                match base.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Strings in the templates may be written unquoted in YAML (`tag: 2`); helm prints
/// them the same either way, so numbers and booleans are accepted as text.
fn scalar<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    scalar_text(Json::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn scalar_map<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<String, String>, D::Error> {
    let map = Option::<BTreeMap<String, Json>>::deserialize(d)?.unwrap_or_default();
    map.into_iter()
        .map(|(k, v)| Ok((k, scalar_text(v).map_err(serde::de::Error::custom)?)))
        .collect()
}

fn scalar_text(value: Json) -> std::result::Result<String, String> {
    match value {
        Json::String(s) => Ok(s),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        other => Err(format!("문자열이나 숫자여야 합니다: {other}")),
    }
}
