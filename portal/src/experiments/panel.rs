//! The experiment island a lesson places with ```` ```experiment NAME ````: buttons for
//! the main run and its variants, the preconditions (with a fix), the commands a learner
//! would type, and the latest run — step, verdict, figures, version mix, timeline —
//! pushed live on the `experiments` topic.

use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::catalog::{self, Ask, Spec, Split};
use crate::live::{ExperimentRun, Item, RunPhase, Topic};
use crate::names::{ExperimentName, VariantName};
use crate::panels::common::{Live, LiveBadge, error_text};

/// What the learner may choose; checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExperimentParams {
    pub pod: Option<String>,
    /// `/slow` seconds for the shutdown experiment, 1-60.
    pub seconds: Option<u32>,
    /// debug / info / warning / error, for the ConfigMap experiment.
    pub log_level: Option<String>,
    /// v2:v1 pods for the canary experiment: 1:3, 1:1 or 3:1.
    pub split: Option<String>,
}

#[cfg(feature = "ssr")]
#[path = "panel_server.rs"]
mod server;

#[server(prefix = "/api", endpoint = "experiment-start")]
pub async fn experiment_start(
    experiment: ExperimentName,
    variant: VariantName,
    params: Option<ExperimentParams>,
) -> Result<String, ServerFnError> {
    server::start(experiment, variant, params.unwrap_or_default()).await
}

#[server(prefix = "/api", endpoint = "experiment-reset")]
pub async fn experiment_reset() -> Result<String, ServerFnError> {
    server::reset().await
}

fn runs_of(live: &Live, name: ExperimentName) -> Vec<ExperimentRun> {
    let mut runs = live.list(|i| match i {
        Item::Experiment(r) if r.experiment == name.as_str() => Some((**r).clone()),
        _ => None,
    });
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_ms));
    runs
}

fn verdict_word(phase: RunPhase) -> &'static str {
    match phase {
        RunPhase::Running => "진행 중",
        RunPhase::Passed => "성공",
        RunPhase::Failed => "실패",
        RunPhase::Stopped => "중단",
    }
}

#[island]
pub fn ExperimentPanel(name: ExperimentName, namespace: String) -> impl IntoView {
    let spec = catalog::spec(name);
    let runs = Live::new(Topic::Experiments);
    let deploys = Live::new(Topic::Deployments);
    let pods = Live::new(Topic::Pods);
    let (message, set_message) = signal(None::<(bool, String)>);
    let (params, set_params) = signal(ExperimentParams {
        seconds: Some(20),
        ..Default::default()
    });
    let report = move |r: Result<String, ServerFnError>| {
        set_message.set(Some(match r {
            Ok(m) => (true, m),
            Err(e) => (false, error_text(&e)),
        }));
    };
    let start = Action::new_local(move |variant: &VariantName| {
        let (variant, p) = (*variant, params.get_untracked());
        async move { report(experiment_start(spec.name, variant, Some(p)).await) }
    });
    let reset = Action::new_local(move |_: &()| async move { report(experiment_reset().await) });
    let install = Action::new_local(move |_: &()| async move {
        report(crate::panels::release::release_install().await)
    });
    let runs2 = runs.clone();
    let running = move || {
        runs_of(&runs2, spec.name)
            .iter()
            .any(|r| r.phase == RunPhase::Running)
    };
    let busy = Signal::derive(move || running() || start.pending().get() || reset.pending().get());
    let installed = Signal::derive(move || {
        !deploys
            .list(|i| matches!(i, Item::Deployment(_)).then_some(()))
            .is_empty()
    });
    let pod_names = move || {
        pods.list(|i| match i {
            Item::Pod(p) if p.status != "Terminating" => Some(p.name.clone()),
            _ => None,
        })
    };
    let commands = spec
        .commands
        .iter()
        .map(|c| c.replace("{ns}", &namespace))
        .collect::<Vec<_>>()
        .join("\n");
    view! {
        <section class="panel experiment" data-experiment=spec.name.as_str() aria-label=spec.title>
            <header class="panel-head">
                <h3>{format!("실험 · {}", spec.title)}</h3>
                <LiveBadge topics=vec![Topic::Experiments, Topic::Deployments]/>
            </header>
            <div class="panel-body">
                {move || (!installed.get()).then(|| view! {
                    <p class="exp-pre" data-precondition="release">"릴리스가 설치되어 있지 않습니다. 먼저 설치해야 실험할 수 있습니다. "
                        <button class="button" data-action="exp-install" on:click=move |_| { install.dispatch(()); }>"설치하기"</button></p>
                })}
                <div class="exp-params">
                    {spec.asks(Ask::Pod).then(|| view! {
                        <label>"파드 "
                            <select data-field="pod" on:change=move |ev| { let v = event_target_value(&ev); set_params.update(|p| p.pod = (!v.is_empty()).then_some(v)); }>
                                <option value="">"자동 (첫 번째 파드)"</option>
                                {move || pod_names().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    })}
                    {spec.asks(Ask::Seconds).then(|| view! {
                        <label>"느린 요청(초) "
                            <input type="number" data-field="seconds" min="1" max="60" value="20"
                                on:input=move |ev| { let v = event_target_value(&ev).parse().ok(); set_params.update(|p| p.seconds = v); }/>
                        </label>
                    })}
                    {spec.asks(Ask::LogLevel).then(|| view! {
                        <label>"LOG_LEVEL "
                            <select data-field="log-level" on:change=move |ev| { let v = event_target_value(&ev); set_params.update(|p| p.log_level = Some(v)); }>
                                {["debug", "info", "warning", "error"].map(|l| view! { <option value=l>{l}</option> })}
                            </select>
                        </label>
                    })}
                    {spec.asks(Ask::Split).then(|| view! {
                        <label>"2.0.0 : 1.0.0 파드 "
                            <select data-field="split" on:change=move |ev| { let v = event_target_value(&ev); set_params.update(|p| p.split = Some(v)); }>
                                {Split::ALL.iter().map(|s| view! { <option value=s.as_str()>{format!("{} (2.0.0 에 {:.0}%)", s.as_str(), s.target_percent())}</option> }).collect_view()}
                            </select>
                        </label>
                    })}
                </div>
                <div class="exp-variants">
                    {spec.variants.iter().map(|v| view! {
                        <div class="exp-variant">
                            <button class=if v.name == VariantName::Main { "button primary" } else { "button" } data-variant=v.name.as_str()
                                disabled=move || busy.get() || !installed.get() on:click=move |_| { start.dispatch(v.name); }>{v.button}</button>
                            <span class="dim">{v.what}</span>
                        </div>
                    }).collect_view()}
                    <div class="exp-variant">
                        <button class="button" data-action="exp-reset" disabled=busy on:click=move |_| { reset.dispatch(()); }>"기준 상태로 되돌리기"</button>
                        <span class="dim">"1.0.0, 레플리카 2, 기본 설정으로 돌아갑니다."</span>
                    </div>
                </div>
                {move || message.get().map(|(ok, m)| view! { <p class=if ok { "result ok" } else { "result error" } role="status" data-exp-message=if ok { "ok" } else { "error" }>{m}</p> })}
                <details class="exp-commands"><summary>"같은 일을 명령으로"</summary><pre><code>{commands}</code></pre></details>
                {move || view! { <RunView spec=spec runs=runs_of(&runs, spec.name)/> }}
            </div>
        </section>
    }
}

/// The leading number of a figure (`10.2초` → 10.2).
fn seconds(run: &ExperimentRun, key: &str) -> Option<f64> {
    let text = run.figure(key)?;
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// 3-4's milestones drawn on the grace period: everything must happen inside it.
#[component]
fn Budget(run: ExperimentRun) -> impl IntoView {
    let budget = seconds(&run, "budget_s").unwrap_or(45.0).max(1.0);
    let marks = [
        ("endpoint_removed_s", "Endpoints 제외"),
        ("sigterm_s", "SIGTERM"),
        ("slow_finished_s", "요청 끝"),
        ("pod_gone_s", "파드 사라짐"),
    ];
    let marks = marks
        .into_iter()
        .filter_map(|(key, label)| {
            let at = seconds(&run, key)?;
            let left = (at / budget * 100.0).min(100.0);
            Some(view! {
                <span class="budget-mark" data-mark=key style=format!("left:{left:.1}%") title=format!("{label}: {at:.1}초")>
                    <span class="budget-label">{format!("{label} {at:.1}초")}</span>
                </span>
            })
        })
        .collect_view();
    view! {
        <div class="exp-budget" aria-label="유예 시간 안에서 일어난 순서">
            <div class="budget-track">{marks}</div>
            <div class="budget-scale"><span>"삭제 0초"</span><span>{format!("유예 시간 {budget:.0}초")}</span></div>
        </div>
    }
}

/// The button of a recorded run's variant.
fn variant_button(spec: &Spec, variant: &str) -> &'static str {
    VariantName::parse(variant)
        .ok()
        .and_then(|v| spec.variant(v))
        .map_or("", |v| v.button)
}

/// The latest run in full, and the last verdict of the other variants.
#[component]
fn RunView(spec: &'static Spec, runs: Vec<ExperimentRun>) -> impl IntoView {
    let Some(run) = runs.first().cloned() else {
        return Either::Left(
            view! { <p class="empty" data-run="none">"아직 실행한 적이 없습니다."</p> },
        );
    };
    let button = variant_button(spec, &run.variant);
    let others = runs.iter().skip(1).map(|r| {
        let label = variant_button(spec, &r.variant);
        view! { <li data-variant=r.variant.clone() data-phase=r.phase.as_str()>{format!("{label}: {}", verdict_word(r.phase))}</li> }
    }).collect_view();
    // One colour per version across the whole chart, in the order they first answered.
    let mut legend: Vec<String> = Vec::new();
    for (v, _) in run.mix.iter().flat_map(|m| m.versions.iter()) {
        if !legend.contains(v) {
            legend.push(v.clone());
        }
    }
    let order = legend.clone();
    let colour = move |v: &str| order.iter().position(|o| o == v).unwrap_or(0) % 3;
    let peak = run
        .mix
        .iter()
        .map(|m| m.versions.iter().map(|(_, n)| n).sum::<u32>() + m.errors)
        .max()
        .unwrap_or(1)
        .max(1);
    Either::Right(view! {
        <div class="exp-run" data-run-phase=run.phase.as_str() data-run-variant=run.variant.clone() data-run-id=run.run_id.to_string()>
            <p class="exp-step"><strong>{button}</strong>" · "{verdict_word(run.phase)}
                {(run.phase == RunPhase::Running).then(|| format!(" · {}", run.step))}</p>
            {run.verdict.clone().map(|v| view! { <p class=format!("exp-verdict {}", run.phase.as_str()) data-verdict=run.phase.as_str()>{v}</p> })}
            <dl class="exp-figures">
                {run.figures.iter().map(|f| view! { <div><dt>{f.label.clone()}</dt><dd data-figure=f.key.clone()>{f.value.clone()}</dd></div> }).collect_view()}
            </dl>
            {(spec.name == ExperimentName::GracefulShutdown).then(|| view! { <Budget run=run.clone()/> })}
            {(!run.mix.is_empty()).then(|| view! {
                <div class="exp-mix" aria-label="초당 응답한 버전">
                    {run.mix.iter().map(|m| {
                        let bars = m.versions.iter().map(|(v, n)| view! {
                            <span class=format!("mix-bar v{}", colour(v)) style=format!("height:{}%", n * 100 / peak) title=format!("{v}: {n}")></span>
                        }).collect_view();
                        view! { <div class="mix-second" title=format!("{}초", m.second)>{bars}
                            {(m.errors > 0).then(|| view! { <span class="mix-bar err" style=format!("height:{}%", m.errors * 100 / peak)></span> })}</div> }
                    }).collect_view()}
                </div>
                <p class="mix-legend small">"초당 응답: "
                    {legend.iter().enumerate().map(|(i, v)| view! { <span class=format!("mix-key v{}", i % 3)></span>{format!("{v} ")} }).collect_view()}
                    <span class="mix-key err"></span>"실패"</p>
            })}
            <ol class="exp-timeline">
                {run.timeline.iter().map(|m| view! {
                    <li data-kind=m.kind.as_str()><time>{format!("+{:.1}s", m.at_ms as f64 / 1000.0)}</time>
                        <span class="mark-kind">{m.kind.label()}</span><span>{m.text.clone()}</span></li>
                }).collect_view()}
            </ol>
            {(run.dropped > 0).then(|| view! { <p class="dim">{format!("(항목 {}개 생략)", run.dropped)}</p> })}
            {(runs.len() > 1).then(|| view! { <ul class="exp-others">{others}</ul> })}
        </div>
    })
}
