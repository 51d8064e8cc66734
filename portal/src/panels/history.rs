//! Revision history — every pod template the Deployment has had, kept as ReplicaSets —
//! and rollback to one of them (`kubectl rollout undo --to-revision`).

use leptos::either::Either;
use leptos::prelude::*;

use super::common::{Frame, Live, age, clock, error_text};
use super::tree::{deployments, replica_sets};
use crate::live::Topic;

#[server(prefix = "/api", endpoint = "release-rollback")]
pub async fn release_rollback(revision: i64) -> Result<String, ServerFnError> {
    use crate::request::{bad_request, learner};
    if revision < 1 {
        return Err(bad_request(format!(
            "리비전은 1 이상의 숫자여야 합니다: {revision}"
        )));
    }
    let l = learner(true).await?;
    let names = crate::cluster::release::ReleaseNames::new(
        &l.namespace,
        crate::cluster::release::RELEASE,
        &l.chart.meta,
    );
    let target =
        crate::cluster::release::rollback(&l.client, &l.namespace, &names.fullname, revision)
            .await
            .map_err(|e| l.cluster_error(e))?;
    l.done();
    Ok(format!(
        "리비전 {revision} 으로 되돌렸습니다 (이미지 {}). 새 리비전 번호가 붙습니다.",
        target.image.unwrap_or_default()
    ))
}

#[island]
pub fn HistoryPanel() -> impl IntoView {
    let (d, r) = (Live::new(Topic::Deployments), Live::new(Topic::ReplicaSets));
    let now = clock();
    let (message, set_message) = signal(None::<(bool, String)>);
    let rollback = Action::new_local(move |rev: &i64| {
        let rev = *rev;
        async move {
            set_message.set(Some(match release_rollback(rev).await {
                Ok(m) => (true, m),
                Err(e) => (false, error_text(&e)),
            }));
        }
    });
    let rows = move || {
        let now = now.get();
        let current = deployments(&d).first().and_then(|d| d.revision);
        let sets = replica_sets(&r);
        if sets.is_empty() {
            return Either::Left(
                view! { <tr><td colspan="6" class="empty">"리비전이 없습니다."</td></tr> },
            );
        }
        Either::Right(sets.into_iter()
            .map(|rs| {
                let rev = rs.revision.unwrap_or(0);
                let is_current = Some(rev) == current;
                let config = rs.config.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
                view! {
                    <tr data-revision=rev data-current=is_current.to_string()>
                        <td>{rev}{is_current.then_some(" (현재)")}</td>
                        <td class="mono">{rs.image.clone().unwrap_or_default()}</td>
                        <td class="mono small">{config}</td>
                        <td>{format!("{}/{}", rs.ready, rs.desired)}</td>
                        <td>{age(now, rs.created)}</td>
                        <td>{(!is_current).then(|| view! {
                            <button class="button" data-action="rollback" disabled=move || rollback.pending().get()
                                on:click=move |_| { rollback.dispatch(rev); }>"이 리비전으로 롤백"</button>
                        })}</td>
                    </tr>
                }
            })
            .collect_view())
    };
    view! {
        <Frame title="리비전 기록" name="history" topics=vec![Topic::Deployments, Topic::ReplicaSets]>
            <div class="table-wrap">
                <table class="live-table">
                    <thead><tr><th>"리비전"</th><th>"이미지"</th><th>"설정"</th><th>"파드"</th><th>"나이"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">"같은 일: "<code>"kubectl rollout history deployment/hello-hello-world -n hello"</code>", "<code>"kubectl rollout undo deployment/hello-hello-world -n hello --to-revision=1"</code></p>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "result ok" } else { "result error" } role="status">{m}</p> })}
        </Frame>
    }
}
