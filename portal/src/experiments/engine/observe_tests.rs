use std::collections::BTreeMap;

use super::*;
use crate::live::{Address, EndpointsView, LogLine, PodView};

const FULL: &str = "hello-hello-world";

fn one(item: Item) -> BTreeMap<String, Item> {
    [(item.key(), item)].into_iter().collect()
}

fn pod(status: &str, ready: u32, restarts: i32) -> Item {
    Item::Pod(PodView {
        name: format!("{FULL}-abc-x1"),
        status: status.into(),
        ready,
        containers: 1,
        restarts,
        last_termination: (restarts > 0).then(|| "OOMKilled".into()),
        ..Default::default()
    })
}

fn endpoints(ready: &[&str], not_ready: &[&str]) -> Item {
    let addr = |ip: &&str| Address {
        ip: (*ip).into(),
        pod: Some(format!("{FULL}-abc-{ip}")),
    };
    Item::Endpoints(EndpointsView {
        name: FULL.into(),
        ready: ready.iter().map(addr).collect(),
        not_ready: not_ready.iter().map(addr).collect(),
        ports: vec![8080],
    })
}

#[test]
fn pod_changes_read_as_sentences() {
    let marks = diff(
        Topic::Pods,
        &one(pod("Running", 1, 0)),
        &one(pod("Running", 0, 1)),
        FULL,
    );
    let texts: Vec<&str> = marks.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "파드 abc-x1 준비 안 됨 (0/1)",
            "파드 abc-x1 컨테이너 재시작 1회째 (직전 종료 이유: OOMKilled)"
        ]
    );
    let gone = diff(
        Topic::Pods,
        &one(pod("Terminating", 0, 0)),
        &BTreeMap::new(),
        FULL,
    );
    assert_eq!(gone[0].1, "파드 abc-x1 사라짐");
    assert!(
        diff(
            Topic::Pods,
            &one(pod("Running", 1, 0)),
            &one(pod("Running", 1, 0)),
            FULL
        )
        .is_empty()
    );
}

#[test]
fn an_address_leaving_and_returning_is_marked() {
    let both = one(endpoints(&["10.0.0.1", "10.0.0.2"], &[]));
    let one_out = one(endpoints(&["10.0.0.2"], &["10.0.0.1"]));
    let left = diff(Topic::Endpoints, &both, &one_out, FULL);
    assert_eq!(left.len(), 1);
    assert!(
        left[0]
            .1
            .starts_with("10.0.0.1 (abc-10.0.0.1) Endpoints 에서 준비 안 됨으로"),
        "{}",
        left[0].1
    );
    let back = diff(Topic::Endpoints, &one_out, &both, FULL);
    assert!(back[0].1.contains("Endpoints 에 들어옴"), "{}", back[0].1);
}

#[test]
fn only_notable_log_lines_are_marked() {
    let line = |seq, message: &str| {
        Item::Log(LogLine {
            seq,
            pod: format!("{FULL}-abc-x1"),
            message: message.into(),
            ..Default::default()
        })
    };
    let mut after = one(line(1, "Hello World requested"));
    after.extend(one(line(
        2,
        "Received SIGTERM, starting graceful shutdown...",
    )));
    let marks = diff(Topic::Logs, &BTreeMap::new(), &after, FULL);
    assert_eq!(marks.len(), 1);
    assert_eq!(
        marks[0].1,
        "abc-x1: Received SIGTERM, starting graceful shutdown..."
    );
}
