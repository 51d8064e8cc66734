//! The lessons never lie: every runnable command block of content/ is executed, lesson
//! by lesson in reading order, against the local cluster with the real helm and
//! kubectl, and compared with its expected output. Prints the counts the issue asks for.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::fs::File;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use e2e::expect::Expected;
use e2e::{Tools, chart_dir, ready_pods, repo_root, wait_for};
use portal::lessons::{Library, ShellClass, SkipReason, StartState};

/// No single block may run longer than this (the longest, 3-5's request loop, ~1 min).
const BLOCK_TIMEOUT: &str = "300";

const RELEASE_PODS: &str = "app.kubernetes.io/instance=hello";

/// Puts the cluster where a lesson says it starts: no release, or the chart installed at
/// its defaults with revision 1 as the baseline. A release still in that state (the
/// lessons before left it as `helm install` made it) is kept, as a learner would.
fn prepare(start: StartState) {
    if start == StartState::Installed && at_baseline() {
        return;
    }
    let _ = Tools.helm(&["uninstall", "hello", "--wait", "--timeout", "180s"]);
    wait_for("namespace hello gone", Duration::from_secs(180), || {
        Tools
            .kubectl(&["get", "namespace", "hello"])
            .is_err()
            .then_some(())
    })
    .unwrap();
    if start == StartState::Installed {
        let chart = chart_dir();
        Tools
            .helm(&[
                "install",
                "hello",
                chart.to_str().unwrap(),
                "--wait",
                "--timeout",
                "180s",
            ])
            .unwrap();
    }
}

/// Whether the release is exactly one install with no values of its own, and its two
/// pods are Ready with none on the way out (waiting a little for a deleted pod to go).
fn at_baseline() -> bool {
    let revisions = Tools
        .helm(&["history", "hello", "-o", "json"])
        .ok()
        .and_then(|out| serde_json::from_str::<serde_json::Value>(&out).ok());
    let one_install = revisions
        .as_ref()
        .and_then(serde_json::Value::as_array)
        .is_some_and(|r| r.len() == 1 && r[0]["status"] == "deployed");
    let no_values = Tools
        .helm(&["get", "values", "hello", "-o", "json"])
        .ok()
        .and_then(|out| serde_json::from_str::<serde_json::Value>(&out).ok())
        .is_some_and(|v| v.is_null() || v.as_object().is_some_and(|o| o.is_empty()));
    if !(one_install && no_values) {
        return false;
    }
    wait_for("two Ready pods", Duration::from_secs(60), two_ready_pods).is_ok()
}

/// Both pods of the release Ready, and no third one starting or terminating.
fn two_ready_pods() -> Option<()> {
    let args = [
        "get",
        "pods",
        "-n",
        "hello",
        "-l",
        RELEASE_PODS,
        "-o",
        "json",
    ];
    let all = Tools.kubectl_json(&args).ok()?;
    let total = all["items"].as_array().map_or(0, Vec::len);
    let ready = ready_pods("hello", RELEASE_PODS).ok()?.len();
    (total == 2 && ready == 2).then_some(())
}

/// Runs a block the way a learner's shell would, bounded in time. Returns whether it
/// succeeded and its stdout (with stderr appended when it failed, for the report).
///
/// The output goes to files, not pipes: a background job the block left behind (a
/// server whose `kill` never came because an earlier line failed) would otherwise hold
/// the pipe open. `timeout` leads its own process group, so whatever is left of the
/// block is killed with that group once the shell is done.
fn run_block(code: &str) -> (bool, String) {
    let dir = std::env::temp_dir();
    let (out_path, err_path) = (dir.join("lesson-block.out"), dir.join("lesson-block.err"));
    let mut child = Command::new("timeout")
        .args([BLOCK_TIMEOUT, "bash", "-euo", "pipefail", "-c", code])
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let group = format!("-{}", child.id());
    let _ = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stderr(Stdio::null())
        .status();
    let read =
        |path| String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
    let mut text = read(&out_path);
    if !status.success() {
        text.push_str(&read(&err_path));
        if status.code() == Some(124) {
            text.push_str(&format!("\n(시간 초과: {BLOCK_TIMEOUT} s)\n"));
        }
    }
    (status.success(), text)
}

#[test]
#[ignore = "needs the local cluster: ./dev.sh test"]
fn every_runnable_block_runs_and_prints_what_the_lesson_says() {
    let root = repo_root();
    let library = Library::load(&root.join("content"), &root).unwrap();
    let (mut total, mut runnable, mut executed, mut passed, mut compared) = (0, 0, 0, 0, 0);
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let started = Instant::now();

    for lesson in library.lessons() {
        total += lesson.shell_blocks.len();
        for block in &lesson.shell_blocks {
            if let ShellClass::Skip { reason } = block.class {
                *skipped.entry(reason.as_str()).or_default() += 1;
            }
        }
        let blocks: Vec<_> = lesson
            .shell_blocks
            .iter()
            .filter(|b| b.class.is_run())
            .collect();
        runnable += blocks.len();
        if blocks.is_empty() {
            continue;
        }
        let lesson_started = Instant::now();
        prepare(lesson.meta.start);
        for block in blocks {
            executed += 1;
            let block_started = Instant::now();
            let (ok, output) = run_block(&block.code);
            let mut problem = (!ok).then(|| "명령이 실패했습니다".to_owned());
            if ok && let Some(expect) = &block.expect {
                compared += 1;
                match Expected::parse(&expect.text) {
                    Ok(e) if e.matches(&output) => {}
                    Ok(_) => {
                        problem = Some(format!(
                            "출력이 기대 출력({}:{})과 다릅니다",
                            lesson.source.display(),
                            expect.line
                        ))
                    }
                    Err(e) => problem = Some(e),
                }
            }
            eprintln!(
                "[lessons] {}:{} {} ({:.0} s)",
                lesson.source.display(),
                block.line,
                if problem.is_none() { "ok" } else { "실패" },
                block_started.elapsed().as_secs_f64()
            );
            match problem {
                None => passed += 1,
                Some(why) => {
                    failures.push(format!(
                        "{}:{} [{}] {why}\n--- 명령 ---\n{}--- 출력 ---\n{}",
                        lesson.source.display(),
                        block.line,
                        lesson.meta.id,
                        block.code,
                        output
                    ));
                    // Later blocks of this lesson depend on this one: stop the lesson.
                    break;
                }
            }
        }
        eprintln!(
            "[lessons] {} 끝 ({:.0} s)",
            lesson.meta.id,
            lesson_started.elapsed().as_secs_f64()
        );
    }
    prepare(StartState::Clean);

    // Blocks a learner types on a Linux machine with a cluster: everything except the
    // macOS-, minikube-, Docker-, ingress-, gateway-, mesh- and /etc/hosts-specific ones.
    let elsewhere: usize = [
        SkipReason::Macos,
        SkipReason::Minikube,
        SkipReason::Docker,
        SkipReason::Ingress,
        SkipReason::Gateway,
        SkipReason::Mesh,
        SkipReason::Hosts,
    ]
    .iter()
    .map(|r| skipped.get(r.as_str()).copied().unwrap_or(0))
    .sum();
    let linux = total - elsewhere;
    eprintln!(
        "\n[lessons] 명령 블록 {total}개: 실행 가능 {runnable}, 실행 {executed}, 통과 {passed}, 기대 출력 비교 {compared}"
    );
    eprintln!("[lessons] 설명용(이유별): {skipped:?}");
    eprintln!(
        "[lessons] 리눅스 + 클러스터에서 치는 블록 {linux}개 중 실행 가능 {runnable}개 = {:.0}% (목표 ≥ 90%), {:.0} s",
        100.0 * runnable as f64 / linux.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{}개 실패:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
