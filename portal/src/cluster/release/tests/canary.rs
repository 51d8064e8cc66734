use super::chart;
use crate::cluster::release::canary::{TRACK_LABEL, desired};
use crate::cluster::release::{RELEASE, ReleaseNames, render};

#[test]
fn the_canary_is_the_release_deployment_renamed_and_tracked() {
    let (values, meta) = chart(None);
    let names = ReleaseNames::new(&values.namespace, RELEASE, &meta);
    let release = render(&values, RELEASE, &meta).deployment;
    let d = desired(&release, &names, "2.0.0", 1);
    assert_eq!(d.metadata.name.as_deref(), Some("hello-hello-world-canary"));
    let spec = d.spec.unwrap();
    assert_eq!(spec.replicas, Some(1));
    let selector = spec.selector.match_labels.unwrap();
    assert_eq!(selector[TRACK_LABEL], "canary");
    // Still the Service's pods: the release's selector labels are all there.
    for (k, v) in release.spec.unwrap().selector.match_labels.unwrap() {
        assert_eq!(selector[&k], v);
    }
    let labels = spec.template.metadata.unwrap().labels.unwrap();
    assert_eq!(labels[TRACK_LABEL], "canary");
    let env = spec.template.spec.unwrap().containers[0]
        .env
        .clone()
        .unwrap();
    let version: Vec<_> = env.iter().filter(|e| e.name == "APP_VERSION").collect();
    assert_eq!(version.len(), 1);
    assert_eq!(version[0].value.as_deref(), Some("2.0.0"));
}
