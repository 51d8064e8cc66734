//! The simulated room: learners joining with the workshop code, then acting at a learner's
//! pace through the same HTTP endpoints the browser uses (session cookie, Origin header,
//! server functions' form bodies).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::{Args, Result};

/// Lessons a learner moves between (one of each part, and the long Part 3 pages).
const PAGES: [&str; 5] = ["1-1", "1-4", "2-3", "3-4", "3-5"];
/// Joins in flight at once: a room arriving, not one burst.
const JOINING_AT_ONCE: usize = 8;
/// One step per learner every this long on average (±50 %).
const PACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Join,
    Page,
    Visited,
    Done,
    Preview,
    Options,
    Host,
}

#[derive(Debug, Clone)]
pub struct Sample {
    pub kind: Kind,
    pub ms: f64,
    pub ok: bool,
}

#[derive(Debug, Clone)]
pub struct Learner {
    /// `name=value` of the session cookie, as the browser would send it.
    pub cookie: String,
}

#[derive(Debug)]
pub struct Room {
    pub learners: Vec<Learner>,
    pub joins: Vec<Sample>,
}

/// A small xorshift: the bench needs jitter, not a random crate.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A server function call as the browser makes it.
fn call(
    http: &reqwest::Client,
    args: &Args,
    endpoint: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let mut r = http
        .post(format!("{}/api/{endpoint}", args.url))
        .header("origin", &args.url)
        .form(form)
        .timeout(Duration::from_secs(60));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r
}

/// Sends, reads the whole answer, and times both; the session cookie if one was set.
async fn timed(kind: Kind, request: reqwest::RequestBuilder) -> (Sample, Option<String>) {
    let t = Instant::now();
    let (ok, cookie) = match request.send().await {
        Ok(r) => {
            let ok = r.status().is_success();
            let cookie = session_cookie(&r);
            (r.bytes().await.is_ok() && ok, cookie)
        }
        Err(_) => (false, None),
    };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    (Sample { kind, ms, ok }, cookie)
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    let values = response.headers().get_all("set-cookie");
    e2e::session_cookie(values.iter().filter_map(|v| v.to_str().ok()))
}

impl Room {
    pub async fn join(http: &reqwest::Client, args: &Args, n: usize) -> Result<Self> {
        let gate = Arc::new(Semaphore::new(JOINING_AT_ONCE));
        let mut set = JoinSet::new();
        for i in 0..n {
            let (http, args, gate) = (http.clone(), args.clone(), gate.clone());
            set.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let name = format!("벤치 {i:03}");
                let request = call(
                    &http,
                    &args,
                    "workshop-join",
                    None,
                    &[("code", &args.code), ("name", &name)],
                );
                timed(Kind::Join, request).await
            });
        }
        let mut room = Room {
            learners: Vec::new(),
            joins: Vec::new(),
        };
        while let Some(joined) = set.join_next().await {
            let (sample, cookie) = joined?;
            match (sample.ok, cookie) {
                (true, Some(cookie)) => room.learners.push(Learner { cookie }),
                _ => return Err("a learner could not join (see the portal's log)".into()),
            }
            room.joins.push(sample);
        }
        Ok(room)
    }

    /// Every learner acting until `window` has passed; the host dashboard alongside.
    pub async fn act(
        self: Arc<Self>,
        http: reqwest::Client,
        args: Args,
        window: Duration,
    ) -> Vec<Sample> {
        let deadline = Instant::now() + window;
        let mut set = JoinSet::new();
        for (i, learner) in self.learners.iter().cloned().enumerate() {
            let (http, args) = (http.clone(), args.clone());
            set.spawn(async move {
                let mut rng = Jitter(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
                let mut samples = Vec::new();
                // Learners do not start in step.
                tokio::time::sleep(Duration::from_millis(rng.below(PACE.as_millis() as u64))).await;
                while Instant::now() < deadline {
                    samples.push(step(&http, &args, &learner, &mut rng).await);
                    let pause = PACE.as_millis() as u64 / 2 + rng.below(PACE.as_millis() as u64);
                    let left = deadline.saturating_duration_since(Instant::now());
                    tokio::time::sleep(Duration::from_millis(pause).min(left)).await;
                }
                samples
            });
        }
        {
            let (http, args) = (http.clone(), args.clone());
            set.spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    let request = call(
                        &http,
                        &args,
                        "host-overview",
                        None,
                        &[("token", &args.token)],
                    );
                    samples.push(timed(Kind::Host, request).await.0);
                    let left = deadline.saturating_duration_since(Instant::now());
                    tokio::time::sleep(Duration::from_secs(5).min(left)).await;
                }
                samples
            });
        }
        let mut all = Vec::new();
        while let Some(done) = set.join_next().await {
            all.extend(done.unwrap_or_default());
        }
        all
    }

    /// Ends the workshop (every learner namespace removed); says what the portal answered.
    pub async fn end(&self, http: &reqwest::Client, args: &Args) -> String {
        let request = call(http, args, "host-end", None, &[("token", &args.token)]);
        match request.send().await {
            Ok(r) => format!("{} {}", r.status(), r.text().await.unwrap_or_default()),
            Err(e) => e.to_string(),
        }
    }
}

/// One learner step: mostly reading and moving on, sometimes an action.
async fn step(http: &reqwest::Client, args: &Args, learner: &Learner, rng: &mut Jitter) -> Sample {
    let page = PAGES[rng.below(PAGES.len() as u64) as usize];
    let cookie = Some(learner.cookie.as_str());
    let request = match rng.below(10) {
        0..=3 => {
            let r = http
                .get(format!("{}/lessons/{page}", args.url))
                .header("cookie", &learner.cookie)
                .timeout(Duration::from_secs(60));
            return timed(Kind::Page, r).await.0;
        }
        4..=5 => (
            Kind::Visited,
            call(http, args, "lesson-visited", cookie, &[("id", page)]),
        ),
        6..=7 => {
            let done = if rng.below(2) == 0 { "true" } else { "false" };
            (
                Kind::Done,
                call(
                    http,
                    args,
                    "lesson-done",
                    cookie,
                    &[("id", page), ("done", done)],
                ),
            )
        }
        8 => (
            Kind::Preview,
            call(http, args, "release-preview", cookie, &[]),
        ),
        _ => (
            Kind::Options,
            call(http, args, "release-options", cookie, &[]),
        ),
    };
    timed(request.0, request.1).await.0
}
