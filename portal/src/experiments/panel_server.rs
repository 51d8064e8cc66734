//! The server side of the experiment buttons: check every parameter before anything
//! changes, claim the namespace (one run at a time), then run in the background.

use axum::http::StatusCode;
use leptos::prelude::ServerFnError;

use super::ExperimentParams;
use crate::cluster::images;
use crate::cluster::release::canary;
use crate::cluster::values::LogLevel;
use crate::experiments::Lab;
use crate::experiments::catalog::{self, Ask, Spec, Split};
use crate::experiments::engine::lab::Busy;
use crate::experiments::engine::{Ctx, Params, runner};
use crate::experiments::kinds;
use crate::names::{ExperimentName, VariantName};
use crate::request::{Learner, bad_request, learner, refuse};

/// The experiment lab the server put in the context.
fn lab() -> Result<std::sync::Arc<Lab>, ServerFnError> {
    leptos::prelude::use_context::<std::sync::Arc<Lab>>().ok_or_else(|| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "요청 정보를 읽지 못했습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
        )
    })
}

fn busy_text(Busy(what): Busy) -> String {
    match catalog::find(what) {
        Some(spec) => format!(
            "이미 '{}' 실험이 진행 중입니다. 끝난 뒤에 다시 눌러 주세요.",
            spec.title
        ),
        None => "기준 상태로 되돌리는 중입니다. 끝난 뒤에 다시 눌러 주세요.".into(),
    }
}

pub async fn start(
    experiment: ExperimentName,
    variant: VariantName,
    params: ExperimentParams,
) -> Result<String, ServerFnError> {
    let spec = catalog::spec(experiment);
    let variant = spec.variant(variant).ok_or_else(|| {
        bad_request(format!(
            "'{}' 실험에 없는 변형입니다: '{}'",
            spec.title,
            variant.as_str()
        ))
    })?;
    let seconds = params.seconds.unwrap_or(20);
    if !(1..=60).contains(&seconds) {
        return Err(bad_request(format!(
            "느린 요청 시간은 1 에서 60 초 사이여야 합니다: {seconds}"
        )));
    }
    let log_level = params
        .log_level
        .as_deref()
        .map(str::parse::<LogLevel>)
        .transpose()
        .map_err(|e| bad_request(e.to_string()))?;
    let split = params
        .split
        .as_deref()
        .map(Split::parse)
        .transpose()
        .map_err(|e| bad_request(e.to_string()))?
        .unwrap_or_default();
    let l = learner(true).await?;
    fits(&l, spec, split).await?;
    let pod = l.release_pod(params.pod).await?;
    let lab = lab()?;
    let claim = lab
        .claim(&l.namespace, spec.name.as_str())
        .await
        .map_err(|b| refuse(StatusCode::CONFLICT, busy_text(b)))?;
    let ctx = Ctx::new(&l);
    let params = Params {
        pod,
        seconds,
        log_level,
        split,
    };
    let steps = kinds::steps(spec.name);
    lab.inflight.spawn(runner::run(
        lab.clone(),
        claim,
        ctx,
        spec,
        variant,
        params,
        steps,
    ));
    l.done();
    Ok(format!(
        "'{}' 을(를) 시작했습니다. 아래 타임라인에 일어나는 일이 차례로 나타납니다.",
        variant.button
    ))
}

/// What the cluster must allow before anything changes: the images the experiment
/// needs on the node, and room in a workshop quota for the canary's pods.
async fn fits(l: &Learner, spec: &Spec, split: Split) -> Result<(), ServerFnError> {
    let repo = &l.chart.values.image.repository;
    let tags = images::available_tags(&l.portal_client, repo)
        .await
        .map_err(|e| l.cluster_error(e))?;
    let missing: Vec<String> = spec
        .images
        .iter()
        .filter(|t| !tags.iter().any(|have| have == *t))
        .map(|t| format!("{repo}:{t}"))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(
            StatusCode::CONFLICT,
            format!(
                "노드에 이미지가 없습니다: {}. `sudo e2e/cluster/up.sh` 가 이미지를 만들어 노드에 넣습니다.",
                missing.join(", ")
            ),
        ));
    }
    if spec.asks(Ask::Split) && l.in_workshop {
        let hard = canary::pod_quota(&l.client, &l.namespace)
            .await
            .map_err(|e| l.cluster_error(e))?;
        if let Some(hard) = hard.filter(|h| i64::from(split.peak_pods()) > *h) {
            return Err(bad_request(format!(
                "{} 비율은 승격하는 동안 파드가 {}개까지 필요한데, 이 네임스페이스의 할당량은 파드 {hard}개입니다. 더 작은 비율을 골라 주세요.",
                split.as_str(),
                split.peak_pods()
            )));
        }
    }
    Ok(())
}

pub async fn reset() -> Result<String, ServerFnError> {
    let l = learner(true).await?;
    let lab = lab()?;
    let _claim = lab
        .claim(&l.namespace, "reset")
        .await
        .map_err(|b| refuse(StatusCode::CONFLICT, busy_text(b)))?;
    let ctx = Ctx::new(&l);
    runner::reset(&lab, &ctx).await.map_err(|e| {
        l.metrics.action(false);
        refuse(StatusCode::BAD_GATEWAY, e.to_string())
    })?;
    l.done();
    Ok("기준 상태로 되돌렸습니다: 1.0.0, 레플리카 2, 기본 설정, 파드 모두 준비됨.".into())
}
