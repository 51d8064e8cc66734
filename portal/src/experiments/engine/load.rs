//! The traffic an experiment sends through the Service while it changes things: one
//! request every interval, each on a new connection, every answer kept with its time,
//! status, answering pod and version. Bounded in count and time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::cluster::traffic::{Shooter, Target, Via};
use crate::experiments::error::Result;
use crate::live::MixSecond;

/// Never more than this many requests, nor for longer than [`MAX_TIME`].
const MAX_SHOTS: usize = 3000;
const MAX_TIME: Duration = Duration::from_secs(240);

#[derive(Debug, Clone)]
pub struct Shot {
    pub at: Instant,
    /// `None` when no answer came.
    pub status: Option<u16>,
    pub pod: Option<String>,
    /// The `version` of the hello answer.
    pub version: Option<String>,
    pub error: Option<String>,
}

impl Shot {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Debug)]
pub struct Load {
    shots: Arc<Mutex<Vec<Shot>>>,
    stop: watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
    pub via: Via,
}

impl Load {
    /// Starts `GET /` every `interval` through `shooter`.
    pub async fn start(shooter: Shooter, interval: Duration) -> Result<Self> {
        let shots: Arc<Mutex<Vec<Shot>>> = Arc::default();
        let (stop, mut stopped) = watch::channel(false);
        let via = shooter.via();
        let sink = shots.clone();
        let done = tokio::spawn(async move {
            let started = Instant::now();
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut inflight = tokio::task::JoinSet::new();
            let mut sent = 0;
            while sent < MAX_SHOTS && started.elapsed() < MAX_TIME {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                sent += 1;
                let shooter = shooter.clone();
                let sink = sink.clone();
                inflight.spawn(async move {
                    let at = Instant::now();
                    let shot = match shooter
                        .shoot(&Target {
                            post: false,
                            path_and_query: "/".into(),
                        })
                        .await
                    {
                        Ok(a) => Shot {
                            at,
                            status: Some(a.status),
                            version: serde_json::from_str::<serde_json::Value>(&a.body)
                                .ok()
                                .and_then(|v| v.get("version")?.as_str().map(str::to_owned)),
                            pod: a.pod,
                            error: None,
                        },
                        Err(e) => Shot {
                            at,
                            status: None,
                            pod: None,
                            version: None,
                            error: Some(e.to_string()),
                        },
                    };
                    sink.lock().unwrap_or_else(|p| p.into_inner()).push(shot);
                });
                // Reap finished requests so the set stays small.
                while inflight.try_join_next().is_some() {}
            }
            // Let the requests already sent finish (they are bounded by the client timeout).
            while inflight.join_next().await.is_some() {}
        });
        Ok(Self {
            shots,
            stop,
            done,
            via,
        })
    }

    /// A handle another task can read the answers through.
    pub fn handle(&self) -> Shots {
        Shots(self.shots.clone())
    }

    /// Answers received so far.
    pub fn sent(&self) -> usize {
        self.shots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Stops sending, waits for the answers still on their way, returns all of them.
    pub async fn stop(self) -> Vec<Shot> {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(35), self.done).await;
        let mut shots = self.shots.lock().unwrap_or_else(|p| p.into_inner()).clone();
        shots.sort_by_key(|s| s.at);
        shots
    }
}

/// The answers of a running [`Load`], readable from another task.
#[derive(Debug, Clone)]
pub struct Shots(Arc<Mutex<Vec<Shot>>>);

impl Shots {
    pub fn get(&self) -> Vec<Shot> {
        let mut shots = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        shots.sort_by_key(|s| s.at);
        shots
    }
}

/// Answers per second since `start`, by version, for the small chart.
pub fn mix(shots: &[Shot], start: Instant) -> Vec<MixSecond> {
    let mut out: Vec<MixSecond> = Vec::new();
    for shot in shots {
        let second = shot.at.saturating_duration_since(start).as_secs() as u32;
        if out.last().is_none_or(|m| m.second != second) {
            out.push(MixSecond {
                second,
                ..Default::default()
            });
        }
        let Some(bucket) = out.last_mut() else {
            continue;
        };
        match (&shot.version, shot.ok()) {
            (Some(v), true) => match bucket.versions.iter_mut().find(|(name, _)| name == v) {
                Some((_, n)) => *n += 1,
                None => bucket.versions.push((v.clone(), 1)),
            },
            _ => bucket.errors += 1,
        }
    }
    out
}

/// How the requests travel, for the timeline.
pub fn via_text(via: Via) -> &'static str {
    match via {
        Via::ClusterIp => "ClusterIP 로 직접, 요청마다 새 연결",
        Via::ServiceProxy => "API 서버의 서비스 프록시로",
        Via::PodProxy => "파드 프록시로",
    }
}

/// "요청 240개: 성공 240, 실패 0".
pub fn summary(shots: &[Shot]) -> String {
    let ok = shots.iter().filter(|s| s.ok()).count();
    format!(
        "요청 {}개: 성공 {ok}, 실패 {}",
        shots.len(),
        shots.len() - ok
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot(start: Instant, ms: u64, version: Option<&str>, status: Option<u16>) -> Shot {
        Shot {
            at: start + Duration::from_millis(ms),
            status,
            pod: None,
            version: version.map(str::to_owned),
            error: None,
        }
    }

    #[test]
    fn the_mix_counts_versions_and_errors_per_second() {
        let t = Instant::now();
        let shots = [
            shot(t, 100, Some("1.0.0"), Some(200)),
            shot(t, 900, Some("2.0.0"), Some(200)),
            shot(t, 950, Some("1.0.0"), Some(200)),
            shot(t, 1200, None, None),
            shot(t, 1300, Some("2.0.0"), Some(503)),
        ];
        let mix = mix(&shots, t);
        assert_eq!(mix.len(), 2);
        assert_eq!(
            mix[0].versions,
            vec![("1.0.0".to_owned(), 2), ("2.0.0".to_owned(), 1)]
        );
        assert_eq!((mix[1].second, mix[1].errors), (1, 2));
        assert_eq!(summary(&shots), "요청 5개: 성공 3, 실패 2");
    }
}
