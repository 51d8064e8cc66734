//! Benchmark of issue 6: a room of workshop learners against one portal on this machine.
//! 1. N learners join (each gets a namespace from the template; join time includes
//!    Kubernetes'). 2. Each opens a lesson tab (the live stream of a lesson page); then a
//!    second tab each: the API watches must follow namespaces, never tabs. 3. For a window,
//!    every learner acts at a learner's pace (one step every ~10 s: a page, a progress mark,
//!    a release preview, the release choices) while the host dashboard refreshes; page and
//!    action latencies, portal RSS and CPU are recorded. Prints figures and whether the
//!    targets are met; exits non-zero only when something broke (errors, dropped streams).
//!
//! `e2e/bench/workshop.sh` starts a portal in workshop mode and runs this with
//! `--url http://127.0.0.1:PORT --pid PID --code CODE --token TOKEN [--learners 200]
//! [--seconds 60]`.

// A benchmark's output is its figures: printing is the point here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "bench_common/proc.rs"]
mod proc_stats;
#[path = "workshop_bench/room.rs"]
mod room;
#[path = "bench_common/stream.rs"]
mod stream;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portal::live::Topic;

use proc_stats::{apiserver_watches, clock_ticks, cpu_ticks, metrics, rss_mb};
use room::{Kind, Room, Sample};
use stream::Subscriber;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What one lesson tab with panels subscribes to.
const TOPICS: &str = "pods,deployments,replicasets,endpoints,events,experiments";
const WATCHED: [Topic; 5] = [
    Topic::Pods,
    Topic::Deployments,
    Topic::ReplicaSets,
    Topic::Endpoints,
    Topic::Events,
];
const TARGET_RSS_MB: f64 = 300.0;
const TARGET_ACTION_P99_MS: f64 = 500.0;

#[derive(Debug, Clone)]
pub struct Args {
    pub url: String,
    pid: u32,
    pub code: String,
    pub token: String,
    learners: usize,
    seconds: u64,
}

fn args() -> Result<Args> {
    let mut a = Args {
        url: String::new(),
        pid: 0,
        code: String::new(),
        token: String::new(),
        learners: 200,
        seconds: 60,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => a.url = value.trim_end_matches('/').to_owned(),
            "--pid" => a.pid = value.parse()?,
            "--code" => a.code = value,
            "--token" => a.token = value,
            "--learners" => a.learners = value.parse::<usize>()?.clamp(1, 500),
            "--seconds" => a.seconds = value.parse::<u64>()?.clamp(10, 600),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    if a.url.is_empty() || a.pid == 0 || a.code.is_empty() || a.token.is_empty() {
        return Err("--url, --pid, --code and --token are required".into());
    }
    Ok(a)
}

/// What the portal and the API server hold at one moment.
#[derive(Debug, Clone, Copy)]
struct Load {
    portal_watches: f64,
    apiserver_watches: f64,
    connections: f64,
    rss_mb: f64,
}

async fn load(http: &reqwest::Client, args: &Args) -> Result<Load> {
    let m = metrics(http, &args.url).await?;
    let get = |k: &str| m.get(k).copied().unwrap_or(f64::NAN);
    Ok(Load {
        portal_watches: get("portal_api_watches"),
        apiserver_watches: apiserver_watches()?,
        connections: get("portal_live_connections"),
        rss_mb: rss_mb(args.pid)?,
    })
}

fn print_load(label: &str, l: &Load, base: &Load) {
    println!(
        "  {label:<28} portal watches {:>5.0} · API server watches {:>5.0} (+{:.0}) · live streams {:>4.0} · RSS {:>6.1} MB",
        l.portal_watches,
        l.apiserver_watches,
        l.apiserver_watches - base.apiserver_watches,
        l.connections,
        l.rss_mb
    );
}

/// Opens one tab per learner and waits until every one of them is live.
async fn open_tabs(
    http: &reqwest::Client,
    args: &Args,
    room: &Room,
    tabs: &mut Vec<Subscriber>,
) -> Result<Duration> {
    let started = Instant::now();
    let first = tabs.len();
    for l in &room.learners {
        tabs.push(Subscriber::open_as(
            http,
            &args.url,
            TOPICS,
            Some(&l.cookie),
        ));
    }
    let deadline = started + Duration::from_secs(240);
    while !tabs[first..].iter().all(|t| t.live_on(&WATCHED)) {
        if Instant::now() > deadline {
            let live = tabs[first..].iter().filter(|t| t.live_on(&WATCHED)).count();
            return Err(format!(
                "only {live} of {} tabs went live in 240 s",
                room.learners.len()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(started.elapsed())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Prints one latency line; returns p99.
fn report(label: &str, samples: &[&Sample]) -> f64 {
    let mut ms: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    ms.sort_by(f64::total_cmp);
    let errors = samples.iter().filter(|s| !s.ok).count();
    let p99 = percentile(&ms, 0.99);
    println!(
        "  {label:<34} n {:>5} · p50 {:>7.1} ms · p99 {:>7.1} ms · max {:>7.1} ms · errors {errors}",
        ms.len(),
        percentile(&ms, 0.5),
        p99,
        ms.last().copied().unwrap_or(f64::NAN)
    );
    p99
}

async fn run(args: Args) -> Result<bool> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let ticks = clock_ticks();
    let base = load(&http, &args).await?;
    println!(
        "워크숍 벤치: 참가자 {}명, 활동 {} 초",
        args.learners, args.seconds
    );
    print_load("시작 전", &base, &base);

    // 1. Join.
    let started = Instant::now();
    let room = Arc::new(Room::join(&http, &args, args.learners).await?);
    let join_s = started.elapsed().as_secs_f64();
    println!(
        "\n1. 참가 ({}명, 8명씩 동시에; 네임스페이스 만드는 Kubernetes 시간 포함)",
        room.learners.len()
    );
    let joins: Vec<&Sample> = room.joins.iter().collect();
    report("참가 요청", &joins);
    println!("  전체 {join_s:.1} s");

    // 2. Tabs.
    let mut tabs = Vec::new();
    let one = open_tabs(&http, &args, &room, &mut tabs).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_one = load(&http, &args).await?;
    println!("\n2. 실시간 스트림 (탭 하나당 토픽 6개)");
    println!(
        "  탭 1개씩 모두 실시간이 되기까지 {:.1} s",
        one.as_secs_f64()
    );
    print_load("참가자당 탭 1개", &after_one, &base);
    let two = open_tabs(&http, &args, &room, &mut tabs).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_two = load(&http, &args).await?;
    println!(
        "  탭 2개째 모두 실시간이 되기까지 {:.1} s",
        two.as_secs_f64()
    );
    print_load("참가자당 탭 2개", &after_two, &base);
    let per_ns = (after_one.portal_watches - base.portal_watches) / room.learners.len() as f64;
    // A watch per tab would add one per learner; the API server's other clients
    // (controllers, kubelet) open and close a few of their own meanwhile, so a change
    // below a tenth of the learners is theirs.
    let noise = (room.learners.len() as f64 / 10.0).max(2.0);
    let tabs_free = after_two.portal_watches == after_one.portal_watches
        && after_two.apiserver_watches <= after_one.apiserver_watches + noise;
    println!(
        "  네임스페이스당 watch {per_ns:.1}개; 탭을 두 배로 늘려도 watch 는 {}",
        if tabs_free {
            "그대로 (목표 달성)"
        } else {
            "늘었음 (목표 미달)"
        }
    );

    // 3. Activity.
    println!(
        "\n3. 활동 {} 초 (참가자마다 약 10 초에 한 번; 진행자 화면은 5 초마다)",
        args.seconds
    );
    let cpu0 = cpu_ticks(args.pid)?;
    let t0 = Instant::now();
    let window = Duration::from_secs(args.seconds);
    let activity = tokio::spawn(room.clone().act(http.clone(), args.clone(), window));
    let mut rss_max: f64 = 0.0;
    while t0.elapsed() < window {
        rss_max = rss_max.max(rss_mb(args.pid)?);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let samples = activity.await?;
    let cpu_s = (cpu_ticks(args.pid)? - cpu0) as f64 / ticks;
    let elapsed = t0.elapsed().as_secs_f64();
    let of = |k: Kind| -> Vec<&Sample> { samples.iter().filter(|s| s.kind == k).collect() };
    let page_p99 = report("레슨 페이지 GET", &of(Kind::Page));
    let mut portal_only: Vec<&Sample> = of(Kind::Visited);
    portal_only.extend(of(Kind::Done));
    portal_only.extend(of(Kind::Preview));
    report("  방문 기록 (lesson-visited)", &of(Kind::Visited));
    report("  완료 표시 (lesson-done)", &of(Kind::Done));
    report("  릴리스 미리보기 (release-preview)", &of(Kind::Preview));
    let action_p99 = report("동작 (위 셋, 포털 시간만)", &portal_only);
    report("릴리스 선택지 (노드 이미지 조회 포함)", &of(Kind::Options));
    report("진행자 화면 (host-overview)", &of(Kind::Host));
    let during = load(&http, &args).await?;
    println!(
        "  포털 CPU {:.1}% (코어 하나 기준, {cpu_s:.1} s / {elapsed:.1} s) · RSS 최대 {rss_max:.1} MB",
        cpu_s / elapsed * 100.0
    );
    print_load("활동 끝", &during, &base);

    let dropped = tabs.iter().filter(|t| t.seen().ended.is_some()).count();
    let errors = samples.iter().filter(|s| !s.ok).count();
    println!(
        "  끊긴 스트림 {dropped} / {} · 실패한 요청 {errors} / {}",
        tabs.len(),
        samples.len()
    );

    println!("\n목표");
    let verdict = |ok: bool| if ok { "달성" } else { "미달" };
    let rss = rss_max.max(after_two.rss_mb);
    println!(
        "  RSS < {TARGET_RSS_MB:.0} MB: {rss:.1} MB — {}",
        verdict(rss < TARGET_RSS_MB)
    );
    println!(
        "  watch 는 네임스페이스만큼, 탭과 무관: {per_ns:.1}/네임스페이스 — {}",
        verdict(tabs_free)
    );
    println!(
        "  동작 p99 < {TARGET_ACTION_P99_MS:.0} ms: {action_p99:.1} ms — {} (페이지 p99 {page_p99:.1} ms)",
        verdict(action_p99 < TARGET_ACTION_P99_MS)
    );

    drop(tabs);
    let ended = room.end(&http, &args).await;
    println!("\n워크숍 끝내기: {ended}");
    Ok(dropped == 0 && errors * 100 <= samples.len())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("벤치 도중 요청이 실패하거나 스트림이 끊겼습니다");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("벤치 실패: {e}");
            ExitCode::FAILURE
        }
    }
}
