//! The cluster connection, kept trying in the background: with no cluster the portal
//! still serves the lessons, and the panels come alive once one answers.

use std::time::Duration;

use kube::Client;
use tokio::sync::watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::cluster::client::{connect_with_config, impersonating};
use crate::cluster::{ClusterInfo, Result};

/// What a panel says while no cluster answers.
pub const NO_CLUSTER: &str = "클러스터에 연결할 수 없습니다. 레슨처럼 minikube 를 쓰려면 `minikube start` 를, \
이 저장소의 로컬 클러스터를 쓰려면 `sudo e2e/cluster/up.sh` 를 실행하세요. 연결되면 패널이 스스로 살아납니다.";

#[derive(Clone)]
pub struct Connected {
    pub client: Client,
    pub info: ClusterInfo,
    /// Where impersonating clients come from (`None` for a client built elsewhere).
    config: Option<kube::Config>,
    /// One impersonating client per user, reused.
    as_users: Arc<Mutex<HashMap<String, Client>>>,
}

impl Connected {
    pub fn new(client: Client, info: ClusterInfo, config: Option<kube::Config>) -> Self {
        Self {
            client,
            info,
            config,
            as_users: Arc::default(),
        }
    }

    /// The client acting as `user`; the portal's own client when it has no
    /// configuration to derive one from (then the API server cannot enforce anything,
    /// so workshop mode refuses to start without one).
    pub fn acting_as(&self, user: &str) -> Result<Client> {
        let Some(config) = &self.config else {
            return Ok(self.client.clone());
        };
        let mut cache = self.as_users.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(user) {
            return Ok(c.clone());
        }
        let client = impersonating(config, user)?;
        cache.insert(user.to_owned(), client.clone());
        Ok(client)
    }
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
                match connect_with_config().await {
                    Ok((client, info, config)) => {
                        let _ = tx.send(Some(Connected::new(client, info, Some(config))));
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
        let (_tx, rx) = watch::channel(Some(Connected::new(client, info, None)));
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
