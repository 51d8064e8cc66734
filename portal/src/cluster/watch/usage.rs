//! `kubectl top pods` for a namespace, pushed every few seconds while someone watches:
//! from metrics.k8s.io when the cluster has metrics-server, else from each node's
//! kubelet Summary API through the API server's node proxy (the local cluster has no
//! metrics-server, and the kubelet's numbers are the ones metrics-server reads anyway).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use serde_json::Value;

use super::feed::{Feed, Subscription};
use super::views::{bytes, cpu_millis};
use crate::live::{FeedState, Item, PodView, UsageView};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

const EVERY: Duration = Duration::from_secs(3);

pub async fn run(
    feed: Arc<Feed>,
    pods_feed: Arc<Feed>,
    _keep: Subscription,
    client: Client,
    ns: String,
) {
    let mut metrics_api = true;
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let pods: Vec<PodView> = pods_feed
            .items()
            .into_iter()
            .filter_map(|i| match i {
                Item::Pod(p) => Some(p),
                _ => None,
            })
            .collect();
        let measured = if metrics_api {
            match from_metrics_api(&client, &ns).await {
                Ok(m) => Ok(m),
                Err(e) => {
                    tracing::debug!(error = %e, "metrics.k8s.io not available; using the kubelet");
                    metrics_api = false;
                    from_kubelet(&client, &ns, &pods).await
                }
            }
        } else {
            from_kubelet(&client, &ns, &pods).await
        };
        match measured {
            Ok(measured) => {
                feed.replace(combine(&pods, measured));
                feed.set_health(FeedState::Live, None);
            }
            Err(e) => feed.set_health(
                FeedState::Reconnecting,
                Some(format!("사용량을 읽지 못했습니다: {e}")),
            ),
        }
    }
}

/// (pod, millicores, bytes, source)
type Measured = Vec<(String, i64, i64, &'static str)>;

async fn get_json(client: &Client, path: &str) -> Result<Value, kube::Error> {
    let req = http::Request::get(path)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    client.request::<Value>(req).await
}

async fn from_metrics_api(client: &Client, ns: &str) -> Result<Measured, kube::Error> {
    let list = get_json(
        client,
        &format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods"),
    )
    .await?;
    Ok(parse_metrics_list(&list))
}

pub fn parse_metrics_list(list: &Value) -> Measured {
    let quantity = |v: &Value| Quantity(v.as_str().unwrap_or("0").to_owned());
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let containers = item["containers"].as_array().cloned().unwrap_or_default();
            let cpu = containers
                .iter()
                .filter_map(|c| cpu_millis(&quantity(&c["usage"]["cpu"])))
                .sum();
            let mem = containers
                .iter()
                .filter_map(|c| bytes(&quantity(&c["usage"]["memory"])))
                .sum();
            let name = item["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (name, cpu, mem, "metrics.k8s.io")
        })
        .collect()
}

async fn from_kubelet(
    client: &Client,
    ns: &str,
    pods: &[PodView],
) -> Result<Measured, kube::Error> {
    let nodes: BTreeSet<&str> = pods.iter().filter_map(|p| p.node.as_deref()).collect();
    let mut out = Vec::new();
    for node in nodes {
        let summary =
            get_json(client, &format!("/api/v1/nodes/{node}/proxy/stats/summary")).await?;
        out.extend(parse_summary(&summary, ns));
    }
    Ok(out)
}

pub fn parse_summary(summary: &Value, ns: &str) -> Measured {
    summary["pods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["podRef"]["namespace"] == ns)
        .map(|p| {
            let cpu = p["cpu"]["usageNanoCores"].as_f64().unwrap_or(0.0) / 1e6;
            let mem = p["memory"]["workingSetBytes"].as_i64().unwrap_or(0);
            let name = p["podRef"]["name"].as_str().unwrap_or_default().to_owned();
            (name, cpu.round() as i64, mem, "kubelet")
        })
        .collect()
}

/// Usage of the pods that exist now, next to their requests and limits.
fn combine(pods: &[PodView], measured: Measured) -> Vec<Item> {
    measured
        .into_iter()
        .filter_map(|(name, cpu, mem, source)| {
            let pod = pods.iter().find(|p| p.name == name)?;
            Some(Item::Usage(UsageView {
                pod: name,
                cpu_millis: cpu,
                memory_bytes: mem,
                cpu_request: pod.cpu_request,
                cpu_limit: pod.cpu_limit,
                memory_request: pod.memory_request,
                memory_limit: pod.memory_limit,
                source: source.to_owned(),
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_sources_parse_to_millicores_and_bytes() {
        let metrics = json!({"items": [{"metadata": {"name": "a"}, "containers": [
            {"usage": {"cpu": "250m", "memory": "64Mi"}}, {"usage": {"cpu": "1500000n", "memory": "1Mi"}}]}]});
        assert_eq!(
            parse_metrics_list(&metrics),
            vec![("a".into(), 252, 68157440, "metrics.k8s.io")]
        );
        let summary = json!({"pods": [
            {"podRef": {"name": "a", "namespace": "hello"}, "cpu": {"usageNanoCores": 12_400_000u64}, "memory": {"workingSetBytes": 2048}},
            {"podRef": {"name": "b", "namespace": "other"}, "cpu": {"usageNanoCores": 1}, "memory": {"workingSetBytes": 1}}]});
        assert_eq!(
            parse_summary(&summary, "hello"),
            vec![("a".into(), 12, 2048, "kubelet")]
        );
    }
}
