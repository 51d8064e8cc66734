//! Portal settings, from the environment (documented in the README).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::server::{Error, Result};

#[derive(Debug, Clone)]
pub struct Config {
    /// `PORTAL_ADDR`, default 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// `PORTAL_CONTENT_DIR`, default `content`.
    pub content_dir: PathBuf,
    /// `PORTAL_REPO_ROOT`, where lesson includes are read from; default `.`.
    pub repo_root: PathBuf,
    /// `PORTAL_SITE_ROOT`: the built bundle (pkg/, fonts/); default `target/site`.
    pub site_root: PathBuf,
    /// `PORTAL_DATABASE`: the SQLite file for sessions, progress and runs (default
    /// `.data/portal.sqlite3`), or a `postgres://` URL that several replicas share.
    pub database: crate::store::Target,
    /// `PORTAL_REPLICA`: this replica's name in leases and claims; default
    /// `<hostname>-<pid>` (the pod's name in a cluster).
    pub replica: String,
    /// `PORTAL_LEASE_NAMESPACE`: where the singleton Lease lives; default the pod's own
    /// namespace, else `default`.
    pub lease_namespace: String,
    /// `PORTAL_SECURE_COOKIES=1` behind https.
    pub secure_cookies: bool,
    /// `PORTAL_DEV=1`: re-load lessons when files change.
    pub dev: bool,
    /// `PORTAL_CHART_DIR`: the chart the release panels install; default
    /// `<repo root>/deploy/helm/hello-world`.
    pub chart_dir: PathBuf,
    /// `PORTAL_NAMESPACE`: where the single learner's release lives; default `hello`.
    pub namespace: String,
    /// `PORTAL_CLUSTER=off`: never connect (lessons only; tests).
    pub cluster: bool,
    /// Workshop mode, on when `PORTAL_WORKSHOP_CODE` is set.
    pub workshop: Option<crate::workshop::WorkshopConfig>,
    /// `PORTAL_SESSION_REDIS`: keep sessions in Redis (several replicas share them).
    pub session_redis: Option<Secret>,
    /// `PORTAL_ACCESS_TOKEN`: single-learner mode on a network. A browser opens the
    /// portal once with `?access=<token>`; only such sessions may change the cluster.
    pub access_token: Option<Secret>,
    /// `PORTAL_TRUST_FORWARDED=1` behind a proxy (an Ingress): the client's address is
    /// the last `X-Forwarded-For` entry, not the proxy's.
    pub trust_forwarded: bool,
}

pub use crate::secret::Secret;

impl Config {
    /// The environment, over the file `PORTAL_CONFIG` names (if any).
    pub fn from_env() -> Result<Self> {
        let file = match std::env::var_os("PORTAL_CONFIG") {
            Some(path) => super::config_file::read(std::path::Path::new(&path))?,
            None => Default::default(),
        };
        Self::from_lookup(|k| std::env::var(k).ok().or_else(|| file.get(k).cloned()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let path = |key: &str, default: &str| {
            PathBuf::from(get(key).unwrap_or_else(|| default.to_owned()))
        };
        let flag = |key: &str| matches!(get(key).as_deref(), Some("1" | "true" | "yes"));
        let addr_raw = get("PORTAL_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr_raw.parse().map_err(|_| {
            Error::Config(format!(
                "PORTAL_ADDR 는 127.0.0.1:3000 같은 주소여야 합니다 (받은 값: {addr_raw})"
            ))
        })?;
        let repo_root = path("PORTAL_REPO_ROOT", ".");
        let namespace = get("PORTAL_NAMESPACE").unwrap_or_else(|| "hello".to_owned());
        if !is_dns_label(&namespace) {
            return Err(Error::Config(format!(
                "PORTAL_NAMESPACE 는 영문 소문자, 숫자, '-' 로 된 63자 이하 이름이어야 합니다 (받은 값: {namespace})"
            )));
        }
        let workshop = match get("PORTAL_WORKSHOP_CODE").filter(|c| !c.trim().is_empty()) {
            None => None,
            Some(code) => {
                let number = |key: &str, default: u64| -> Result<u64> {
                    get(key).map_or(Ok(default), |v| {
                        v.trim().parse().map_err(|_| {
                            Error::Config(format!("{key} 는 양의 정수여야 합니다 (받은 값: {v})"))
                        })
                    })
                };
                Some(crate::workshop::WorkshopConfig {
                    code: code.trim().to_owned(),
                    host_token: get("PORTAL_HOST_TOKEN").unwrap_or_default(),
                    max_learners: number("PORTAL_MAX_LEARNERS", 200)? as usize,
                    // `PORTAL_LEARNER_IDLE_SECONDS` wins (tests use a few seconds).
                    idle: std::time::Duration::from_secs(
                        match get("PORTAL_LEARNER_IDLE_SECONDS") {
                            Some(_) => number("PORTAL_LEARNER_IDLE_SECONDS", 7200)?,
                            None => number("PORTAL_LEARNER_IDLE_MINUTES", 120)? * 60,
                        },
                    ),
                    // `PORTAL_SWEEP_SECONDS`: how often idle learners are looked for.
                    sweep_every: get("PORTAL_SWEEP_SECONDS")
                        .map(|_| number("PORTAL_SWEEP_SECONDS", 30))
                        .transpose()?
                        .map(|s| std::time::Duration::from_secs(s.max(1))),
                    learner_cluster_role: get("PORTAL_LEARNER_CLUSTER_ROLE")
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty()),
                })
            }
        };
        let access_token = get("PORTAL_ACCESS_TOKEN")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(Secret::new);
        if access_token.as_ref().is_some_and(|t| t.expose().len() < 12) {
            return Err(Error::Config(
                "PORTAL_ACCESS_TOKEN 은 12자 이상이어야 합니다 (짐작할 수 없게)".into(),
            ));
        }
        // Single-learner mode has no login: on a network it needs the access token.
        if !addr.ip().is_loopback() && workshop.is_none() && access_token.is_none() {
            return Err(Error::Config(format!(
                "PORTAL_ADDR={addr} 는 네트워크에 열린 주소인데, 학습자 한 명 모드에는 로그인이 없어 누구나 클러스터를 바꿀 수 있습니다. \
                 PORTAL_ACCESS_TOKEN(12자 이상)을 정하거나 워크숍 모드(PORTAL_WORKSHOP_CODE)를 켜세요. 이 컴퓨터에서만 쓰려면 PORTAL_ADDR=127.0.0.1:3000."
            )));
        }
        let database = crate::store::Target::parse(
            &get("PORTAL_DATABASE").unwrap_or_else(|| ".data/portal.sqlite3".to_owned()),
        );
        Ok(Self {
            replica: get("PORTAL_REPLICA").unwrap_or_else(|| {
                let host = get("HOSTNAME").unwrap_or_else(|| "portal".to_owned());
                format!("{host}-{}", std::process::id())
            }),
            lease_namespace: get("PORTAL_LEASE_NAMESPACE").unwrap_or_else(|| {
                std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_else(|_| "default".to_owned())
            }),
            access_token,
            workshop,
            session_redis: get("PORTAL_SESSION_REDIS")
                .map(|u| u.trim().to_owned())
                .filter(|u| !u.is_empty())
                .map(Secret::new),
            chart_dir: get("PORTAL_CHART_DIR")
                .map_or_else(|| repo_root.join("deploy/helm/hello-world"), PathBuf::from),
            namespace,
            cluster: !matches!(
                get("PORTAL_CLUSTER").as_deref(),
                Some("off" | "0" | "false")
            ),
            addr,
            content_dir: path("PORTAL_CONTENT_DIR", "content"),
            repo_root,
            site_root: path("PORTAL_SITE_ROOT", "target/site"),
            database,
            secure_cookies: flag("PORTAL_SECURE_COOKIES"),
            trust_forwarded: flag("PORTAL_TRUST_FORWARDED"),
            dev: flag("PORTAL_DEV"),
        })
    }
}

/// A Kubernetes namespace name (RFC 1123 label).
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::Config;

    fn config(vars: &[(&str, &str)]) -> crate::server::Result<Config> {
        Config::from_lookup(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_network_listen_needs_workshop_mode_or_an_access_token() {
        let open = [("PORTAL_ADDR", "0.0.0.0:3000")];
        let err = config(&open)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("PORTAL_ACCESS_TOKEN"), "{err}");
        assert!(config(&[("PORTAL_ADDR", "127.0.0.1:3000")]).is_ok());
        assert!(config(&[("PORTAL_ADDR", "[::1]:3000")]).is_ok());
        let token = [
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_ACCESS_TOKEN", "a-long-enough-token"),
        ];
        assert!(config(&token).is_ok());
        let short = [
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_ACCESS_TOKEN", "short"),
        ];
        assert!(config(&short).is_err(), "a guessable token is refused");
        let workshop = [
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_WORKSHOP_CODE", "c"),
        ];
        assert!(config(&workshop).is_ok());
    }
}
