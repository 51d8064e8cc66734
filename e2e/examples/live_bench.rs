//! Benchmark of issue 4, against a running portal and the local cluster; prints figures
//! (not a timed test: exits 0 unless something broke). 1. Watch → browser latency: one
//! SSE client on `events`, core/v1 Events created 4 per second, each timed from its create
//! call returning to the `upsert` with its uid. 2. Fan-out: 10, 100, 200 SSE clients on
//! five topics; per level the API watches (must not grow), live connections, RSS and CPU
//! over a 10 s window in which 10 Events are created, and whether every client got them.
//! `e2e/bench/live.sh` starts a portal and runs this with
//!   --url http://127.0.0.1:PORT --pid PID [--namespace hello-bench] [--changes 100]

// A benchmark's output is its figures: printing is the point here (the workspace lints
// forbid printing in library code).
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "bench_common/proc.rs"]
mod proc_stats;
#[path = "bench_common/stream.rs"]
mod stream;

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::Event;
use kube::api::PostParams;
use kube::{Api, Client};
use portal::live::Topic;

use proc_stats::{clock_ticks, cpu_ticks, metrics, rss_mb};
use stream::{Seen, Subscriber};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TARGET_P99_MS: f64 = 250.0;
/// Between two created events: 4 per second at most.
const SPACING: Duration = Duration::from_millis(250);
const FANOUT_TOPICS: &str = "pods,events,deployments,replicasets,endpoints";
const LEVELS: [usize; 3] = [10, 100, 200];
const WINDOW: Duration = Duration::from_secs(10);
const WINDOW_CHANGES: u32 = 10;

#[derive(Debug)]
struct Args {
    url: String,
    pid: u32,
    namespace: String,
    changes: usize,
}

fn args() -> Result<Args> {
    let (mut url, mut pid, mut namespace, mut changes) = (None, None, "hello-bench".into(), 100);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => url = Some(value.trim_end_matches('/').to_owned()),
            "--pid" => pid = Some(value.parse()?),
            "--namespace" => namespace = value,
            "--changes" => changes = value.parse()?,
            _ => {
                return Err(
                    format!("unknown flag {flag} (--url --pid --namespace --changes)").into(),
                );
            }
        }
    }
    let url = url.ok_or("--url http://HOST:PORT is required")?;
    let pid = pid.ok_or("--pid PID (the portal's) is required")?;
    Ok(Args {
        url,
        pid,
        namespace,
        changes: changes.clamp(1, 1000),
    })
}

/// An Event the bench created.
#[derive(Debug)]
struct Created {
    uid: String,
    /// When the create call was made, and when it returned.
    sent: Instant,
    returned: Instant,
}

/// Creates a uniquely named core/v1 Event.
async fn create(api: &Api<Event>, ns: &str, name: &str) -> Result<Created> {
    let event: Event = serde_json::from_value(serde_json::json!({
        "metadata": { "name": name, "namespace": ns },
        "involvedObject": { "apiVersion": "v1", "kind": "ConfigMap", "name": "live-bench", "namespace": ns },
        "reason": "LiveBench", "message": format!("live bench: {name}"), "type": "Normal",
        "count": 1, "source": { "component": "live-bench" },
    }))?;
    let sent = Instant::now();
    let created = api.create(&PostParams::default(), &event).await?;
    let returned = Instant::now();
    let uid = created.metadata.uid.ok_or("created event has no uid")?;
    Ok(Created {
        uid,
        sent,
        returned,
    })
}

/// Polls `done` every 20 ms until it holds or `limit` passes.
async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while !done() {
        if Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    let at = rank.clamp(1, sorted.len().max(1)) - 1;
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

/// Sorts and formats "p50 / p99 / max".
fn summary(ms: &mut [f64]) -> String {
    ms.sort_by(f64::total_cmp);
    let max = ms.last().copied().unwrap_or(f64::NAN);
    let (p50, p99) = (percentile(ms, 50.0), percentile(ms, 99.0));
    format!("{p50:.1} / {p99:.1} / {max:.1}")
}

/// Milliseconds from `from` of each created event to its arrival (0 if it came first);
/// missing ones are left out.
fn latencies(seen: &Seen, created: &[Created], from: fn(&Created) -> Instant) -> Vec<f64> {
    let ms = |c: &Created| {
        let got: &Instant = seen.events.get(&c.uid)?;
        Some(got.saturating_duration_since(from(c)).as_secs_f64() * 1000.0)
    };
    created.iter().filter_map(ms).collect()
}

async fn latency(http: &reqwest::Client, args: &Args, api: &Api<Event>, run: u128) -> Result<()> {
    let sub = Subscriber::open(http, &args.url, "events");
    let live = || sub.seen().live.contains(&Topic::Events);
    if !wait_until(Duration::from_secs(30), live).await {
        return Err(format!("events feed not live in 30 s: {:?}", sub.seen().ended).into());
    }
    let mut created = Vec::new();
    for i in 1..=args.changes {
        let next = tokio::time::sleep(SPACING);
        let name = format!("live-bench-{run}-latency-{i}");
        created.push(create(api, &args.namespace, &name).await?);
        next.await;
    }
    wait_until(Duration::from_secs(10), || {
        sub.has_all(created.iter().map(|c| c.uid.as_str()))
    })
    .await;
    let first = {
        let seen = sub.seen();
        let early = |c: &&Created| seen.events.get(&c.uid).is_some_and(|t| *t < c.returned);
        created.iter().filter(early).count()
    };
    let mut ms = latencies(&sub.seen(), &created, |c| c.returned);
    let mut from_sent = latencies(&sub.seen(), &created, |c| c.sent);
    let missing = created.len() - ms.len();
    let figures = summary(&mut ms);
    let pass = missing == 0 && percentile(&ms, 99.0) < TARGET_P99_MS;
    println!("\n1. watch → browser latency (create call returned → SSE upsert with its uid)");
    let n = created.len();
    println!(
        "   {n} events, 4/s: {} arrived, {missing} missing",
        ms.len()
    );
    println!("   ({first} arrived before their create call returned: counted as 0 ms)");
    println!("   p50 / p99 / max: {figures} ms");
    let upper = summary(&mut from_sent);
    println!("   from the create call made instead (adds the API server's write): {upper} ms");
    let verdict = if pass { "PASS" } else { "FAIL" };
    println!("   target p99 < {TARGET_P99_MS} ms: {verdict}");
    Ok(())
}

async fn fanout(http: &reqwest::Client, args: &Args, api: &Api<Event>, run: u128) -> Result<()> {
    let (tck, me, topics) = (
        clock_ticks(),
        std::process::id(),
        FANOUT_TOPICS.split(',').count(),
    );
    println!("\n2. fan-out: topics {FANOUT_TOPICS}");
    println!("   {WINDOW_CHANGES} events created in each {WINDOW:?} window; CPU over the window");
    println!(
        "    subs  watches  started  conns  RSS MB   CPU %  bench %   got all     delivery p50/p99/max  resyncs"
    );
    let (mut subs, mut watches) = (Vec::<Subscriber>::new(), Vec::new());
    for level in LEVELS {
        while subs.len() < level {
            subs.push(Subscriber::open(http, &args.url, FANOUT_TOPICS));
        }
        let live = |s: &Subscriber| s.seen().live.len() == topics;
        if !wait_until(Duration::from_secs(60), || subs.iter().all(live)).await {
            let ok = subs.iter().filter(|s| live(s)).count();
            let why = subs.iter().find_map(|s| s.seen().ended.clone());
            return Err(format!("{ok}/{level} subscribers live after 60 s; {why:?}").into());
        }
        let (cpu0, bench0, t0) = (cpu_ticks(args.pid)?, cpu_ticks(me)?, Instant::now());
        let mut created = Vec::new();
        for i in 1..=WINDOW_CHANGES {
            tokio::time::sleep_until((t0 + WINDOW * i / (WINDOW_CHANGES + 1)).into()).await;
            let name = format!("live-bench-{run}-fanout{level}-{i}");
            created.push(create(api, &args.namespace, &name).await?);
        }
        tokio::time::sleep_until((t0 + WINDOW).into()).await;
        let secs = t0.elapsed().as_secs_f64();
        let cpu = (cpu_ticks(args.pid)? - cpu0) as f64 / tck / secs * 100.0;
        let bench = (cpu_ticks(me)? - bench0) as f64 / tck / secs * 100.0;
        let (rss, m) = (rss_mb(args.pid)?, metrics(http, &args.url).await?);
        wait_until(Duration::from_secs(10), || {
            subs.iter()
                .all(|s| s.has_all(created.iter().map(|c| c.uid.as_str())))
        })
        .await;
        let complete = subs
            .iter()
            .filter(|s| s.has_all(created.iter().map(|c| c.uid.as_str())))
            .count();
        let mut ms: Vec<f64> = subs
            .iter()
            .flat_map(|s| latencies(&s.seen(), &created, |c| c.returned))
            .collect();
        let resyncs: usize = subs.iter().map(|s| s.seen().resyncs).sum();
        let ended = subs.iter().filter(|s| s.seen().ended.is_some()).count();
        let get = |k: &str| m.get(k).map_or("?".to_owned(), f64::to_string);
        watches.push(get("portal_api_watches"));
        println!(
            "   {level:>5} {:>8} {:>8} {:>6} {rss:>7.1} {cpu:>7.1} {bench:>8.1} {:>9} {:>24} {resyncs:>7}",
            get("portal_api_watches"),
            get("portal_api_watches_started_total"),
            get("portal_live_connections"),
            format!("{complete}/{level}"),
            summary(&mut ms) + " ms",
        );
        if ended > 0 {
            println!("   ! {ended} streams ended early");
        }
    }
    let constant = watches.windows(2).all(|w| w[0] == w[1]);
    let verdict = if constant {
        "constant: PASS"
    } else {
        "changed: FAIL"
    };
    println!(
        "   API watches across levels: {} ({verdict})",
        watches.join(", ")
    );
    println!("   (CPU % and bench % are of one core: the portal's and this client's own)");
    Ok(())
}

async fn run() -> Result<()> {
    let args = args()?;
    let exe = std::fs::read_link(format!("/proc/{}/exe", args.pid))?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "live bench: portal {} (pid {}) at {}",
        exe.display(),
        args.pid,
        args.url
    );
    println!(
        "namespace {}; {cores} CPUs, load average {}",
        args.namespace,
        load.trim()
    );
    let builder = reqwest::Client::builder().no_proxy();
    let http = builder.connect_timeout(Duration::from_secs(5)).build()?;
    let run = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let api = Api::namespaced(Client::try_default().await?, &args.namespace);
    latency(&http, &args, &api, run).await?;
    fanout(&http, &args, &api, run).await?;
    println!("\nportal RSS at the end: {:.1} MB", rss_mb(args.pid)?);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("live bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}
