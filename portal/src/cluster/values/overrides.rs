//! What a lesson panel may change, and only within safe bounds: the learner types into a
//! form, so every value is checked here before it can reach the cluster.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Values;
use crate::cluster::{Error, Result};

/// The upper bound keeps a one-node learning cluster responsive.
pub const MAX_REPLICAS: u8 = 5;

/// The environments the lessons talk about (`APP_ENV`).
pub const APP_ENVS: [&str; 4] = ["development", "staging", "production", "local"];

/// The service's `LOG_LEVEL` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
}

impl LogLevel {
    pub const ALL: [LogLevel; 4] = [Self::Debug, Self::Info, Self::Warning, Self::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LogLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim())
            .ok_or_else(|| Error::InvalidValue {
                field: "config.logLevel",
                message: format!(
                    "'{s}' 은(는) 쓸 수 없습니다 (debug, info, warning, error 중 하나)"
                ),
            })
    }
}

/// The `--set` flags a panel can offer. `None` keeps the chart's value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    pub image_tag: Option<String>,
    pub replicas: Option<u8>,
    pub log_level: Option<LogLevel>,
    pub app_env: Option<String>,
    pub app_version: Option<String>,
    /// `gracefulShutdown.preStopSleepSeconds` (0-30; the shutdown experiment's variant).
    pub pre_stop_seconds: Option<i64>,
    /// `gracefulShutdown.terminationGracePeriodSeconds` (1-120).
    pub grace_seconds: Option<i64>,
}

/// Bounds of the graceful-shutdown settings a panel may set.
pub const MAX_PRE_STOP_SECONDS: i64 = 30;
pub const MAX_GRACE_SECONDS: i64 = 120;

impl Values {
    /// The values with `overrides` applied, or the first problem in Korean. The image
    /// tag must be one the node already has (`allowed_image_tags`, see
    /// [`crate::cluster::images`]): the cluster cannot pull, and an unknown tag would
    /// only leave pods in `ErrImageNeverPull`/`ImagePullBackOff`.
    pub fn with_overrides(
        &self,
        overrides: &Overrides,
        allowed_image_tags: &[String],
    ) -> Result<Values> {
        let mut values = self.clone();
        if let Some(tag) = &overrides.image_tag {
            let tag = tag.trim();
            if !allowed_image_tags.iter().any(|t| t == tag) {
                let available = if allowed_image_tags.is_empty() {
                    "없음".to_owned()
                } else {
                    allowed_image_tags.join(", ")
                };
                return Err(invalid(
                    "image.tag",
                    format!(
                        "노드에 없는 이미지 태그입니다: '{tag}' (쓸 수 있는 태그: {available})"
                    ),
                ));
            }
            values.image.tag = tag.to_owned();
        }
        if let Some(replicas) = overrides.replicas {
            if !(1..=MAX_REPLICAS).contains(&replicas) {
                return Err(invalid(
                    "replicaCount",
                    format!("1 에서 {MAX_REPLICAS} 사이여야 합니다: {replicas}"),
                ));
            }
            values.replica_count = i32::from(replicas);
        }
        if let Some(level) = overrides.log_level {
            values.config.log_level = level.as_str().to_owned();
        }
        if let Some(env) = &overrides.app_env {
            let env = env.trim();
            if !APP_ENVS.contains(&env) {
                return Err(invalid(
                    "config.appEnv",
                    format!(
                        "'{env}' 은(는) 쓸 수 없습니다 ({} 중 하나)",
                        APP_ENVS.join(", ")
                    ),
                ));
            }
            values.config.app_env = env.to_owned();
        }
        if let Some(sleep) = overrides.pre_stop_seconds {
            if !(0..=MAX_PRE_STOP_SECONDS).contains(&sleep) {
                return Err(invalid(
                    "gracefulShutdown.preStopSleepSeconds",
                    format!("0 에서 {MAX_PRE_STOP_SECONDS} 사이여야 합니다: {sleep}"),
                ));
            }
            values.graceful_shutdown.pre_stop_sleep_seconds = sleep;
        }
        if let Some(grace) = overrides.grace_seconds {
            if !(1..=MAX_GRACE_SECONDS).contains(&grace) {
                return Err(invalid(
                    "gracefulShutdown.terminationGracePeriodSeconds",
                    format!("1 에서 {MAX_GRACE_SECONDS} 사이여야 합니다: {grace}"),
                ));
            }
            values.graceful_shutdown.termination_grace_period_seconds = grace;
        }
        if let Some(version) = &overrides.app_version {
            let version = version.trim();
            check_label_value(version).map_err(|message| invalid("app.version", message))?;
            values.app.version = version.to_owned();
        }
        Ok(values)
    }
}

fn invalid(field: &'static str, message: String) -> Error {
    Error::InvalidValue { field, message }
}

/// The version becomes the `app.kubernetes.io/version` label, so it must be a valid
/// label value; checking here gives a clear message instead of the API server's 422.
fn check_label_value(v: &str) -> std::result::Result<(), String> {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if v.is_empty() {
        Err("비어 있습니다".into())
    } else if v.len() > 63 {
        Err(format!("63자를 넘을 수 없습니다 ({}자)", v.len()))
    } else if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Err(format!(
            "영문, 숫자, '-', '_', '.' 만 쓸 수 있습니다: '{v}'"
        ))
    } else if !edge_ok(v.chars().next()) || !edge_ok(v.chars().last()) {
        Err(format!("영문이나 숫자로 시작하고 끝나야 합니다: '{v}'"))
    } else {
        Ok(())
    }
}
