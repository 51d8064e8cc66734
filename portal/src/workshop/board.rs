//! The host dashboard's rows: the learners table, the experiment lab's verdicts and each
//! namespace's quota use. Used by `host-overview` (one answer) and by the host's live
//! stream (`server/host_live.rs`), which pushes a new board whenever it changes.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};

use super::LearnerRecord;
use crate::experiments::Lab;
use crate::live::LearnerRow;

/// Quota reads in flight at once (one GET per namespace).
const QUOTA_READS_AT_ONCE: usize = 16;

/// `파드 3/8 · CPU 요청 300m/1500m …` per namespace, read concurrently.
pub async fn quotas(client: &kube::Client, namespaces: &[String]) -> HashMap<String, Vec<String>> {
    stream::iter(namespaces.iter().cloned())
        .map(|ns| async move {
            let used = crate::cluster::workshop::quota_use(client, &ns)
                .await
                .unwrap_or_default();
            (ns, quota_text(used))
        })
        .buffer_unordered(QUOTA_READS_AT_ONCE)
        .collect()
        .await
}

fn quota_text(used: Vec<(String, String, String)>) -> Vec<String> {
    used.into_iter()
        .filter_map(|(k, used, hard)| {
            let label = match k.as_str() {
                "pods" => "파드",
                "requests.cpu" => "CPU 요청",
                "requests.memory" => "메모리 요청",
                _ => return None,
            };
            Some(format!("{label} {used}/{hard}"))
        })
        .collect()
}

/// One row per learner, in joining order.
pub fn rows(
    lab: &Lab,
    learners: Vec<LearnerRecord>,
    quotas: &HashMap<String, Vec<String>>,
) -> Vec<LearnerRow> {
    learners
        .into_iter()
        .map(|l| {
            let runs = lab.runs(&l.namespace);
            // Lessons marked done, and those whose experiment passed.
            let mut done = l.progress.done.clone();
            for name in lab.passed(&l.namespace) {
                if let Some(spec) = crate::experiments::catalog::find(&name) {
                    done.insert(spec.lesson.to_owned());
                }
            }
            LearnerRow {
                verdicts: runs
                    .iter()
                    .map(|r| {
                        let key = if r.variant.is_empty() {
                            r.experiment.clone()
                        } else {
                            format!("{}:{}", r.experiment, r.variant)
                        };
                        (key, r.phase.as_str().to_owned())
                    })
                    .collect(),
                stuck: lab.stuck(&l.namespace),
                quota: quotas.get(&l.namespace).cloned().unwrap_or_default(),
                lessons_done: done.into_iter().collect(),
                seen_ms: l.seen_ms,
                id: l.id,
                name: l.name,
                namespace: l.namespace,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::quota_text;

    #[test]
    fn quota_reads_in_korean_and_skips_the_rest() {
        let used = vec![
            ("pods".into(), "2".into(), "8".into()),
            ("limits.cpu".into(), "1".into(), "4".into()),
            ("requests.memory".into(), "256Mi".into(), "2Gi".into()),
        ];
        assert_eq!(quota_text(used), ["파드 2/8", "메모리 요청 256Mi/2Gi"]);
    }
}
