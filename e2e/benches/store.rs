//! Benchmark (issue 16): the workshop's SQLite writes under a room of learners, with the
//! portal's options (`server::sqlite_options`: WAL, synchronous=normal, busy timeout)
//! against sqlx's defaults (rollback journal, synchronous=full), measured in the same
//! run on the same machine. Every learner touches its row, saves its progress and reads
//! the board, all at once, through the real `workshop::Store`.
//!   e2e/bench/store.sh [learners] [rounds]      (default 200 learners, 20 rounds)
#![allow(clippy::print_stdout, clippy::unwrap_used)] // a bench prints its table

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portal::progress::Progress;
use portal::workshop::Store;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

struct Figures {
    wall: Duration,
    p50: Duration,
    p99: Duration,
    ops: usize,
}

async fn measure(options: SqliteConnectOptions, learners: usize, rounds: usize) -> Figures {
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    let store = Arc::new(Store::open(portal::store::Db::Sqlite(pool)).await.unwrap());
    let mut ids = Vec::new();
    for i in 0..learners {
        let l = store
            .create(&format!("참가자 {i}"), learners)
            .await
            .unwrap()
            .unwrap();
        ids.push(l.id);
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in ids.into_iter().enumerate() {
        let store = store.clone();
        tasks.spawn(async move {
            let mut took = Vec::with_capacity(rounds * 3);
            let mut progress = Progress::default();
            for round in 0..rounds {
                let t = Instant::now();
                store.touch(&id).await.unwrap();
                took.push(t.elapsed());
                progress.visited.insert(format!("lesson-{round}"));
                let t = Instant::now();
                store.save_progress(&id, &progress).await.unwrap();
                took.push(t.elapsed());
                if (i + round) % 10 == 0 {
                    let t = Instant::now();
                    store.all().await.unwrap();
                    took.push(t.elapsed());
                }
            }
            took
        });
    }
    let mut all: Vec<Duration> = Vec::new();
    while let Some(took) = tasks.join_next().await {
        all.extend(took.unwrap());
    }
    let wall = started.elapsed();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Figures {
        wall,
        p50: at(0.50),
        p99: at(0.99),
        ops: all.len(),
    }
}

fn file(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let learners: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("hk-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let defaults = SqliteConnectOptions::new()
        .filename(file(&dir, "defaults.sqlite3"))
        .create_if_missing(true);
    let before = measure(defaults, learners, rounds).await;
    let after = measure(
        portal::server::sqlite_options(&file(&dir, "portal.sqlite3")),
        learners,
        rounds,
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("SQLite store, {learners} learners × {rounds} rounds, all at once");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>9}",
        "", "wall ms", "p50 ms", "p99 ms", "ops/s"
    );
    for (name, f) in [
        ("sqlx defaults (journal, full sync)", &before),
        ("portal (WAL, normal, busy 5 s)", &after),
    ] {
        println!(
            "{name:<34} {:>10.0} {:>10.2} {:>10.2} {:>9.0}",
            ms(f.wall),
            ms(f.p50),
            ms(f.p99),
            f.ops as f64 / f.wall.as_secs_f64()
        );
    }
    println!(
        "ratio portal/defaults: wall {:.2}, p99 {:.2}",
        after.wall.as_secs_f64() / before.wall.as_secs_f64(),
        after.p99.as_secs_f64() / before.p99.as_secs_f64()
    );
}
