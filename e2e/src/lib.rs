//! Helpers shared by the end-to-end tests: the real `kubectl`/`helm` of the local
//! cluster, bounded waits, and the repository's paths.
//!
//! The tests that need a cluster are `#[ignore]`d so a plain `cargo test` stays fast
//! and offline; `./dev.sh test` starts the cluster and runs them with `--ignored`.

pub mod browser;
pub mod expect;
pub mod portal;
pub mod services;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not start {program}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}):\n{stderr}")]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("timed out after {0:?}: {1}")]
    Timeout(Duration, String),
    #[error("unexpected JSON from `{command}`")]
    Json {
        command: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The repository root (this crate lives in `e2e/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn chart_dir() -> PathBuf {
    repo_root().join("deploy/helm/hello-world")
}

/// The `name=value` a browser would send back, from a response's `Set-Cookie` values.
pub fn session_cookie<'a>(set_cookie: impl IntoIterator<Item = &'a str>) -> Option<String> {
    set_cookie
        .into_iter()
        .filter_map(|v| v.split(';').next())
        .find(|kv| kv.contains('='))
        .map(str::to_owned)
}

/// The label the portal puts on every learner namespace in workshop mode.
pub const LEARNER_LABEL: &str = "hello-k8s.dev/learner";

/// The workshop's learner namespaces now (empty when kubectl fails).
pub fn learner_namespaces() -> Vec<String> {
    Tools
        .kubectl(&[
            "get",
            "ns",
            "-l",
            LEARNER_LABEL,
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ])
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// `kubectl` and `helm` as the lessons use them. Both come from `PATH`, which
/// `e2e/cluster/env.sh` points at the cached 1.33 kubectl and helm 4.
#[derive(Debug, Clone)]
pub struct Tools;

impl Tools {
    pub fn kubectl(&self, args: &[&str]) -> Result<String> {
        run("kubectl", args, None)
    }

    pub fn kubectl_stdin(&self, args: &[&str], input: &str) -> Result<String> {
        run("kubectl", args, Some(input))
    }

    pub fn helm(&self, args: &[&str]) -> Result<String> {
        run("helm", args, None)
    }

    pub fn kubectl_json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let out = self.kubectl(args)?;
        serde_json::from_str(&out).map_err(|source| Error::Json {
            command: format!("kubectl {}", args.join(" ")),
            source,
        })
    }

    /// `GET` through the API server's service proxy, as `kubectl get --raw` does.
    pub fn service_proxy(&self, ns: &str, service: &str, port: u16, path: &str) -> Result<String> {
        let raw = format!("/api/v1/namespaces/{ns}/services/{service}:{port}/proxy{path}");
        self.kubectl(&["get", "--raw", &raw])
    }
}

/// The pods matching `selector` in `ns` that are Ready and not on their way out.
pub fn ready_pods(ns: &str, selector: &str) -> Result<Vec<serde_json::Value>> {
    let pods = Tools.kubectl_json(&["get", "pods", "-n", ns, "-l", selector, "-o", "json"])?;
    let ready = |p: &serde_json::Value| {
        p["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    };
    Ok(pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null() && ready(p))
        .cloned()
        .collect())
}

/// Runs a program from the repository root and returns its stdout.
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String> {
    use std::io::Write;
    let command = format!("{program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .current_dir(repo_root())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Spawn {
            program: program.to_owned(),
            source,
        })?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes())
            .map_err(|source| Error::Spawn {
                program: program.to_owned(),
                source,
            })?;
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().map_err(|source| Error::Spawn {
        program: program.to_owned(),
        source,
    })?;
    if !status.success() {
        return Err(Error::Failed {
            command,
            status: status.to_string(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

/// Polls `check` every 500 ms until it yields a value or `timeout` passes.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Result<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            return Err(Error::Timeout(timeout, what.to_owned()));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A loopback port nobody listens on right now (for a portal, chromedriver, Redis).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}
