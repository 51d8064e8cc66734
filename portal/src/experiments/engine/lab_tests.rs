use super::*;
use crate::cluster::watch::ClusterConn;
use crate::live::ExperimentRun;
use crate::store::Db;

fn finished(experiment: &str, phase: RunPhase) -> ExperimentRun {
    ExperimentRun {
        experiment: experiment.into(),
        phase,
        ..ExperimentRun::default()
    }
}

async fn lab_on(db: &Db) -> Arc<Lab> {
    let store = RunStore::open(db.clone(), "replica-a".into())
        .await
        .unwrap();
    let lab = Lab::new(Hub::new(ClusterConn::none()), Some(store));
    lab.restore().await.unwrap();
    lab
}

/// "Who is stuck" is read from the database, so it survives a restart and every
/// replica's board agrees; a pass ends the streak.
#[tokio::test]
async fn failures_in_a_row_are_stored_and_a_pass_ends_them() {
    let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    let db = Db::Sqlite(pool);
    let lab = lab_on(&db).await;
    lab.persist("hk-a", &finished("readiness", RunPhase::Failed))
        .await;
    assert!(lab.stuck("hk-a").is_empty(), "one failure is not stuck yet");
    lab.persist("hk-a", &finished("readiness", RunPhase::Failed))
        .await;
    lab.persist("hk-a", &finished("configmap", RunPhase::Stopped))
        .await;
    assert_eq!(lab.stuck("hk-a"), vec!["readiness".to_owned()]);
    assert!(lab.stuck("hk-b").is_empty());

    let again = lab_on(&db).await;
    assert_eq!(
        again.stuck("hk-a"),
        vec!["readiness".to_owned()],
        "after a restart"
    );

    again
        .persist("hk-a", &finished("readiness", RunPhase::Passed))
        .await;
    assert!(again.stuck("hk-a").is_empty());
    assert!(
        lab_on(&db).await.stuck("hk-a").is_empty(),
        "the pass is stored too"
    );
}
