//! Which image tags the node already holds. The learning cluster has no registry access,
//! so an image override is only offered (and accepted) for these.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Node;
use kube::Client;
use kube::api::{Api, ListParams};

use super::{Error, Result};

/// How long a node image list is reused: it changes when an image is imported, not
/// with every click of an upgrade form (each of which would list every node).
const FRESH: Duration = Duration::from_secs(5);

/// (repository, when, tags) of recent lists.
static RECENT: Mutex<Vec<(String, Instant, Vec<String>)>> = Mutex::new(Vec::new());

fn recent(repository: &str, now: Instant) -> Option<Vec<String>> {
    let mut recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    recent.retain(|(_, at, _)| now.duration_since(*at) < FRESH);
    recent
        .iter()
        .find(|(repo, _, _)| repo == repository)
        .map(|(_, _, tags)| tags.clone())
}

/// The tags of `repository` present on any node, sorted (a list of the last few
/// seconds is reused).
pub async fn available_tags(client: &Client, repository: &str) -> Result<Vec<String>> {
    if let Some(tags) = recent(repository, Instant::now()) {
        return Ok(tags);
    }
    let tags = list_tags(client, repository).await?;
    RECENT.lock().unwrap_or_else(|p| p.into_inner()).push((
        repository.to_owned(),
        Instant::now(),
        tags.clone(),
    ));
    Ok(tags)
}

async fn list_tags(client: &Client, repository: &str) -> Result<Vec<String>> {
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .map_err(|e| Error::kube("노드 목록 조회", e))?;
    let names = nodes
        .items
        .iter()
        .filter_map(|n| n.status.as_ref()?.images.as_ref())
        .flatten()
        .flat_map(|i| i.names.iter().flatten());
    Ok(tags_of(repository, names.map(String::as_str)))
}

/// Pure: the tags of `repository` among image references as the kubelet reports them
/// (`docker.io/library/hello-world:1.0.0`). Short names are expanded the way the
/// container runtime does, so `hello-world` matches `docker.io/library/hello-world`.
pub fn tags_of<'a>(
    repository: &str,
    image_names: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let wanted = normalize(repository);
    let mut tags: Vec<String> = image_names
        .into_iter()
        .filter(|name| !name.contains('@')) // digests are not tags
        .filter_map(|name| {
            let slash = name.rfind('/').map_or(0, |i| i + 1);
            let colon = slash + name[slash..].rfind(':')?;
            (normalize(&name[..colon]) == wanted).then(|| name[colon + 1..].to_owned())
        })
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

fn normalize(repository: &str) -> String {
    let first = repository.split('/').next().unwrap_or_default();
    let has_registry = repository.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    match (has_registry, repository.contains('/')) {
        (true, _) => repository.to_owned(),
        (false, true) => format!("docker.io/{repository}"),
        (false, false) => format!("docker.io/library/{repository}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{available_tags, tags_of};

    #[tokio::test]
    async fn a_click_storm_lists_the_nodes_once() {
        let node = serde_json::json!({ "kind": "NodeList", "apiVersion": "v1", "metadata": {}, "items": [
            { "metadata": { "name": "vm" }, "status": { "images": [
                { "names": ["docker.io/library/cache-test:1.0.0"], "sizeBytes": 1 }
            ] } }
        ] });
        let (client, task) = crate::cluster::testing::mock_client(1, move |_| (200, node.clone()));
        for _ in 0..5 {
            let tags = available_tags(&client, "cache-test").await.expect("tags");
            assert_eq!(tags, ["1.0.0"]);
        }
        let calls = crate::cluster::testing::requests(task).await;
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].path, "/api/v1/nodes");
    }

    #[test]
    fn short_names_match_what_the_kubelet_reports() {
        let node = [
            "docker.io/library/hello-world:2.0.0",
            "docker.io/library/hello-world:1.0.0",
            "docker.io/library/hello-world@sha256:abcd",
            "docker.io/local/pause:1",
            "registry.example.com/hello-world:9.9.9",
        ];
        assert_eq!(tags_of("hello-world", node), ["1.0.0", "2.0.0"]);
        assert_eq!(
            tags_of("docker.io/library/hello-world", node),
            ["1.0.0", "2.0.0"]
        );
        assert_eq!(tags_of("registry.example.com/hello-world", node), ["9.9.9"]);
        assert_eq!(tags_of("local/pause", node), ["1"]);
        assert!(tags_of("nginx", node).is_empty());
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        assert_eq!(
            tags_of("localhost:5000/app", ["localhost:5000/app:3"]),
            ["3"]
        );
        assert!(tags_of("localhost:5000/app", ["localhost:5000/app"]).is_empty());
    }
}
