//! The cluster connection, kept trying in the background: with no cluster the portal
//! still serves the lessons, and the panels come alive once one answers.

use std::time::Duration;

use kube::Client;
use tokio::sync::watch;

use crate::cluster::{ClusterInfo, connect};

/// What a panel says while no cluster answers.
pub const NO_CLUSTER: &str = "클러스터에 연결할 수 없습니다. 레슨처럼 minikube 를 쓰려면 `minikube start` 를, \
이 저장소의 로컬 클러스터를 쓰려면 `sudo e2e/cluster/up.sh` 를 실행하세요. 연결되면 패널이 스스로 살아납니다.";

#[derive(Clone)]
pub struct Connected {
    pub client: Client,
    pub info: ClusterInfo,
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// A cheap handle to the (eventual) connection.
#[derive(Debug, Clone)]
pub struct ClusterConn {
    rx: watch::Receiver<Option<Connected>>,
}

impl ClusterConn {
    /// Connects from the environment, retrying every few seconds until it works.
    pub fn start() -> Self {
        let (tx, rx) = watch::channel(None);
        tokio::spawn(async move {
            let mut delay = Duration::from_secs(1);
            loop {
                match connect().await {
                    Ok((client, info)) => {
                        let _ = tx.send(Some(Connected { client, info }));
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "no cluster yet; retrying in {delay:?}");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(10));
                    }
                }
            }
        });
        Self { rx }
    }

    /// A connection that is already there (tests, or a client built elsewhere).
    pub fn ready(client: Client, info: ClusterInfo) -> Self {
        let (_tx, rx) = watch::channel(Some(Connected { client, info }));
        Self { rx }
    }

    /// A portal with no cluster at all.
    pub fn none() -> Self {
        // The sender is dropped at once: `connected()` then waits forever.
        let (_tx, rx) = watch::channel(None);
        Self { rx }
    }

    pub fn now(&self) -> Option<Connected> {
        self.rx.borrow().clone()
    }

    /// Waits for the connection.
    pub async fn connected(&self) -> Connected {
        let mut rx = self.rx.clone();
        loop {
            if let Some(c) = rx.borrow_and_update().clone() {
                return c;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
