//! One shared feed: the current items of a (namespace, topic), a bounded broadcast of
//! changes, and its health. Every tab subscribed to the same namespace and topic shares
//! it; a subscriber that falls behind gets a fresh snapshot instead of an unbounded queue.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

use crate::live::{FeedState, Item, Topic, Wire};

/// Changes queued per subscriber before it counts as lagging.
const CHANNEL: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub state: FeedState,
    pub message: Option<String>,
}

#[derive(Debug)]
pub struct Feed {
    pub topic: Topic,
    items: Mutex<BTreeMap<String, Item>>,
    /// Oldest items are dropped past this many (events, logs); `None` keeps all.
    cap: Option<usize>,
    /// For a capped feed: when each key last changed (a counter), so the one dropped is
    /// the oldest — not the smallest key (events are keyed by a random uid).
    arrived: Mutex<(u64, HashMap<String, u64>)>,
    tx: broadcast::Sender<Wire>,
    health: watch::Sender<Health>,
}

/// What a new subscriber starts from.
#[derive(Debug)]
pub struct Subscription {
    pub snapshot: Wire,
    pub changes: broadcast::Receiver<Wire>,
    pub health: watch::Receiver<Health>,
}

impl Feed {
    pub fn new(topic: Topic, cap: Option<usize>) -> Arc<Self> {
        let (tx, _) = broadcast::channel(CHANNEL);
        let (health, _) = watch::channel(Health {
            state: FeedState::Connecting,
            message: None,
        });
        Arc::new(Self {
            topic,
            items: Mutex::default(),
            cap,
            arrived: Mutex::default(),
            tx,
            health,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Item>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The snapshot and the receiver are taken under one lock, so no change falls
    /// between them.
    pub fn subscribe(&self) -> Subscription {
        let items = self.lock();
        let changes = self.tx.subscribe();
        Subscription {
            snapshot: Wire::Snapshot {
                topic: self.topic,
                items: items.values().cloned().collect(),
            },
            changes,
            health: self.health.subscribe(),
        }
    }

    pub fn items(&self) -> Vec<Item> {
        self.lock().values().cloned().collect()
    }

    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }

    pub fn health(&self) -> Health {
        self.health.borrow().clone()
    }

    pub fn set_health(&self, state: FeedState, message: Option<String>) {
        let next = Health { state, message };
        self.health.send_if_modified(|h| {
            let changed = *h != next;
            *h = next;
            changed
        });
    }

    /// Inserts or replaces one item; unchanged items send nothing.
    pub fn upsert(&self, item: Item) {
        let key = item.key();
        let mut items = self.lock();
        if items.get(&key) == Some(&item) {
            return;
        }
        if let Some(cap) = self.cap {
            let mut arrived = self.arrived.lock().unwrap_or_else(|p| p.into_inner());
            let (clock, when) = &mut *arrived;
            *clock += 1;
            when.insert(key.clone(), *clock);
            items.insert(key, item.clone());
            while items.len() > cap {
                let Some(oldest) = when.iter().min_by_key(|(_, t)| **t).map(|(k, _)| k.clone())
                else {
                    break;
                };
                when.remove(&oldest);
                items.remove(&oldest);
            }
        } else {
            items.insert(key, item.clone());
        }
        let _ = self.tx.send(Wire::Upsert {
            topic: self.topic,
            item: Box::new(item),
        });
    }

    pub fn delete(&self, key: &str) {
        let mut items = self.lock();
        if self.cap.is_some() {
            let mut arrived = self.arrived.lock().unwrap_or_else(|p| p.into_inner());
            arrived.1.remove(key);
        }
        if items.remove(key).is_some() {
            let _ = self.tx.send(Wire::Delete {
                topic: self.topic,
                key: key.to_owned(),
            });
        }
    }

    /// Replaces everything (after a re-list): subscribers get one snapshot. Items that
    /// do not come from the watch (the cluster's version next to its nodes) stay.
    pub fn replace(&self, all: Vec<Item>) {
        let mut items = self.lock();
        let mut next: BTreeMap<String, Item> = all.into_iter().map(|i| (i.key(), i)).collect();
        for (key, item) in items.iter().filter(|(_, i)| matches!(i, Item::Cluster(_))) {
            next.entry(key.clone()).or_insert_with(|| item.clone());
        }
        if *items == next {
            return;
        }
        if self.cap.is_some() {
            let mut arrived = self.arrived.lock().unwrap_or_else(|p| p.into_inner());
            let (clock, when) = &mut *arrived;
            when.retain(|k, _| next.contains_key(k));
            for k in next.keys() {
                when.entry(k.clone()).or_insert_with(|| {
                    *clock += 1;
                    *clock
                });
            }
        }
        *items = next;
        let _ = self.tx.send(Wire::Snapshot {
            topic: self.topic,
            items: items.values().cloned().collect(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::PodView;

    fn pod(name: &str, status: &str) -> Item {
        Item::Pod(PodView {
            name: name.into(),
            status: status.into(),
            ..Default::default()
        })
    }

    #[test]
    fn subscribers_get_a_snapshot_then_only_real_changes() {
        let feed = Feed::new(Topic::Pods, None);
        feed.upsert(pod("a", "Pending"));
        let mut sub = feed.subscribe();
        assert!(matches!(&sub.snapshot, Wire::Snapshot { items, .. } if items.len() == 1));
        feed.upsert(pod("a", "Pending")); // unchanged: nothing sent
        feed.upsert(pod("a", "Running"));
        feed.delete("a");
        feed.delete("a"); // already gone: nothing sent
        assert!(matches!(sub.changes.try_recv(), Ok(Wire::Upsert { .. })));
        assert!(matches!(sub.changes.try_recv(), Ok(Wire::Delete { key, .. }) if key == "a"));
        assert!(sub.changes.try_recv().is_err());
    }

    #[test]
    fn a_slow_subscriber_lags_instead_of_growing_a_queue() {
        let feed = Feed::new(Topic::Pods, None);
        let mut sub = feed.subscribe();
        for i in 0..(CHANNEL + 10) {
            feed.upsert(pod(&format!("p{i}"), "Running"));
        }
        assert!(matches!(
            sub.changes.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }

    #[test]
    fn capped_feeds_drop_the_oldest() {
        let feed = Feed::new(Topic::Pods, Some(2));
        for name in ["a", "b", "c"] {
            feed.upsert(pod(name, "Running"));
        }
        let keys: Vec<_> = feed.items().iter().map(Item::key).collect();
        assert_eq!(keys, ["b", "c"]);
    }

    /// Events are keyed by uid: the one dropped is the one that arrived first, whatever
    /// its uid sorts as.
    #[test]
    fn the_oldest_goes_even_when_its_key_sorts_last() {
        let feed = Feed::new(Topic::Pods, Some(2));
        for name in ["z-first", "a-second", "m-third"] {
            feed.upsert(pod(name, "Running"));
        }
        let keys: Vec<_> = feed.items().iter().map(Item::key).collect();
        assert_eq!(keys, ["a-second", "m-third"]);
    }
}
