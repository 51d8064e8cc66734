//! Requests to the hello service, as a learner's `curl` would send them: straight to the
//! Service's ClusterIP when the portal can reach it (in the cluster, or on a node with
//! kube-proxy), else through the API server's service proxy; or to one chosen pod
//! through the pod proxy. Which pod answered comes from the service's `X-Pod-Name`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Service;
use kube::client::Body;
use kube::{Api, Client};

use super::{Error, Result};

/// The header the hello service names its pod in.
pub const POD_HEADER: &str = "x-pod-name";
const TIMEOUT: Duration = Duration::from_secs(65);
/// After a failed direct attempt, the proxy is used for this long before trying again.
const DIRECT_RETRY: i64 = 60;
static DIRECT_FAILED_AT: AtomicI64 = AtomicI64::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Via {
    ClusterIp,
    ServiceProxy,
    PodProxy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub pod: Option<String>,
    pub latency: Duration,
    pub via: Via,
}

/// Where a request goes: always one of the hello service's own paths (never free text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub post: bool,
    pub path_and_query: String,
}

fn answering_pod(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(POD_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Sends `target` through the Service `service:port` of `ns`, or to `pod` on `pod_port`.
pub async fn send(
    client: &Client,
    ns: &str,
    service: &str,
    port: u16,
    pod: Option<(&str, u16)>,
    target: &Target,
) -> Result<Answer> {
    if let Some((pod, pod_port)) = pod {
        let path = format!(
            "/api/v1/namespaces/{ns}/pods/{pod}:{pod_port}/proxy{}",
            target.path_and_query
        );
        return via_api(client, &path, target, Via::PodProxy).await;
    }
    if crate::clock::now_secs() - DIRECT_FAILED_AT.load(Ordering::Relaxed) > DIRECT_RETRY {
        let svc = Api::<Service>::namespaced(client.clone(), ns)
            .get(service)
            .await
            .map_err(|e| Error::kube(format!("Service {ns}/{service} 조회"), e))?;
        if let Some(ip) = svc
            .spec
            .and_then(|s| s.cluster_ip)
            .filter(|ip| ip != "None")
        {
            match direct(&ip, port, target).await {
                Ok(answer) => return Ok(answer),
                Err(e) => {
                    tracing::debug!(error = %e, "ClusterIP not reachable from the portal; using the API proxy");
                    DIRECT_FAILED_AT.store(crate::clock::now_secs(), Ordering::Relaxed);
                }
            }
        }
    }
    let path = format!(
        "/api/v1/namespaces/{ns}/services/{service}:{port}/proxy{}",
        target.path_and_query
    );
    via_api(client, &path, target, Via::ServiceProxy).await
}

async fn direct(
    ip: &str,
    port: u16,
    target: &Target,
) -> std::result::Result<Answer, reqwest::Error> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(700))
        .timeout(TIMEOUT)
        .build()?;
    let url = format!("http://{ip}:{port}{}", target.path_and_query);
    let started = Instant::now();
    let request = if target.post {
        http.post(url)
    } else {
        http.get(url)
    };
    let response = request.send().await?;
    let status = response.status().as_u16();
    let pod = answering_pod(response.headers());
    let body = bounded_text(response).await?;
    Ok(Answer {
        status,
        body,
        pod,
        latency: started.elapsed(),
        via: Via::ClusterIp,
    })
}

async fn via_api(client: &Client, path: &str, target: &Target, via: Via) -> Result<Answer> {
    let method = if target.post { "POST" } else { "GET" };
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .body(Body::from(Vec::new()))
        .map_err(|e| Error::kube("요청 만들기", kube::Error::HttpError(e)))?;
    let started = Instant::now();
    let response = tokio::time::timeout(TIMEOUT, client.send(request))
        .await
        .map_err(|_| Error::InvalidValue {
            field: "timeout",
            message: "응답이 제한 시간 안에 오지 않았습니다".into(),
        })?
        .map_err(|e| Error::kube(format!("{method} {path}"), e))?;
    let status = response.status().as_u16();
    let pod = answering_pod(response.headers());
    let bytes = http_body_util::BodyExt::collect(http_body_util::Limited::new(
        response.into_body(),
        MAX_BODY,
    ))
    .await
    .map_err(|_| Error::InvalidValue {
        field: "response",
        message: format!(
            "응답이 너무 크거나 읽다가 끊겼습니다 (최대 {} KiB)",
            MAX_BODY / 1024
        ),
    })?
    .to_bytes();
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        pod,
        latency: started.elapsed(),
        via,
    })
}

/// The most of a pod's answer the portal reads: the hello service answers in a few
/// hundred bytes, and a learner's pod must not make the portal buffer gigabytes.
pub const MAX_BODY: usize = 256 * 1024;

/// The body up to [`MAX_BODY`]; the rest is not read.
async fn bounded_text(
    mut response: reqwest::Response,
) -> std::result::Result<String, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_BODY {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Whether `pod` is a pod of `release` in `ns` (the only pods a learner may address).
pub async fn is_release_pod(client: &Client, ns: &str, release: &str, pod: &str) -> Result<bool> {
    let valid = !pod.is_empty()
        && pod.len() <= 253
        && pod
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid {
        return Ok(false);
    }
    let found = Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), ns)
        .get_opt(pod)
        .await
        .map_err(|e| Error::kube(format!("Pod {ns}/{pod} 조회"), e))?;
    Ok(found.is_some_and(|p| {
        p.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app.kubernetes.io/instance"))
            .is_some_and(|i| i == release)
    }))
}

/// Many requests to one Service, each on a new connection (so kube-proxy picks a pod
/// for every request, as for separate `curl`s). The route is chosen once: ClusterIP
/// when the portal reaches it, else the API server's service proxy.
#[derive(Clone)]
pub struct Shooter {
    client: Client,
    path_prefix: Option<String>,
    direct: Option<(reqwest::Client, String)>,
}

impl std::fmt::Debug for Shooter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shooter")
            .field("direct", &self.direct.as_ref().map(|(_, base)| base))
            .finish_non_exhaustive()
    }
}

impl Shooter {
    pub async fn new(client: &Client, ns: &str, service: &str, port: u16) -> Result<Self> {
        let svc = Api::<Service>::namespaced(client.clone(), ns)
            .get(service)
            .await
            .map_err(|e| Error::kube(format!("Service {ns}/{service} 조회"), e))?;
        let ip = svc
            .spec
            .and_then(|s| s.cluster_ip)
            .filter(|ip| ip != "None");
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(700))
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| Error::InvalidValue {
                field: "http",
                message: format!("HTTP 클라이언트를 만들지 못했습니다: {e}"),
            })?;
        let mut direct = None;
        if let Some(ip) = ip {
            let base = format!("http://{ip}:{port}");
            if http.get(format!("{base}/health/live")).send().await.is_ok() {
                direct = Some((http, base));
            }
        }
        Ok(Self {
            client: client.clone(),
            path_prefix: Some(format!(
                "/api/v1/namespaces/{ns}/services/{service}:{port}/proxy"
            )),
            direct,
        })
    }

    pub fn via(&self) -> Via {
        if self.direct.is_some() {
            Via::ClusterIp
        } else {
            Via::ServiceProxy
        }
    }

    /// One request; `Err` when no answer came (refused, reset, timed out).
    pub async fn shoot(&self, target: &Target) -> Result<Answer> {
        if let Some((http, base)) = &self.direct {
            let started = Instant::now();
            let url = format!("{base}{}", target.path_and_query);
            let request = if target.post {
                http.post(url)
            } else {
                http.get(url)
            };
            let response = request.send().await.map_err(|e| Error::InvalidValue {
                field: "request",
                message: short_reqwest_error(&e),
            })?;
            let status = response.status().as_u16();
            let pod = answering_pod(response.headers());
            let body = bounded_text(response).await.unwrap_or_default();
            return Ok(Answer {
                status,
                body,
                pod,
                latency: started.elapsed(),
                via: Via::ClusterIp,
            });
        }
        let prefix = self.path_prefix.as_deref().unwrap_or_default();
        let path = format!("{prefix}{}", target.path_and_query);
        via_api(&self.client, &path, target, Via::ServiceProxy).await
    }
}

/// The reason a request got no answer, in a few words.
fn short_reqwest_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "시간 초과".into()
    } else if e.is_connect() {
        "연결 거부".into()
    } else {
        "연결이 끊김".into()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// A pod that answers with a megabyte: the portal keeps only the first 256 KiB.
    #[tokio::test]
    async fn a_huge_answer_is_cut_at_the_limit() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app =
            axum::Router::new().route("/big", axum::routing::get(|| async { "x".repeat(1 << 20) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let target = Target {
            post: false,
            path_and_query: "/big".into(),
        };
        let answer = direct("127.0.0.1", port, &target).await.unwrap();
        assert_eq!((answer.status, answer.body.len()), (200, MAX_BODY));
    }
}
