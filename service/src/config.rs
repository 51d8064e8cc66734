//! Settings from the environment. In Kubernetes they arrive from the chart's ConfigMap
//! (`APP_ENV`, `APP_VERSION`, `LOG_LEVEL`) and the Downward API (`POD_NAME`).

use std::time::Duration;

use crate::{Error, Result};

/// The chart gives the pod 45 s in all; 10 s go to the preStop sleep, so the app must be
/// done well within the remaining 35 s.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

// region: config
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    pub app_env: String,
    pub app_version: String,
    pub log_level: String,
    pub pod_name: String,
    pub drain_timeout: Duration,
}
// endregion: config

impl Config {
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds the settings from any key lookup, so tests need not touch the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let or = |key: &str, default: &str| get(key).unwrap_or_else(|| default.to_owned());
        let port = match get("PORT") {
            None => 8080,
            Some(raw) => raw
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    Error::invalid(
                        "PORT",
                        format!("1~65535 사이의 정수여야 합니다 (받은 값: {raw})"),
                    )
                })?,
        };
        let drain_timeout = match get("DRAIN_TIMEOUT_SECONDS") {
            None => DEFAULT_DRAIN_TIMEOUT,
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 300)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    Error::invalid(
                        "DRAIN_TIMEOUT_SECONDS",
                        format!("0~300 사이의 정수여야 합니다 (받은 값: {raw})"),
                    )
                })?,
        };
        Ok(Self {
            port,
            app_env: or("APP_ENV", "local"),
            app_version: or("APP_VERSION", "1.0.0"),
            log_level: or("LOG_LEVEL", "info"),
            pod_name: or("POD_NAME", "unknown"),
            drain_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_tutorial() {
        let c = with(&[]).unwrap();
        assert_eq!(
            (c.port, c.app_env.as_str(), c.app_version.as_str()),
            (8080, "local", "1.0.0")
        );
        assert_eq!(
            (c.log_level.as_str(), c.pod_name.as_str()),
            ("info", "unknown")
        );
        assert_eq!(c.drain_timeout, DEFAULT_DRAIN_TIMEOUT);
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert!(with(&[("PORT", "http")]).is_err());
        assert!(with(&[("PORT", "0")]).is_err());
        assert!(with(&[("PORT", "70000")]).is_err());
        assert!(with(&[("DRAIN_TIMEOUT_SECONDS", "-1")]).is_err());
        assert_eq!(
            with(&[("DRAIN_TIMEOUT_SECONDS", "5")])
                .unwrap()
                .drain_timeout,
            Duration::from_secs(5)
        );
    }
}
