//! Deployment → ReplicaSet → Pod (Step 2-2): how each name is made from its parent's.

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live, suffix};
use super::pods::pods;
use crate::live::{DeploymentView, Item, ReplicaSetView, Topic};

pub fn deployments(live: &Live) -> Vec<DeploymentView> {
    live.list(|i| match i {
        Item::Deployment(d) => Some(d.clone()),
        _ => None,
    })
}

pub fn replica_sets(live: &Live) -> Vec<ReplicaSetView> {
    let mut list = live.list(|i| match i {
        Item::ReplicaSet(r) => Some(r.clone()),
        _ => None,
    });
    list.sort_by_key(|r| std::cmp::Reverse(r.revision));
    list
}

#[island]
pub fn TreePanel() -> impl IntoView {
    let (d, r, p) = (
        Live::new(Topic::Deployments),
        Live::new(Topic::ReplicaSets),
        Live::new(Topic::Pods),
    );
    let tree = move || {
        let deploys = deployments(&d);
        if deploys.is_empty() {
            return Either::Left(
                view! { <p class="empty">"Deployment 가 없습니다. 먼저 설치하세요."</p> },
            );
        }
        let sets = replica_sets(&r);
        let all_pods = pods(&p);
        Either::Right(deploys
            .into_iter()
            .map(|dep| {
                let children = sets
                    .iter()
                    .filter(|rs| rs.owner.as_deref() == Some(dep.uid.as_str()))
                    .map(|rs| {
                        let rs_pods: Vec<_> = all_pods
                            .iter()
                            .filter(|p| p.owner.as_deref() == Some(rs.uid.as_str()))
                            .map(|pod| {
                                view! {
                                    <li class="tree-pod" data-pod=pod.name.clone()>
                                        <span class="kind">"Pod"</span>
                                        <code><span class="dim">{rs.name.clone()}"-"</span><b>{suffix(&pod.name, &rs.name).to_owned()}</b></code>
                                        <span class=format!("status status-{}", pod.status.to_lowercase())>{pod.status.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view();
                        let hash = suffix(&rs.name, &dep.name).to_owned();
                        view! {
                            <li class="tree-rs" data-rs=rs.name.clone()>
                                <span class="kind">"ReplicaSet"</span>
                                <code><span class="dim">{dep.name.clone()}"-"</span><b>{hash}</b></code>
                                <span class="meta">{format!("리비전 {} · {}/{} 준비 · {}", rs.revision.unwrap_or(0), rs.ready, rs.desired, rs.image.clone().unwrap_or_default())}</span>
                                <ul>{rs_pods}</ul>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <ul class="tree">
                        <li class="tree-deploy">
                            <span class="kind">"Deployment"</span>
                            <code><b>{dep.name.clone()}</b></code>
                            <span class="meta">{format!("{}/{} 준비 · 최신 {} · maxSurge {} · maxUnavailable {}", dep.ready, dep.replicas, dep.updated,
                                dep.max_surge.clone().unwrap_or_else(|| "-".into()), dep.max_unavailable.clone().unwrap_or_else(|| "-".into()))}</span>
                            <ul>{children}</ul>
                        </li>
                    </ul>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="리소스 트리" name="tree" topics=vec![Topic::Deployments, Topic::ReplicaSets, Topic::Pods]>
            {tree}
        </Frame>
    }
}
