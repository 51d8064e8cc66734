//! What the live bench observes: SSE subscribers (one per simulated browser tab), the
//! portal's `/metrics`, and its CPU time and RSS from `/proc`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portal::live::{FeedState, Item, Topic, Wire};
use tokio::task::JoinHandle;

use crate::{Created, Result};

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
        let seen = Arc::new(Mutex::new(Seen::default()));
        let request = http.get(format!("{url}/api/live?topics={topics}"));
        let request = request.header("accept", "text/event-stream");
        let task = tokio::spawn(read_stream(request, seen.clone()));
        Subscriber { seen, task }
    }

    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        lock(&self.seen)
    }

    pub fn has_all(&self, created: &[Created]) -> bool {
        let seen = self.seen();
        created.iter().all(|c| seen.events.contains_key(&c.uid))
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

pub async fn metrics(http: &reqwest::Client, url: &str) -> Result<HashMap<String, f64>> {
    let request = http
        .get(format!("{url}/metrics"))
        .timeout(Duration::from_secs(10));
    let text = request.send().await?.error_for_status()?.text().await?;
    let value = |l: &str| {
        let (k, v) = l.split_once(' ')?;
        Some((k.to_owned(), v.trim().parse().ok()?))
    };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(value)
        .collect())
}

/// utime + stime of a process in clock ticks (proc(5) fields 14 and 15).
pub fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_comm = stat.rsplit_once(')').ok_or("odd /proc stat")?.1;
    // Field 3 (state) comes first.
    let mut fields = after_comm.split_whitespace().skip(11);
    let mut next = || -> Result<u64> { Ok(fields.next().ok_or("short /proc stat")?.parse()?) };
    Ok(next()? + next()?)
}

pub fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    let kb: f64 = line.split_whitespace().nth(1).ok_or("odd VmRSS")?.parse()?;
    Ok(kb / 1024.0)
}

pub fn clock_ticks() -> f64 {
    let out = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output();
    let ticks = out
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok());
    ticks.unwrap_or(100.0)
}
