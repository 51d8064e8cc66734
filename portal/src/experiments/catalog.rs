//! The experiments as the page shows them: title, the buttons (main run and variants),
//! what each proves, what the learner may choose, and the commands a learner would type
//! for the same thing. The server accepts only the names listed here.

use crate::names::{ExperimentName, VariantName};

/// One button of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub name: VariantName,
    pub button: &'static str,
    pub what: &'static str,
}

/// A choice the panel offers before a run (checked again on the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Which pod of the release (or the first ready one).
    Pod,
    /// The `/slow` duration, 1-60 s.
    Seconds,
    /// The `LOG_LEVEL` to set.
    LogLevel,
    /// The canary's v2:v1 split.
    Split,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub name: ExperimentName,
    pub lesson: &'static str,
    pub title: &'static str,
    pub variants: &'static [Variant],
    pub asks: &'static [Ask],
    /// The same steps by hand; `{ns}` is the learner's namespace.
    pub commands: &'static [&'static str],
    /// The image tags the node must hold.
    pub images: &'static [&'static str],
}

crate::keyword_enum! {
    /// How the canary shares the Service: v2 pods : v1 pods, four pods in all, so the
    /// share of v2 is a quarter, a half or three quarters.
    #[derive(Default)]
    pub enum Split ("비율") {
        #[default]
        OneThree = "1:3",
        OneOne = "1:1",
        ThreeOne = "3:1",
    }
}

impl Split {
    /// (v2 pods, v1 pods).
    pub const fn pods(self) -> (i32, i32) {
        match self {
            Self::OneThree => (1, 3),
            Self::OneOne => (2, 2),
            Self::ThreeOne => (3, 1),
        }
    }

    /// The share of requests v2 should answer, in percent.
    pub fn target_percent(self) -> f64 {
        let (v2, v1) = self.pods();
        100.0 * f64::from(v2) / f64::from(v2 + v1)
    }

    /// The most pods at once: promoting brings v2 up to all four before v1 goes.
    pub const fn peak_pods(self) -> i32 {
        let (v2, v1) = self.pods();
        v2 + v1 + v1
    }
}

pub const ALL: [Spec; 6] = [
    Spec {
        name: ExperimentName::Configmap,
        lesson: "3-1",
        title: "ConfigMap 으로 로그 레벨 바꾸기",
        variants: &[
            Variant {
                name: VariantName::Main,
                button: "LOG_LEVEL 바꾸고 업그레이드",
                what: "설정이 바뀌면 체크섬이 바뀌어 파드가 새로 뜨고, 모든 파드의 /info 가 새 로그 레벨을 답합니다.",
            },
            Variant {
                name: VariantName::Dev,
                button: "values-dev.yaml 적용",
                what: "개발 환경 값(레플리카 1, debug, development)으로 업그레이드합니다.",
            },
            Variant {
                name: VariantName::Prod,
                button: "values-prod.yaml 적용",
                what: "운영 환경 값(레플리카 3, warning, production)으로 업그레이드합니다.",
            },
            Variant {
                name: VariantName::ConfigmapOnly,
                button: "ConfigMap 만 고치기 (주의)",
                what: "ConfigMap 만 바꾸고 Deployment 는 그대로 두면, 실행 중인 파드는 예전 값을 계속 씁니다.",
            },
        ],
        asks: &[Ask::LogLevel],
        commands: &[
            "helm upgrade hello deploy/helm/hello-world -n {ns} --set config.logLevel=debug",
            "kubectl rollout status deployment/hello-hello-world -n {ns}",
            "kubectl exec -n {ns} deploy/hello-hello-world -- wget -qO- localhost:8080/info",
            "kubectl logs -n {ns} -l app.kubernetes.io/instance=hello --tail=5",
            "helm upgrade hello deploy/helm/hello-world -n {ns} -f deploy/helm/hello-world/values-dev.yaml",
            "kubectl edit configmap hello-hello-world-config -n {ns}   # 주의: 파드는 그대로",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: ExperimentName::Readiness,
        lesson: "3-2",
        title: "Readiness 실패 → Endpoints 에서 빠지기",
        variants: &[
            Variant {
                name: VariantName::Main,
                button: "파드 하나를 준비 안 됨으로",
                what: "한 파드의 readiness 를 끄고, Endpoints 에서 빠질 때까지 걸린 시간을 잽니다. 그동안 Service 로 보낸 요청은 다른 파드가 모두 받아야 합니다.",
            },
            Variant {
                name: VariantName::OneReplica,
                button: "레플리카 1개일 때",
                what: "파드가 하나뿐이면 준비된 파드가 없어 Service 가 요청을 받지 못합니다. 확인한 뒤 2개로 되돌립니다.",
            },
        ],
        asks: &[Ask::Pod],
        commands: &[
            "kubectl get pods -n {ns} -o wide",
            "kubectl exec -n {ns} POD -- wget -qO- --post-data= localhost:8080/admin/toggle-ready",
            "kubectl get endpoints -n {ns} -w",
            "curl http://hello.local/   # 다른 파드가 답한다",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: ExperimentName::Resources,
        lesson: "3-3",
        title: "CPU 제한과 메모리 OOMKilled",
        variants: &[Variant {
            name: VariantName::Main,
            button: "CPU 부하 + 메모리 초과",
            what: "250m 제한에서 CPU 를 1초어치 쓰면 약 4초가 걸립니다(스로틀링). 256Mi 를 넘게 잡으면 컨테이너가 OOMKilled 되고 다시 살아납니다.",
        }],
        asks: &[Ask::Pod],
        commands: &[
            "kubectl describe node | grep -A6 Allocatable",
            "kubectl top pods -n {ns}",
            "kubectl exec -n {ns} POD -- wget -qO- 'localhost:8080/stress/cpu?ms=1000'",
            "kubectl exec -n {ns} POD -- wget -qO- --post-data= 'localhost:8080/stress/memory?mib=300'",
            "kubectl get pod POD -n {ns} -o jsonpath='{.status.containerStatuses[0].lastState}'",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: ExperimentName::GracefulShutdown,
        lesson: "3-4",
        title: "처리 중인 요청을 끝내고 종료하기",
        variants: &[
            Variant {
                name: VariantName::Main,
                button: "느린 요청 중에 파드 삭제",
                what: "/slow?seconds=20 을 보낸 파드를 지웁니다. preStop 10초, SIGTERM, readiness 503 을 거쳐 요청이 200 으로 끝난 뒤 파드가 사라집니다.",
            },
            Variant {
                name: VariantName::NoPrestop,
                button: "preStop 0 · 유예 5초로",
                what: "preStop 없이 유예 시간을 5초로 줄이면, 20초짜리 요청은 끝나기 전에 잘립니다. 확인한 뒤 원래 값으로 되돌립니다.",
            },
        ],
        asks: &[Ask::Pod, Ask::Seconds],
        commands: &[
            "kubectl exec -n {ns} POD -- wget -qO- 'localhost:8080/slow?seconds=20' &",
            "kubectl delete pod POD -n {ns}",
            "kubectl logs -n {ns} POD -f",
            "kubectl get endpoints -n {ns} -w",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: ExperimentName::RollingUpdate,
        lesson: "3-5",
        title: "무중단 롤링 업데이트와 롤백",
        variants: &[Variant {
            name: VariantName::Main,
            button: "요청을 보내며 2.0.0 으로 업그레이드",
            what: "0.1초마다 요청을 보내며 1.0.0 → 2.0.0 (maxSurge 1, maxUnavailable 0) 으로 올리고, 다시 리비전 1 로 롤백합니다. 오류가 0 이어야 성공입니다.",
        }],
        asks: &[],
        commands: &[
            "while true; do curl -s http://hello.local/; sleep 0.1; done",
            "helm upgrade hello deploy/helm/hello-world -n {ns} --set image.tag=2.0.0 --set app.version=2.0.0",
            "kubectl rollout status deployment/hello-hello-world -n {ns}",
            "helm rollback hello 1 -n {ns}",
        ],
        images: &["1.0.0", "2.0.0"],
    },
    Spec {
        name: ExperimentName::Canary,
        lesson: "a-3",
        title: "카나리: 2.0.0 에 요청 일부만 보내기",
        variants: &[
            Variant {
                name: VariantName::Main,
                button: "카나리를 띄우고 승격",
                what: "고른 비율로 2.0.0 카나리를 1.0.0 옆에 띄우고, 요청 200개 이상으로 실제 비율을 잽니다. 그다음 2.0.0 이 요청을 모두 받게 승격하고(1.0.0 은 0개로), 그동안 실패가 0 이어야 성공입니다.",
            },
            Variant {
                name: VariantName::Abort,
                button: "카나리를 띄우고 중단",
                what: "같은 측정 뒤 카나리를 지워 1.0.0 만 남깁니다. 그동안 실패가 0 이어야 성공입니다.",
            },
        ],
        asks: &[Ask::Split],
        commands: &[
            "kubectl apply -n {ns} -f canary.yaml   # hello-hello-world-canary: 2.0.0, 같은 Service 레이블",
            "kubectl scale deployment/hello-hello-world -n {ns} --replicas=3",
            "for i in $(seq 200); do curl -s http://hello.local/; echo; done | grep -o '\"version\":\"[^\"]*\"' | sort | uniq -c",
            "kubectl scale deployment/hello-hello-world-canary -n {ns} --replicas=4   # 승격 1",
            "kubectl scale deployment/hello-hello-world -n {ns} --replicas=0          # 승격 2",
            "kubectl delete deployment/hello-hello-world-canary -n {ns}               # 중단",
        ],
        images: &["1.0.0", "2.0.0"],
    },
];

/// The experiment called `name`.
pub fn spec(name: ExperimentName) -> &'static Spec {
    // `names_match_the_lesson_vocabulary` checks every name has a spec.
    ALL.iter().find(|s| s.name == name).unwrap_or(&ALL[0])
}

/// The experiment spelled `name` (a stored record or a request), if there is one.
pub fn find(name: &str) -> Option<&'static Spec> {
    ExperimentName::parse(name).ok().map(spec)
}

impl Spec {
    pub fn variant(&self, name: VariantName) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    pub fn asks(&self, ask: Ask) -> bool {
        self.asks.contains(&ask)
    }
}

/// The experiment whose lesson is `lesson`.
pub fn for_lesson(lesson: &str) -> Option<&'static Spec> {
    ALL.iter().find(|s| s.lesson == lesson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_one_spec_with_a_main_run() {
        for name in ExperimentName::ALL {
            let specs = ALL.iter().filter(|s| s.name == *name).count();
            assert_eq!(specs, 1, "{name}");
            assert_eq!(spec(*name).name, *name);
        }
        for spec in ALL {
            assert_eq!(
                spec.variants[0].name,
                VariantName::Main,
                "{} has a main run",
                spec.name
            );
        }
        assert_eq!(find("canary").map(|s| s.lesson), Some("a-3"));
        assert!(find("canary\u{0}").is_none());
    }

    #[test]
    fn splits_fit_four_pods_and_the_workshop_quota() {
        for split in Split::ALL {
            let (v2, v1) = split.pods();
            assert_eq!(v2 + v1, 4, "{split}");
            // The learner quota allows 8 pods (cluster/workshop.rs), with room for one
            // pod still in its preStop.
            assert!(split.peak_pods() < 8, "{split}");
        }
        assert_eq!(Split::OneThree.target_percent(), 25.0);
        assert_eq!(Split::parse("1:1"), Ok(Split::OneOne));
        assert!(Split::parse("9:1").is_err());
    }
}
