//! The cluster badge: API server version, context, node readiness, and whether the
//! tutorial's images are on the node (with the command that builds them when not).

use leptos::prelude::*;

use super::common::{Frame, Live};
use crate::live::{Item, Topic};

/// The tags the lessons use.
pub const HELLO_TAGS: [&str; 2] = ["1.0.0", "2.0.0"];

/// Whether `images` (as the kubelet reports them) hold `hello-world:<tag>`.
pub fn has_image(images: &[String], tag: &str) -> bool {
    images.iter().any(|i| {
        let short = i.rsplit('/').next().unwrap_or(i);
        short == format!("hello-world:{tag}")
    })
}

#[island]
pub fn StatusPanel() -> impl IntoView {
    let live = Live::new(Topic::Nodes);
    let body = move || {
        let cluster = live.list(|i| match i {
            Item::Cluster(c) => Some(c.clone()),
            _ => None,
        });
        let nodes = live.list(|i| match i {
            Item::Node(n) => Some(n.clone()),
            _ => None,
        });
        let images: Vec<String> = nodes.iter().flat_map(|n| n.images.clone()).collect();
        let missing: Vec<&str> = HELLO_TAGS
            .into_iter()
            .filter(|t| !has_image(&images, t))
            .collect();
        view! {
            <dl class="status-grid">
                {cluster.first().map(|c| view! {
                    <dt>"API 서버"</dt><dd data-version=c.version.clone()>{c.version.clone()}</dd>
                    <dt>"컨텍스트"</dt><dd>{c.context.clone().unwrap_or_else(|| "(클러스터 내부)".into())}</dd>
                })}
                {nodes.iter().map(|n| view! {
                    <dt>"노드"</dt>
                    <dd data-node-ready=n.ready.to_string()>{n.name.clone()}" · "{if n.ready { "Ready" } else { "NotReady" }}</dd>
                }).collect_view()}
                <dt>"이미지"</dt>
                <dd>{HELLO_TAGS.into_iter().map(|t| {
                    let ok = has_image(&images, t);
                    view! { <span class=if ok { "chip ok" } else { "chip warn" } data-image=t data-present=ok.to_string()>{format!("hello-world:{t} {}", if ok { "✓" } else { "없음" })}</span> }
                }).collect_view()}</dd>
            </dl>
            {(!missing.is_empty() && !nodes.is_empty()).then(|| view! {
                <p class="hint">"노드에 없는 이미지는 이렇게 만들어 넣습니다 (Docker 없이, buildah): "<code>"sudo e2e/cluster/up.sh"</code>
                " — minikube 라면 "<code>"eval $(minikube docker-env) && docker build -f service/Dockerfile -t hello-world:1.0.0 ."</code></p>
            })}
        }
    };
    view! {
        <Frame title="클러스터 상태" name="status" topics=vec![Topic::Nodes]>
            {body}
        </Frame>
    }
}

/// The header's chip: which cluster (kubeconfig context) the portal drives, live.
#[island]
pub fn ClusterChip() -> impl IntoView {
    let live = Live::new(Topic::Nodes);
    let text = move || {
        let (state, _) = live.state();
        let cluster = live.list(|i| match i {
            Item::Cluster(c) => Some(c.clone()),
            _ => None,
        });
        match (state, cluster.first()) {
            (crate::live::FeedState::NoCluster, _) => ("off", "클러스터 없음".to_owned()),
            (_, Some(c)) => (
                "on",
                format!(
                    "{} · {}",
                    c.context.clone().unwrap_or_else(|| "클러스터 내부".into()),
                    c.version
                ),
            ),
            _ => ("wait", "클러스터 확인 중…".to_owned()),
        }
    };
    let text2 = text.clone();
    view! {
        <a class="cluster-chip" href="/cluster" data-cluster=move || text().0 title="이 포털이 움직이는 클러스터">{move || text2().1}</a>
    }
}
