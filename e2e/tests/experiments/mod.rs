//! What every experiment test does: a portal on its own namespace and database, a
//! browser on the experiment's lesson, the release installed from the page, a button
//! clicked, the run followed to its verdict, the figures read from the page.
#![allow(dead_code)] // each test binary uses a part

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use e2e::browser::{Driver, click, eventually, js, save_screenshot, wait_until};
use e2e::portal::Portal;
use fantoccini::Client;
use serde_json::Value;

/// One namespace for all experiment tests (they run one at a time).
pub const NS: &str = "hello-exps";

pub struct Bench {
    pub portal: Portal,
    pub driver: Driver,
    pub c: Client,
}

pub fn database() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("hk-exps-{}.sqlite3", std::process::id()))
}

/// Portal + browser on `lesson`, with the release installed (from the page if needed).
pub async fn open(lesson: &str, experiment: &str) -> Bench {
    open_in(NS, lesson, experiment).await
}

/// [`open`] in namespace `ns` (a test binary of its own, running beside the others).
pub async fn open_in(ns: &str, lesson: &str, experiment: &str) -> Bench {
    let db = database();
    let _ = std::fs::remove_file(&db);
    let portal = Portal::start(db, &[("PORTAL_NAMESPACE", ns)]);
    let driver = Driver::start();
    let c = driver.browser(&format!("exp-{experiment}")).await;
    goto(&c, &portal, lesson, experiment).await;
    let installed = js(
        &c,
        "return !document.querySelector('[data-precondition=release]');",
    )
    .await;
    if installed != Value::Bool(true) {
        click(&c, "[data-action=exp-install]").await;
        eventually(
            &c,
            "release installed",
            "!document.querySelector('[data-precondition=release]')",
            Duration::from_secs(60),
        )
        .await;
    }
    Bench { portal, driver, c }
}

/// Opens the lesson and waits for its experiment panel to be live.
pub async fn goto(c: &Client, portal: &Portal, lesson: &str, experiment: &str) {
    c.goto(&portal.url(&format!("/lessons/{lesson}")))
        .await
        .unwrap();
    eventually(
        c,
        "experiment panel live",
        &format!("document.querySelector('[data-experiment={experiment}] [data-live=live]')"),
        Duration::from_secs(30),
    )
    .await;
}

/// A finished run as the page shows it.
#[derive(Debug)]
pub struct Run {
    pub phase: String,
    pub verdict: String,
    pub figures: BTreeMap<String, String>,
    pub timeline: Vec<String>,
    pub took: Duration,
}

impl Run {
    pub fn figure(&self, key: &str) -> &str {
        self.figures.get(key).map_or("", String::as_str)
    }

    /// The leading number of a figure (`14.8초` → 14.8).
    pub fn number(&self, key: &str) -> f64 {
        let text = self.figure(key);
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        text[..end]
            .parse()
            .unwrap_or_else(|_| panic!("figure {key} is not a number: {text:?}"))
    }

    /// `a/b` figures.
    pub fn ratio(&self, key: &str) -> (u32, u32) {
        let (a, b) = self.figure(key).split_once('/').unwrap_or(("", ""));
        (
            a.trim().parse().unwrap_or(u32::MAX),
            b.trim().parse().unwrap_or(0),
        )
    }

    /// The measured figures, for the closing report (test output goes to stderr).
    #[allow(clippy::print_stderr)]
    pub fn print(&self, name: &str) {
        eprintln!(
            "[experiments] {name}: {} in {:.1} s",
            self.phase,
            self.took.as_secs_f64()
        );
        for (k, v) in &self.figures {
            eprintln!("[experiments]   {k} = {v}");
        }
        eprintln!("[experiments]   판정: {}", self.verdict);
    }
}

/// Longer than the portal's own bound on a run (5 minutes) and its reset.
const VERDICT_WAIT: Duration = Duration::from_secs(400);

fn run_selector(experiment: &str) -> String {
    format!("[data-experiment={experiment}] .exp-run")
}

/// Clicks the variant's button and waits for the verdict of the new run.
pub async fn run(c: &Client, experiment: &str, variant: &str) -> Run {
    let sel = run_selector(experiment);
    let before = js(
        c,
        &format!("return document.querySelector('{sel}')?.dataset.runId ?? '';"),
    )
    .await;
    eventually(
        c,
        "button enabled",
        &format!("!document.querySelector('[data-experiment={experiment}] button[data-variant=\"{variant}\"]').disabled"),
        Duration::from_secs(60),
    )
    .await;
    let started = Instant::now();
    click(
        c,
        &format!("[data-experiment={experiment}] button[data-variant=\"{variant}\"]"),
    )
    .await;
    let done = format!(
        "(() => {{ const r = document.querySelector('{sel}'); return r && r.dataset.runId !== {before} && r.dataset.runVariant === '{variant}' && r.dataset.runPhase !== 'running'; }})()"
    );
    // The portal bounds a run at 5 minutes; past that, what the run shows (its step and
    // timeline) says where it stuck.
    if wait_until(c, &done, VERDICT_WAIT).await.is_none() {
        let seen = read(c, experiment, started.elapsed()).await;
        seen.print(&format!("{experiment}:{variant} (no verdict)"));
        panic!(
            "{experiment}:{variant}: no verdict after {VERDICT_WAIT:?}; the panel shows phase {:?}, timeline:\n{}",
            seen.phase,
            seen.timeline.join("\n")
        );
    }
    let took = started.elapsed();
    js(c, &format!("document.querySelector('[data-experiment={experiment}] .exp-run').scrollIntoView({{block: 'start'}}); return true;")).await;
    save_screenshot(
        c,
        &format!(
            "experiment-{experiment}{}{variant}",
            if variant.is_empty() { "" } else { "-" }
        ),
    )
    .await;
    read(c, experiment, took).await
}

pub async fn read(c: &Client, experiment: &str, took: Duration) -> Run {
    let sel = run_selector(experiment);
    let v = js(
        c,
        &format!(
            "const r = document.querySelector('{sel}'); return {{
                phase: r.dataset.runPhase,
                verdict: r.querySelector('[data-verdict]')?.textContent ?? '',
                figures: Object.fromEntries([...r.querySelectorAll('[data-figure]')].map(e => [e.dataset.figure, e.textContent])),
                timeline: [...r.querySelectorAll('.exp-timeline li')].map(e => e.textContent),
            }};"
        ),
    )
    .await;
    Run {
        phase: v["phase"].as_str().unwrap_or_default().to_owned(),
        verdict: v["verdict"].as_str().unwrap_or_default().to_owned(),
        figures: v["figures"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        timeline: v["timeline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        took,
    }
}

/// Asserts the run passed, printing it either way.
pub fn passed(run: &Run, name: &str) {
    run.print(name);
    assert_eq!(
        run.phase, "passed",
        "{name}: {}\n{:#?}",
        run.verdict, run.timeline
    );
}

/// A server function called from the page (so the session cookie and Origin are the
/// browser's own): (status, body).
pub async fn post(c: &Client, endpoint: &str, body: &str) -> (u64, String) {
    let v = c
        .execute_async(
            &format!(
                "const done = arguments[0]; fetch('/api/{endpoint}', {{ method: 'POST', headers: {{ 'content-type': 'application/x-www-form-urlencoded' }}, body: {body:?} }}).then(r => r.text().then(t => done([r.status, t])));"
            ),
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_str().unwrap_or_default().to_owned(),
    )
}
