//! 3-1 ConfigMap: a changed config changes the pod template's checksum, so the pods are
//! replaced and every one of them reports the new value; an edit of the ConfigMap alone
//! changes nothing in the running pods (the lesson's 주의).

use std::time::{Duration, Instant};

use crate::cluster::release;
use crate::cluster::values::{LogLevel, Overrides, Values};
use crate::experiments::engine::Recorder;
use crate::experiments::engine::scene::Stage;
use crate::experiments::engine::{Ctx, Outcome, Params};
use crate::experiments::error::{Error, Result};
use crate::live::MarkKind;
use crate::names::VariantName;

const SETTLE: Duration = Duration::from_secs(150);

pub async fn run(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    variant: VariantName,
    params: &Params,
) -> Result<Outcome> {
    match variant {
        VariantName::Main => {
            let level = params.log_level.unwrap_or(LogLevel::Debug);
            let values = ctx
                .with(&Overrides {
                    log_level: Some(level),
                    ..Default::default()
                })
                .await?;
            rec.step(format!(
                "LOG_LEVEL={level} 로 업그레이드 (helm upgrade --set config.logLevel={level})"
            ));
            upgrade_and_check(ctx, stage, rec, values).await
        }
        VariantName::Dev | VariantName::Prod => {
            let file = ctx.chart.dir.join(format!("values-{variant}.yaml"));
            let mut values = Values::load(&ctx.chart.dir, &[file]).map_err(Error::Cluster)?;
            values.namespace = ctx.namespace.clone();
            rec.step(format!(
                "values-{variant}.yaml 로 업그레이드 (helm upgrade -f values-{variant}.yaml)"
            ));
            upgrade_and_check(ctx, stage, rec, values).await
        }
        VariantName::ConfigmapOnly => configmap_only(ctx, stage, rec).await,
        other => Err(Error::Refused(format!("알 수 없는 변형입니다: {other}"))),
    }
}

/// What each pod says it was given: (pod, log_level, app_env).
async fn reported(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for pod in stage.scene().live_pods() {
        let answer = ctx.call(&pod.name, false, "/info").await?;
        let info: serde_json::Value = serde_json::from_str(&answer.body).unwrap_or_default();
        let field = |k: &str| {
            info.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("?")
                .to_owned()
        };
        rec.mark(
            MarkKind::Request,
            format!(
                "GET /info → {} : log_level={}, app_env={}",
                pod.name,
                field("log_level"),
                field("app_env")
            ),
        );
        out.push((pod.name.clone(), field("log_level"), field("app_env")));
    }
    Ok(out)
}

/// The lesson's steps for a config change through the chart: upgrade (the checksum
/// changes, so the pods roll), every pod's `/info`, and with debug the new log lines.
async fn upgrade_and_check(
    ctx: &Ctx,
    stage: &Stage,
    rec: &Recorder,
    values: Values,
) -> Result<Outcome> {
    let rolled = roll(ctx, stage, rec, &values).await?;
    rec.step("모든 파드의 /info 확인");
    let level = &values.config.log_level;
    let env = &values.config.app_env;
    let reports = reported(ctx, stage, rec).await?;
    let matching = reports
        .iter()
        .filter(|(_, l, e)| l == level && e == env)
        .count();
    rec.figure(
        "pods_reporting",
        &format!("/info 가 {level} 을 답한 파드"),
        format!("{matching}/{}", reports.len()),
    );
    let debug_ok = if level == "debug" {
        let pods: Vec<String> = reports.iter().map(|(p, _, _)| p.clone()).collect();
        debug_lines(ctx, stage, rec, &pods).await? > 0
    } else {
        true
    };
    let all = matching == reports.len() && !reports.is_empty();
    let (replaced, total, secs) = (rolled.replaced, rolled.total, rolled.secs);
    let passed = all && replaced == total && debug_ok;
    let reason = if passed {
        format!(
            "성공: 설정이 바뀌자 체크섬 어노테이션이 바뀌어 파드가 모두 새로 떴고({replaced}개, {secs:.1}초), 모든 파드의 /info 가 log_level={level}, app_env={env} 입니다."
        )
    } else if !all {
        format!(
            "실패: /info 가 {level} 을 답한 파드가 {matching}/{} 입니다.",
            reports.len()
        )
    } else if !debug_ok {
        "실패: 새 파드에서 debug 로그 줄이 보이지 않습니다.".into()
    } else {
        format!("실패: 파드 {total}개 중 {replaced}개만 새로 떴습니다.")
    };
    Ok(Outcome { passed, reason })
}

/// How the upgrade's rollout went.
struct Rolled {
    /// Pods that were not there before the upgrade, of `total`.
    replaced: usize,
    total: usize,
    secs: f64,
}

/// `helm upgrade` with the new values: the config checksum in the pod template changes,
/// so the Deployment rolls; until it has settled.
async fn roll(ctx: &Ctx, stage: &Stage, rec: &Recorder, values: &Values) -> Result<Rolled> {
    let before: Vec<String> = stage.scene().pods.iter().map(|p| p.name.clone()).collect();
    let checksum_before =
        release::config_checksum(&ctx.baseline(), release::RELEASE, &ctx.chart.meta);
    let checksum = release::config_checksum(values, release::RELEASE, &ctx.chart.meta);
    rec.mark(
        MarkKind::Action,
        format!(
            "checksum/config: {}… → {}…",
            &checksum_before[..12],
            &checksum[..12]
        ),
    );
    let started = Instant::now();
    let generation = ctx.apply(values).await?;
    rec.step("파드가 새 설정으로 바뀌기를 기다리는 중");
    stage.settled(generation, SETTLE).await?;
    let secs = Recorder::secs(started, Instant::now());
    rec.figure("rollout_s", "롤아웃에 걸린 시간", format!("{secs:.1}초"));
    let scene = stage.scene();
    let replaced = scene
        .pods
        .iter()
        .filter(|p| !before.contains(&p.name))
        .count();
    rec.figure(
        "pods_replaced",
        "새로 뜬 파드",
        format!("{replaced}/{}", scene.pods.len()),
    );
    Ok(Rolled {
        replaced,
        total: scene.pods.len(),
        secs,
    })
}

/// A few requests through the Service, then the debug lines the new pods logged (up to
/// 15 s for them to show in the log feed).
async fn debug_lines(ctx: &Ctx, stage: &Stage, rec: &Recorder, pods: &[String]) -> Result<usize> {
    rec.step("Service 로 요청을 보내고 debug 로그 기다리는 중");
    let shooter = ctx.shooter().await?;
    for _ in 0..6 {
        let _ = shooter
            .shoot(&crate::cluster::traffic::Target {
                post: false,
                path_and_query: "/".into(),
            })
            .await;
    }
    let lines = stage
        .until("debug 로그 줄", Duration::from_secs(15), |s| {
            let n = s
                .logs
                .iter()
                .filter(|l| l.level == "debug" && pods.contains(&l.pod))
                .count();
            (n > 0).then_some(n)
        })
        .await
        .unwrap_or(0);
    rec.figure("debug_lines", "새 파드의 debug 로그 줄", lines.to_string());
    Ok(lines)
}

async fn configmap_only(ctx: &Ctx, stage: &Stage, rec: &Recorder) -> Result<Outcome> {
    let before = stage.scene();
    let generation = before.deployment.as_ref().map_or(0, |d| d.generation);
    let debug = ctx
        .with(&Overrides {
            log_level: Some(LogLevel::Debug),
            ..Default::default()
        })
        .await?;
    let edited = release::render(&debug, release::RELEASE, &ctx.chart.meta).config_map;
    rec.step("ConfigMap 의 LOG_LEVEL 만 debug 로 바꿈 (kubectl edit configmap 과 같음)");
    release::apply_config_map(&ctx.client, &edited).await?;
    rec.step("10초 동안 파드가 바뀌는지 지켜보는 중");
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = stage.scene();
    let same_pods = before.pods.len() == after.pods.len()
        && before.pods.iter().all(|p| {
            after
                .pod(&p.name)
                .is_some_and(|a| a.restarts == p.restarts && a.status == p.status)
        });
    let same_spec = after
        .deployment
        .as_ref()
        .is_some_and(|d| d.generation == generation);
    rec.figure(
        "pods_restarted",
        "다시 뜬 파드",
        if same_pods { "0" } else { "있음" },
    );
    let reports = reported(ctx, stage, rec).await?;
    let old_level = ctx.baseline().config.log_level;
    let still_old = reports.iter().filter(|(_, l, _)| *l == old_level).count();
    rec.figure(
        "pods_old_value",
        &format!("아직 {old_level} 을 답한 파드"),
        format!("{still_old}/{}", reports.len()),
    );
    rec.step("ConfigMap 을 원래 값으로 되돌림");
    let original = release::render(&ctx.baseline(), release::RELEASE, &ctx.chart.meta).config_map;
    release::apply_config_map(&ctx.client, &original).await?;
    let passed = same_pods && same_spec && still_old == reports.len() && !reports.is_empty();
    let reason = if passed {
        format!(
            "성공(주의 확인): ConfigMap 은 debug 로 바뀌었지만 파드는 다시 뜨지 않았고, {still_old}개 모두 /info 가 여전히 log_level={old_level} 입니다. 환경 변수는 컨테이너가 시작할 때 한 번만 읽히므로, 차트는 ConfigMap 의 체크섬을 파드 템플릿에 넣어 설정이 바뀌면 파드를 새로 띄웁니다."
        )
    } else {
        format!(
            "실패: 파드가 바뀌었거나(같은 파드: {same_pods}) 새 값을 읽었습니다 (log_level={old_level} 인 파드 {still_old}/{}).",
            reports.len()
        )
    };
    Ok(Outcome { passed, reason })
}
