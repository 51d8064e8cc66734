//! The server side of the experiment buttons: check every parameter before anything
//! changes, claim the namespace (one run at a time), then run in the background.

use axum::http::StatusCode;
use leptos::prelude::ServerFnError;

use super::ExperimentParams;
use crate::cluster::traffic;
use crate::cluster::values::LogLevel;
use crate::experiments::catalog;
use crate::experiments::lab::Busy;
use crate::experiments::runner::{self, Ctx, Params};
use crate::panels::server::{bad_request, from_cluster, learner, refuse};

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

fn busy_text(Busy(what): Busy) -> String {
    match catalog::spec(what) {
        Some(spec) => format!(
            "이미 '{}' 실험이 진행 중입니다. 끝난 뒤에 다시 눌러 주세요.",
            spec.title
        ),
        None => "기준 상태로 되돌리는 중입니다. 끝난 뒤에 다시 눌러 주세요.".into(),
    }
}

pub async fn start(
    experiment: String,
    variant: String,
    params: ExperimentParams,
) -> Result<String, ServerFnError> {
    let spec = catalog::spec(&experiment)
        .ok_or_else(|| bad_request(format!("알 수 없는 실험입니다: '{}'", clip(&experiment))))?;
    let variant = spec.variant(&variant).ok_or_else(|| {
        bad_request(format!(
            "'{}' 실험에 없는 변형입니다: '{}'",
            spec.title,
            clip(&variant)
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
    let l = learner(true).await?;
    let pod = params.pod.filter(|p| !p.is_empty());
    if let Some(name) = &pod {
        let ours = traffic::is_release_pod(&l.client, &l.namespace, crate::panels::RELEASE, name)
            .await
            .map_err(|e| from_cluster(&l.state, e))?;
        if !ours {
            return Err(bad_request(format!(
                "이 네임스페이스({})의 릴리스 파드가 아닙니다: '{}'",
                l.namespace,
                clip(name)
            )));
        }
    }
    let lab = l.state.lab.clone();
    let claim = lab
        .claim(&l.namespace, spec.name)
        .map_err(|b| refuse(StatusCode::CONFLICT, busy_text(b)))?;
    let ctx = Ctx::new(&l);
    let params = Params {
        pod,
        seconds,
        log_level,
    };
    lab.inflight
        .spawn(runner::run(lab.clone(), claim, ctx, spec, variant, params));
    l.state.metrics.action(true);
    Ok(format!(
        "'{}' 을(를) 시작했습니다. 아래 타임라인에 일어나는 일이 차례로 나타납니다.",
        variant.button
    ))
}

pub async fn reset() -> Result<String, ServerFnError> {
    let l = learner(true).await?;
    let lab = l.state.lab.clone();
    let _claim = lab
        .claim(&l.namespace, "reset")
        .map_err(|b| refuse(StatusCode::CONFLICT, busy_text(b)))?;
    let ctx = Ctx::new(&l);
    runner::reset(&lab, &ctx).await.map_err(|e| {
        l.state.metrics.action(false);
        refuse(StatusCode::BAD_GATEWAY, e.to_string())
    })?;
    l.state.metrics.action(true);
    Ok("기준 상태로 되돌렸습니다: 1.0.0, 레플리카 2, 기본 설정, 파드 모두 준비됨.".into())
}
