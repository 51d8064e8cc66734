//! A `coordination.k8s.io/v1` Lease as a lock for work only one portal replica may do
//! (the idle sweeper, stale-run clean-up). kube 5 has no leader election of its own, so
//! this is the usual scheme: the holder renews `renewTime`; anyone may take a lease whose
//! `renewTime + leaseDurationSeconds` has passed; every write carries the
//! `resourceVersion` it read, so two replicas taking it at once cannot both win (the API
//! server answers the second with 409).

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

use super::{Error, Result};

/// Who holds `name` now, from this replica's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// This replica holds (or just renewed or took) the lease.
    Mine,
    /// Another replica's lease has not run out.
    Theirs,
}

/// The lease as it should look after `holder` takes or renews it. A pure function:
/// `transitions` counts hand-overs, as `kubectl describe lease` shows.
pub fn desired(
    name: &str,
    holder: &str,
    seconds: i32,
    now: Timestamp,
    old: Option<&LeaseSpec>,
) -> Lease {
    let ours = old.and_then(|s| s.holder_identity.as_deref()) == Some(holder);
    let transitions = old.and_then(|s| s.lease_transitions).unwrap_or(0);
    Lease {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(
                [(
                    "app.kubernetes.io/managed-by".to_owned(),
                    "hello-k8s-portal".to_owned(),
                )]
                .into(),
            ),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(holder.to_owned()),
            lease_duration_seconds: Some(seconds),
            acquire_time: if ours {
                old.and_then(|s| s.acquire_time.clone())
            } else {
                Some(MicroTime(now))
            },
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(if ours || old.is_none() {
                transitions
            } else {
                transitions + 1
            }),
            ..Default::default()
        }),
    }
}

/// Whether a lease held by someone else has run out at `now`.
pub fn expired(spec: &LeaseSpec, now: Timestamp) -> bool {
    let Some(MicroTime(renewed)) = &spec.renew_time else {
        return true;
    };
    let seconds = i64::from(spec.lease_duration_seconds.unwrap_or(0));
    renewed
        .saturating_add(SignedDuration::from_secs(seconds))
        .is_ok_and(|end| end < now)
}

/// Takes or renews lease `name` in `namespace` for `seconds`, if it is free, ours, or
/// run out. A lost race (409) is `Theirs`, not an error.
pub async fn hold(
    client: &Client,
    namespace: &str,
    name: &str,
    holder: &str,
    seconds: i32,
) -> Result<Held> {
    let api: Api<Lease> = Api::namespaced(client.clone(), namespace);
    let now = Timestamp::now();
    let current = api
        .get_opt(name)
        .await
        .map_err(|e| Error::kube("Lease 읽기", e))?;
    let written = match current {
        None => {
            let lease = desired(name, holder, seconds, now, None);
            api.create(&PostParams::default(), &lease).await
        }
        Some(old) => {
            let spec = old.spec.clone().unwrap_or_default();
            let ours = spec.holder_identity.as_deref() == Some(holder);
            if !ours && !expired(&spec, now) {
                return Ok(Held::Theirs);
            }
            let mut lease = desired(name, holder, seconds, now, Some(&spec));
            lease.metadata.resource_version = old.metadata.resource_version.clone();
            api.replace(name, &PostParams::default(), &lease).await
        }
    };
    match written {
        Ok(_) => Ok(Held::Mine),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(Held::Theirs),
        Err(e) => Err(Error::kube("Lease 쓰기", e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn a_new_lease_names_its_holder_and_a_handover_is_counted() {
        let first = desired("sweeper", "a", 15, at(0), None).spec.unwrap();
        assert_eq!(first.holder_identity.as_deref(), Some("a"));
        assert_eq!(first.lease_transitions, Some(0));
        let renewed = desired("sweeper", "a", 15, at(5), Some(&first))
            .spec
            .unwrap();
        assert_eq!(
            renewed.acquire_time, first.acquire_time,
            "renewing keeps the acquire time"
        );
        assert_eq!(renewed.lease_transitions, Some(0));
        let taken = desired("sweeper", "b", 15, at(40), Some(&renewed))
            .spec
            .unwrap();
        assert_eq!(taken.holder_identity.as_deref(), Some("b"));
        assert_eq!(taken.lease_transitions, Some(1));
    }

    #[test]
    fn a_lease_runs_out_after_its_duration_without_renewal() {
        let spec = desired("sweeper", "a", 15, at(0), None).spec.unwrap();
        assert!(!expired(&spec, at(10)));
        assert!(!expired(&spec, at(15)));
        assert!(expired(&spec, at(16)));
        assert!(expired(&LeaseSpec::default(), at(0)), "never renewed");
    }
}
