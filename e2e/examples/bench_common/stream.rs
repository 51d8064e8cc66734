//! SSE subscribers for the benches: one per simulated browser tab, each read on its own
//! task, recording which topics are live and which Events arrived when.

// Shared by both benches; each uses part of it.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portal::live::{FeedState, Item, Topic, Wire};
use tokio::task::JoinHandle;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What one SSE client has received so far.
#[derive(Debug, Default)]
pub struct Seen {
    /// Topics whose last state message said live.
    pub live: HashSet<Topic>,
    /// Event uid → when it first arrived (in an upsert, or a snapshot after lagging).
    pub events: HashMap<String, Instant>,
    snapshots: HashSet<Topic>,
    /// Snapshots past the first per topic: the client lagged and was resynced.
    pub resyncs: usize,
    /// Why the stream ended, if it did.
    pub ended: Option<String>,
}

/// One browser tab's stream, read on its own task; dropped = disconnected.
#[derive(Debug)]
pub struct Subscriber {
    seen: Arc<Mutex<Seen>>,
    task: JoinHandle<()>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Subscriber {
    pub fn open(http: &reqwest::Client, url: &str, topics: &str) -> Self {
        Self::open_as(http, url, topics, None)
    }

    /// The stream of the browser holding `cookie` (a workshop learner's session).
    pub fn open_as(http: &reqwest::Client, url: &str, topics: &str, cookie: Option<&str>) -> Self {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut request = http.get(format!("{url}/api/live?topics={topics}"));
        request = request.header("accept", "text/event-stream");
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let task = tokio::spawn(read_stream(request, seen.clone()));
        Subscriber { seen, task }
    }

    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        lock(&self.seen)
    }

    /// Every one of these Event uids has arrived.
    pub fn has_all<'a>(&self, uids: impl IntoIterator<Item = &'a str>) -> bool {
        let seen = self.seen();
        uids.into_iter().all(|uid| seen.events.contains_key(uid))
    }

    /// Every one of these topics said live last.
    pub fn live_on(&self, topics: &[Topic]) -> bool {
        let seen = self.seen();
        seen.ended.is_none() && topics.iter().all(|t| seen.live.contains(t))
    }
}

fn lock(seen: &Mutex<Seen>) -> MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(|p| p.into_inner())
}

async fn read_stream(request: reqwest::RequestBuilder, seen: Arc<Mutex<Seen>>) {
    let why = match stream_into(request, &seen).await {
        Ok(()) => "the portal closed the stream".to_owned(),
        Err(e) => e.to_string(),
    };
    lock(&seen).ended = Some(why);
}

async fn stream_into(request: reqwest::RequestBuilder, seen: &Mutex<Seen>) -> Result<()> {
    let mut response = request.send().await?.error_for_status()?;
    let mut buf = Vec::new();
    // The portal sends a keep-alive comment every 15 s: silence past 40 s is a failure.
    let silence = Duration::from_secs(40);
    while let Some(chunk) = tokio::time::timeout(silence, response.chunk())
        .await
        .map_err(|_| "no data on the stream for 40 s")??
    {
        let now = Instant::now();
        buf.extend_from_slice(&chunk);
        while let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=end).collect();
            if let Some(data) = line.strip_prefix(b"data:") {
                let wire: Wire = serde_json::from_slice(data.trim_ascii())?;
                record(&mut lock(seen), wire, now);
            }
        }
    }
    Ok(())
}

fn record(seen: &mut Seen, wire: Wire, now: Instant) {
    let mut event = |item: Item| {
        if let Item::Event(e) = item {
            seen.events.entry(e.uid).or_insert(now);
        }
    };
    match wire {
        Wire::Upsert { item, .. } => event(*item),
        Wire::Snapshot { topic, items } => {
            items.into_iter().for_each(event);
            if !seen.snapshots.insert(topic) {
                seen.resyncs += 1;
            }
        }
        Wire::State { topic, state, .. } => {
            if state == FeedState::Live {
                seen.live.insert(topic);
            } else {
                seen.live.remove(&topic);
            }
        }
        Wire::Delete { .. } => {}
    }
}
