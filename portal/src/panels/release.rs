//! 설치 / 업그레이드 / 제거 of the tutorial's release, done by the portal with
//! server-side apply (what `helm install/upgrade/uninstall` do), plus a "what this does"
//! view with the rendered YAML and the equivalent helm command.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::common::{Frame, Live, error_text};
use super::tree::deployments;
use crate::live::Topic;

/// The upgrade form as sent by the browser. Every field is checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpgradeForm {
    pub image_tag: String,
    pub replicas: u8,
    pub log_level: String,
    pub app_env: String,
}

/// What the form may offer: the image tags on the node, the levels and environments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleaseChoices {
    pub tags: Vec<String>,
    pub log_levels: Vec<String>,
    pub app_envs: Vec<String>,
    pub max_replicas: u8,
    pub defaults: UpgradeForm,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub yaml: String,
    pub helm: String,
    pub kubectl: String,
}

#[cfg(feature = "ssr")]
mod imp {
    use super::*;
    use crate::cluster::release::{self, Rendered};
    use crate::cluster::values::{APP_ENVS, LogLevel, MAX_REPLICAS, Overrides, Values};
    use crate::cluster::{Error, images};
    use crate::request::{Learner, bad_request};

    pub use crate::cluster::release::RELEASE;

    /// The chart's values for this learner's namespace.
    pub fn base(l: &Learner) -> Values {
        let mut values = l.chart.values.clone();
        values.namespace = l.namespace.clone();
        values
    }

    pub async fn tags(l: &Learner) -> Result<Vec<String>, ServerFnError> {
        let repo = l.chart.values.image.repository.clone();
        images::available_tags(&l.portal_client, &repo)
            .await
            .map_err(|e| l.cluster_error(e))
    }

    pub fn overrides(form: &UpgradeForm) -> Result<Overrides, ServerFnError> {
        let level: LogLevel = form
            .log_level
            .parse()
            .map_err(|e: Error| bad_request(e.to_string()))?;
        let tag = form.image_tag.trim().to_owned();
        Ok(Overrides {
            // The lessons upgrade the tag and the app version together.
            app_version: Some(tag.clone()),
            image_tag: Some(tag),
            replicas: Some(form.replicas),
            log_level: Some(level),
            app_env: Some(form.app_env.clone()),
            ..Overrides::default()
        })
    }

    pub async fn rendered(
        l: &Learner,
        form: Option<&UpgradeForm>,
    ) -> Result<Rendered, ServerFnError> {
        let mut values = base(l);
        if let Some(form) = form {
            let tags = tags(l).await?;
            values = values
                .with_overrides(&overrides(form)?, &tags)
                .map_err(|e| bad_request(e.to_string()))?;
        }
        Ok(release::render(&values, RELEASE, &l.chart.meta))
    }

    pub fn options(l: &Learner, tags: Vec<String>) -> ReleaseChoices {
        let v = &l.chart.values;
        ReleaseChoices {
            tags,
            log_levels: LogLevel::ALL
                .iter()
                .map(|l| l.as_str().to_owned())
                .collect(),
            app_envs: APP_ENVS.iter().map(|s| (*s).to_owned()).collect(),
            max_replicas: MAX_REPLICAS,
            defaults: UpgradeForm {
                image_tag: v.image.tag.clone(),
                replicas: u8::try_from(v.replica_count).unwrap_or(1),
                log_level: v.config.log_level.clone(),
                app_env: v.config.app_env.clone(),
            },
        }
    }

    pub fn yaml(r: &Rendered) -> String {
        let mut docs = vec![
            serde_norway::to_string(&r.namespace),
            serde_norway::to_string(&r.config_map),
            serde_norway::to_string(&r.deployment),
            serde_norway::to_string(&r.service),
        ];
        if let Some(i) = &r.ingress {
            docs.push(serde_norway::to_string(i));
        }
        docs.into_iter()
            .filter_map(Result::ok)
            .collect::<Vec<_>>()
            .join("---\n")
    }
}

#[server(prefix = "/api", endpoint = "release-options")]
pub async fn release_options() -> Result<ReleaseChoices, ServerFnError> {
    let l = crate::request::learner(false).await?;
    let tags = imp::tags(&l).await?;
    Ok(imp::options(&l, tags))
}

#[server(prefix = "/api", endpoint = "release-install")]
pub async fn release_install() -> Result<String, ServerFnError> {
    let l = crate::request::learner(true).await?;
    let r = imp::rendered(&l, None).await?;
    let applied = if l.in_workshop {
        crate::cluster::release::apply_in_given_namespace(&l.client, &r).await
    } else {
        crate::cluster::release::install(&l.client, &r).await
    };
    applied.map_err(|e| l.cluster_error(e))?;
    l.done();
    Ok(format!(
        "설치했습니다: 네임스페이스 {}, 릴리스 {}",
        l.namespace,
        imp::RELEASE
    ))
}

#[server(prefix = "/api", endpoint = "release-upgrade")]
pub async fn release_upgrade(form: UpgradeForm) -> Result<String, ServerFnError> {
    let l = crate::request::learner(true).await?;
    let r = imp::rendered(&l, Some(&form)).await?;
    let applied = if l.in_workshop {
        crate::cluster::release::apply_in_given_namespace(&l.client, &r).await
    } else {
        crate::cluster::release::upgrade(&l.client, &r).await
    };
    applied.map_err(|e| l.cluster_error(e))?;
    l.done();
    Ok(format!(
        "업그레이드했습니다: 이미지 {}, 레플리카 {}, 로그 레벨 {}, 환경 {}",
        form.image_tag, form.replicas, form.log_level, form.app_env
    ))
}

#[server(prefix = "/api", endpoint = "release-uninstall")]
pub async fn release_uninstall() -> Result<String, ServerFnError> {
    let l = crate::request::learner(true).await?;
    let removed = crate::cluster::release::uninstall_from(
        &l.client,
        &l.namespace,
        imp::RELEASE,
        &l.chart.meta,
        !l.in_workshop,
    )
    .await
    .map_err(|e| l.cluster_error(e))?;
    l.done();
    Ok(if removed.is_empty() {
        "지울 것이 없었습니다 (이미 제거된 상태).".into()
    } else {
        format!("제거했습니다: {}", removed.join(", "))
    })
}

#[server(prefix = "/api", endpoint = "release-preview")]
pub async fn release_preview(form: Option<UpgradeForm>) -> Result<Preview, ServerFnError> {
    let l = crate::request::learner(false).await?;
    let r = imp::rendered(&l, form.as_ref()).await?;
    let chart = "deploy/helm/hello-world";
    let (helm, kubectl) = match &form {
        None => (
            format!("helm install {} {chart}", imp::RELEASE),
            format!("kubectl get all -n {}", l.namespace),
        ),
        Some(f) => (
            format!(
                "helm upgrade {} {chart} --set image.tag={t} --set app.version={t} --set replicaCount={} --set config.logLevel={} --set config.appEnv={}",
                imp::RELEASE,
                f.replicas,
                f.log_level,
                f.app_env,
                t = f.image_tag
            ),
            format!(
                "kubectl rollout status deployment/{} -n {}",
                r.deployment.metadata.name.clone().unwrap_or_default(),
                l.namespace
            ),
        ),
    };
    Ok(Preview {
        yaml: imp::yaml(&r),
        helm,
        kubectl,
    })
}

#[island]
pub fn ReleasePanel() -> impl IntoView {
    let deploys = Live::new(Topic::Deployments);
    let (message, set_message) = signal(None::<(bool, String)>);
    let (form, set_form) = signal(UpgradeForm::default());
    let (confirm, set_confirm) = signal(false);
    let (preview, set_preview) = signal(None::<Preview>);
    let options = LocalResource::new(release_options);
    // The chart's values fill the form once; later edits are the learner's.
    Effect::new(move |_| {
        if let Some(Ok(o)) = options.get()
            && form.get_untracked() == UpgradeForm::default()
        {
            set_form.set(o.defaults.clone());
        }
    });
    let report = move |r: Result<String, ServerFnError>| {
        set_message.set(Some(match r {
            Ok(m) => (true, m),
            Err(e) => (false, error_text(&e)),
        }));
    };
    let install = Action::new_local(move |_: &()| async move { report(release_install().await) });
    let upgrade = Action::new_local(move |f: &UpgradeForm| {
        let f = f.clone();
        async move { report(release_upgrade(f).await) }
    });
    let uninstall = Action::new_local(move |_: &()| async move {
        set_confirm.set(false);
        report(release_uninstall().await)
    });
    let show = Action::new_local(move |f: &Option<UpgradeForm>| {
        let f = f.clone();
        async move {
            match release_preview(f).await {
                Ok(p) => set_preview.set(Some(p)),
                Err(e) => report(Err(e)),
            }
        }
    });
    let busy =
        move || install.pending().get() || upgrade.pending().get() || uninstall.pending().get();
    let deploys2 = deploys.clone();
    let installed = move || {
        deployments(&deploys2)
            .first()
            .map(|d| {
                format!(
                    "설치됨 · {} · {}/{} 준비 · 리비전 {}",
                    d.image.clone().unwrap_or_default(),
                    d.ready,
                    d.replicas,
                    d.revision.unwrap_or(0)
                )
            })
            .unwrap_or_else(|| "설치되지 않음".into())
    };
    let select = move |values: Vec<String>,
                       current: String,
                       set: fn(&mut UpgradeForm, String),
                       label: &'static str,
                       field: &'static str| {
        view! {
            <label>{label}
                <select data-field=field on:change=move |ev| { let v = event_target_value(&ev); set_form.update(|f| set(f, v)); }>
                    {values.into_iter().map(|v| { let sel = v == current; view! { <option value=v.clone() selected=sel>{v.clone()}</option> } }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <Frame title="릴리스" name="release" topics=vec![Topic::Deployments]>
            <p class="release-state" data-release-state=move || if deployments(&deploys).is_empty() { "absent" } else { "present" }>{installed}</p>
            <div class="actions">
                <button class="button primary" data-action="install" disabled=busy on:click=move |_| { install.dispatch(()); }>"설치"</button>
                <button class="button" data-action="preview-install" on:click=move |_| { show.dispatch(None); }>"무엇을 하나요?"</button>
                {move || if confirm.get() {
                    Either::Left(view! {
                        <span class="confirm">"정말 제거할까요? 네임스페이스까지 지워집니다. "
                            <button class="button danger" data-action="uninstall-confirm" on:click=move |_| { uninstall.dispatch(()); }>"제거"</button>
                            <button class="button" on:click=move |_| set_confirm.set(false)>"취소"</button>
                        </span>
                    })
                } else {
                    Either::Right(view! { <button class="button danger" data-action="uninstall" disabled=busy on:click=move |_| set_confirm.set(true)>"제거…"</button> })
                }}
            </div>
            <details class="upgrade">
                <summary>"업그레이드"</summary>
                // A local resource: None until the browser has fetched the choices.
                {move || match options.get() {
                        None => EitherOf3::A(view! { <p>"선택지를 불러오는 중…"</p> }),
                        Some(Err(e)) => EitherOf3::B(view! { <p class="form-error">{error_text(&e)}</p> }),
                        Some(Ok(o)) => {
                            let f = o.defaults.clone();
                            EitherOf3::C(view! {
                                <form class="upgrade-form" on:submit=move |ev| ev.prevent_default()>
                                    {select(o.tags.clone(), f.image_tag.clone(), |f, v| f.image_tag = v, "이미지 태그", "image-tag")}
                                    <label>"레플리카"
                                        <input type="number" data-field="replicas" min="1" max=o.max_replicas value=f.replicas
                                            on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(0); set_form.update(|f| f.replicas = v); }/>
                                    </label>
                                    {select(o.log_levels.clone(), f.log_level.clone(), |f, v| f.log_level = v, "로그 레벨", "log-level")}
                                    {select(o.app_envs.clone(), f.app_env.clone(), |f, v| f.app_env = v, "환경", "app-env")}
                                    <button class="button primary" type="button" data-action="upgrade" disabled=busy
                                        on:click=move |_| { upgrade.dispatch(form.get_untracked()); }>"업그레이드"</button>
                                    <button class="button" type="button" on:click=move |_| { show.dispatch(Some(form.get_untracked())); }>"무엇을 하나요?"</button>
                                </form>
                            })
                        }
                    }}
            </details>
            {move || message.get().map(|(ok, m)| view! { <p class=if ok { "result ok" } else { "result error" } role="status" data-result=if ok { "ok" } else { "error" }>{m}</p> })}
            {move || preview.get().map(|p| view! {
                <div class="preview">
                    <p>"같은 일을 하는 명령:"</p>
                    <pre><code>{p.helm.clone()}"\n"{p.kubectl.clone()}</code></pre>
                    <details><summary>"적용될 YAML"</summary><pre class="yaml"><code>{p.yaml.clone()}</code></pre></details>
                    <button class="button" on:click=move |_| set_preview.set(None)>"닫기"</button>
                </div>
            })}
        </Frame>
    }
}
