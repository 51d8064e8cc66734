//! The five Part 3 experiments as the page shows them: title, the buttons (main run and
//! variants), what each proves, and the commands a learner would type for the same
//! thing. The server accepts only the names listed here.

/// One button of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// `""` is the main run.
    pub name: &'static str,
    pub button: &'static str,
    pub what: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    pub lesson: &'static str,
    pub title: &'static str,
    pub variants: &'static [Variant],
    /// The same steps by hand; `{ns}` is the learner's namespace.
    pub commands: &'static [&'static str],
    /// The image tags the node must hold.
    pub images: &'static [&'static str],
}

pub const ALL: [Spec; 5] = [
    Spec {
        name: "configmap",
        lesson: "3-1",
        title: "ConfigMap 으로 로그 레벨 바꾸기",
        variants: &[
            Variant {
                name: "",
                button: "LOG_LEVEL 바꾸고 업그레이드",
                what: "설정이 바뀌면 체크섬이 바뀌어 파드가 새로 뜨고, 모든 파드의 /info 가 새 로그 레벨을 답합니다.",
            },
            Variant {
                name: "dev",
                button: "values-dev.yaml 적용",
                what: "개발 환경 값(레플리카 1, debug, development)으로 업그레이드합니다.",
            },
            Variant {
                name: "prod",
                button: "values-prod.yaml 적용",
                what: "운영 환경 값(레플리카 3, warning, production)으로 업그레이드합니다.",
            },
            Variant {
                name: "configmap-only",
                button: "ConfigMap 만 고치기 (주의)",
                what: "ConfigMap 만 바꾸고 Deployment 는 그대로 두면, 실행 중인 파드는 예전 값을 계속 씁니다.",
            },
        ],
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
        name: "readiness",
        lesson: "3-2",
        title: "Readiness 실패 → Endpoints 에서 빠지기",
        variants: &[
            Variant {
                name: "",
                button: "파드 하나를 준비 안 됨으로",
                what: "한 파드의 readiness 를 끄고, Endpoints 에서 빠질 때까지 걸린 시간을 잽니다. 그동안 Service 로 보낸 요청은 다른 파드가 모두 받아야 합니다.",
            },
            Variant {
                name: "one-replica",
                button: "레플리카 1개일 때",
                what: "파드가 하나뿐이면 준비된 파드가 없어 Service 가 요청을 받지 못합니다. 확인한 뒤 2개로 되돌립니다.",
            },
        ],
        commands: &[
            "kubectl get pods -n {ns} -o wide",
            "kubectl exec -n {ns} POD -- wget -qO- --post-data= localhost:8080/admin/toggle-ready",
            "kubectl get endpoints -n {ns} -w",
            "curl http://hello.local/   # 다른 파드가 답한다",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: "resources",
        lesson: "3-3",
        title: "CPU 제한과 메모리 OOMKilled",
        variants: &[Variant {
            name: "",
            button: "CPU 부하 + 메모리 초과",
            what: "250m 제한에서 CPU 를 1초어치 쓰면 약 4초가 걸립니다(스로틀링). 256Mi 를 넘게 잡으면 컨테이너가 OOMKilled 되고 다시 살아납니다.",
        }],
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
        name: "graceful-shutdown",
        lesson: "3-4",
        title: "처리 중인 요청을 끝내고 종료하기",
        variants: &[
            Variant {
                name: "",
                button: "느린 요청 중에 파드 삭제",
                what: "/slow?seconds=20 을 보낸 파드를 지웁니다. preStop 10초, SIGTERM, readiness 503 을 거쳐 요청이 200 으로 끝난 뒤 파드가 사라집니다.",
            },
            Variant {
                name: "no-prestop",
                button: "preStop 0 · 유예 5초로",
                what: "preStop 없이 유예 시간을 5초로 줄이면, 20초짜리 요청은 끝나기 전에 잘립니다. 확인한 뒤 원래 값으로 되돌립니다.",
            },
        ],
        commands: &[
            "kubectl exec -n {ns} POD -- wget -qO- 'localhost:8080/slow?seconds=20' &",
            "kubectl delete pod POD -n {ns}",
            "kubectl logs -n {ns} POD -f",
            "kubectl get endpoints -n {ns} -w",
        ],
        images: &["1.0.0"],
    },
    Spec {
        name: "rolling-update",
        lesson: "3-5",
        title: "무중단 롤링 업데이트와 롤백",
        variants: &[Variant {
            name: "",
            button: "요청을 보내며 2.0.0 으로 업그레이드",
            what: "0.1초마다 요청을 보내며 1.0.0 → 2.0.0 (maxSurge 1, maxUnavailable 0) 으로 올리고, 다시 리비전 1 로 롤백합니다. 오류가 0 이어야 성공입니다.",
        }],
        commands: &[
            "while true; do curl -s http://hello.local/; sleep 0.1; done",
            "helm upgrade hello deploy/helm/hello-world -n {ns} --set image.tag=2.0.0 --set app.version=2.0.0",
            "kubectl rollout status deployment/hello-hello-world -n {ns}",
            "helm rollback hello 1 -n {ns}",
        ],
        images: &["1.0.0", "2.0.0"],
    },
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    ALL.iter().find(|s| s.name == name)
}

impl Spec {
    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
}

/// The experiment whose lesson is `lesson`.
pub fn for_lesson(lesson: &str) -> Option<&'static Spec> {
    ALL.iter().find(|s| s.lesson == lesson)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_match_the_lesson_vocabulary() {
        #[cfg(feature = "ssr")]
        for name in crate::lessons::ExperimentName::ALL {
            assert!(super::spec(name.as_str()).is_some(), "{}", name.as_str());
        }
        for spec in super::ALL {
            assert_eq!(spec.variants[0].name, "", "{} has a main run", spec.name);
        }
    }
}
