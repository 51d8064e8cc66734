//! `PORTAL_CONFIG=/path/portal.toml`: the same settings as the environment, in a file —
//! the variables' own names as TOML keys (`PORTAL_NAMESPACE = "hello"`). A variable set
//! in the environment wins over the file. Unknown keys and values that are not a string,
//! a number or a boolean are refused, with the file and the key named.

use std::collections::HashMap;
use std::path::Path;

use crate::server::{Error, Result};

/// Every setting the portal reads (README, "포털 설정"). Logging (`RUST_LOG`,
/// `PORTAL_LOG_FORMAT`) starts before the file is read: environment only.
pub const KEYS: [&str; 17] = [
    "PORTAL_ADDR",
    "PORTAL_CONTENT_DIR",
    "PORTAL_REPO_ROOT",
    "PORTAL_SITE_ROOT",
    "PORTAL_DATABASE",
    "PORTAL_SECURE_COOKIES",
    "PORTAL_DEV",
    "PORTAL_NAMESPACE",
    "PORTAL_CHART_DIR",
    "PORTAL_CLUSTER",
    "PORTAL_SESSION_REDIS",
    "PORTAL_WORKSHOP_CODE",
    "PORTAL_HOST_TOKEN",
    "PORTAL_MAX_LEARNERS",
    "PORTAL_LEARNER_IDLE_MINUTES",
    "PORTAL_LEARNER_IDLE_SECONDS",
    "PORTAL_LEARNER_CLUSTER_ROLE",
];

pub fn read(path: &Path) -> Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Config(format!(
            "PORTAL_CONFIG 파일 {} 을 읽지 못했습니다: {e}",
            path.display()
        ))
    })?;
    parse(&text).map_err(|m| Error::Config(format!("{}: {m}", path.display())))
}

fn parse(text: &str) -> std::result::Result<HashMap<String, String>, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("TOML 로 읽을 수 없습니다: {e}"))?;
    table
        .into_iter()
        .map(|(key, value)| {
            if !KEYS.contains(&key.as_str()) {
                return Err(format!(
                    "알 수 없는 설정 '{key}' (쓸 수 있는 것: {})",
                    KEYS.join(", ")
                ));
            }
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Boolean(b) => if b { "1" } else { "0" }.to_owned(),
                other => {
                    return Err(format!(
                        "'{key}' 는 문자열, 숫자, 참/거짓 가운데 하나여야 합니다 (받은 것: {})",
                        other.type_str()
                    ));
                }
            };
            Ok((key, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_file_uses_the_variables_names() {
        let got = parse(
            "PORTAL_NAMESPACE = \"hello\"\nPORTAL_MAX_LEARNERS = 30\nPORTAL_SECURE_COOKIES = true\n",
        )
        .unwrap();
        assert_eq!(got["PORTAL_NAMESPACE"], "hello");
        assert_eq!(got["PORTAL_MAX_LEARNERS"], "30");
        assert_eq!(got["PORTAL_SECURE_COOKIES"], "1");
    }

    #[test]
    fn unknown_keys_and_odd_values_are_refused_in_korean() {
        assert!(
            parse("PORTAL_NAMESPCE = \"x\"")
                .unwrap_err()
                .contains("알 수 없는 설정 'PORTAL_NAMESPCE'")
        );
        assert!(parse("PORTAL_ADDR = [1]").unwrap_err().contains("문자열"));
        assert!(parse("PORTAL_ADDR = ").unwrap_err().contains("TOML"));
    }
}
