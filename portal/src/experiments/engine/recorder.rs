//! The run being recorded: steps, timeline marks, figures and the verdict. Every change
//! is published at once, so the learner watches the timeline grow.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::lab::Lab;
use crate::clock::now_ms;
use crate::live::{ExperimentRun, Figure, Mark, MarkKind, MixSecond, RunPhase};

/// A run's timeline is capped; the oldest entries are the ones that explain the start.
const MAX_MARKS: usize = 400;

#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    lab: Arc<Lab>,
    namespace: String,
    started: Instant,
    run: Mutex<ExperimentRun>,
}

impl Recorder {
    pub fn new(lab: Arc<Lab>, namespace: &str, experiment: &str, variant: &str) -> Self {
        let run = ExperimentRun {
            experiment: experiment.to_owned(),
            variant: variant.to_owned(),
            run_id: lab.next_run_id(),
            started_ms: now_ms(),
            step: "준비 중".into(),
            ..Default::default()
        };
        let recorder = Self {
            inner: Arc::new(Inner {
                lab,
                namespace: namespace.to_owned(),
                started: Instant::now(),
                run: Mutex::new(run),
            }),
        };
        recorder.publish();
        recorder
    }

    fn change(&self, f: impl FnOnce(&mut ExperimentRun)) {
        {
            let mut run = self.inner.run.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut run);
        }
        self.publish();
    }

    fn publish(&self) {
        let run = self.snapshot();
        self.inner.lab.publish(&self.inner.namespace, &run);
    }

    pub fn snapshot(&self) -> ExperimentRun {
        self.inner
            .run
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Milliseconds from the start of the run to `at`.
    pub fn ms(&self, at: Instant) -> i64 {
        at.saturating_duration_since(self.inner.started).as_millis() as i64
    }

    /// Seconds between two instants, as the figures show them.
    pub fn secs(from: Instant, to: Instant) -> f64 {
        to.saturating_duration_since(from).as_secs_f64()
    }

    /// A new step (also a timeline entry, so the order of steps stays visible).
    pub fn step(&self, text: impl Into<String>) {
        let text = text.into();
        tracing::info!(namespace = %self.inner.namespace, step = %text, "experiment step");
        let at_ms = self.ms(Instant::now());
        self.change(|r| {
            r.step = text.clone();
            push(
                r,
                Mark {
                    at_ms,
                    kind: MarkKind::Action,
                    text,
                },
            );
        });
    }

    pub fn mark(&self, kind: MarkKind, text: impl Into<String>) {
        self.mark_at(Instant::now(), kind, text);
    }

    pub fn mark_at(&self, at: Instant, kind: MarkKind, text: impl Into<String>) {
        let at_ms = self.ms(at);
        let text = text.into();
        self.change(|r| push(r, Mark { at_ms, kind, text }));
    }

    pub fn figure(&self, key: &str, label: &str, value: impl Into<String>) {
        let value = value.into();
        self.change(|r| {
            if let Some(f) = r.figures.iter_mut().find(|f| f.key == key) {
                f.value = value;
            } else {
                r.figures.push(Figure {
                    key: key.to_owned(),
                    label: label.to_owned(),
                    value,
                });
            }
        });
    }

    pub fn set_mix(&self, mix: Vec<MixSecond>) {
        self.change(|r| r.mix = mix);
    }

    /// Ends the run: phase, verdict, stored for later visits.
    pub async fn finish(&self, phase: RunPhase, verdict: impl Into<String>) {
        let verdict = verdict.into();
        let at_ms = self.ms(Instant::now());
        tracing::info!(namespace = %self.inner.namespace, phase = phase.as_str(), %verdict, "experiment finished");
        self.change(|r| {
            r.phase = phase;
            r.finished_ms = Some(now_ms());
            r.step = match phase {
                RunPhase::Passed => "성공".into(),
                RunPhase::Failed => "실패".into(),
                RunPhase::Stopped => "중단".into(),
                RunPhase::Running => r.step.clone(),
            };
            push(
                r,
                Mark {
                    at_ms,
                    kind: MarkKind::Verdict,
                    text: verdict.clone(),
                },
            );
            r.verdict = Some(verdict);
        });
        let run = self.snapshot();
        self.inner.lab.persist(&self.inner.namespace, &run).await;
    }
}

fn push(run: &mut ExperimentRun, mark: Mark) {
    if run.timeline.len() >= MAX_MARKS && mark.kind != MarkKind::Verdict {
        run.dropped += 1;
        return;
    }
    // Marks can arrive slightly out of order (log lines, watch events); keep time order.
    let at = run.timeline.partition_point(|m| m.at_ms <= mark.at_ms);
    run.timeline.insert(at, mark);
}
