use super::*;

async fn store() -> Store {
    let db = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    Store::open(Db::Sqlite(db)).await.unwrap()
}

#[tokio::test]
async fn learners_are_created_found_touched_and_removed() {
    let s = store().await;
    let a = s.create("가나다", 10).await.unwrap().unwrap();
    let b = s.create("라마", 10).await.unwrap().unwrap();
    assert_ne!(a.namespace, b.namespace);
    assert!(a.namespace.starts_with("hk-") && a.namespace.len() == 11);
    assert_eq!(s.count().await.unwrap(), 2);
    let mut p = Progress::default();
    p.done.insert("3-2".into());
    s.save_progress(&a.id, &p).await.unwrap();
    assert_eq!(s.get(&a.id).await.unwrap().unwrap().progress, p);
    assert_eq!(s.idle(Duration::from_secs(3600)).await.unwrap().len(), 0);
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(s.idle(Duration::ZERO).await.unwrap().len(), 2);
    s.delete(&b.id).await.unwrap();
    assert!(s.get(&b.id).await.unwrap().is_none());
}

/// Twenty learners at once for three seats, on a file with several connections.
#[tokio::test]
async fn the_limit_holds_when_many_join_at_once() {
    let file = std::env::temp_dir().join(format!("hk-seats-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let db = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    let s = Store::open(Db::Sqlite(db)).await.unwrap();
    let joins = (0..20).map(|i| {
        let s = s.clone();
        tokio::spawn(async move { s.create(&format!("n{i}"), 3).await.unwrap() })
    });
    let mut seated = 0;
    for j in joins {
        seated += usize::from(j.await.unwrap().is_some());
    }
    assert_eq!((seated, s.count().await.unwrap()), (3, 3));
    let _ = std::fs::remove_file(&file);
}
