//! The chart the lessons teach: `helm lint`, `helm template` with the tutorial's values,
//! and a server-side dry run of everything it renders on the local cluster.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use e2e::{Tools, chart_dir};
use serde_json::Value;

const VALUE_FILES: [&str; 3] = ["", "values-dev.yaml", "values-prod.yaml"];

fn template(extra: &[&str]) -> String {
    let chart = chart_dir();
    let chart = chart.to_str().unwrap();
    let mut args = vec!["template", "hello", chart];
    args.extend_from_slice(extra);
    Tools.helm(&args).unwrap()
}

/// Renders the chart and lets the API server parse it (dry run), returning the objects
/// as JSON, keyed by kind.
fn rendered(extra: &[&str]) -> Vec<Value> {
    let yaml = template(extra);
    let list = Tools
        .kubectl_stdin(
            &["create", "--dry-run=client", "-o", "json", "-f", "-"],
            &yaml,
        )
        .unwrap();
    // kubectl prints one JSON document per object, back to back.
    serde_json::Deserializer::from_str(&list)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect()
}

fn by_kind<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn lint_passes_for_every_values_file() {
    let chart = chart_dir();
    for file in VALUE_FILES {
        let mut args = vec!["lint", "--strict", chart.to_str().unwrap()];
        let path = chart.join(file);
        if !file.is_empty() {
            args.extend(["-f", path.to_str().unwrap()]);
        }
        Tools
            .helm(&args)
            .unwrap_or_else(|e| panic!("helm lint {file}: {e}"));
    }
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn default_values_are_the_tutorials() {
    let objects = rendered(&[]);
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    for kind in ["Namespace", "ConfigMap", "Deployment", "Service", "Ingress"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let cm = by_kind(&objects, "ConfigMap");
    assert_eq!(cm["metadata"]["name"], "hello-hello-world-config");
    assert_eq!(cm["metadata"]["namespace"], "hello");
    assert_eq!(cm["data"]["APP_ENV"], "production");
    assert_eq!(cm["data"]["LOG_LEVEL"], "info");
    assert_eq!(cm["data"]["APP_VERSION"], "1.0.0");

    let d = by_kind(&objects, "Deployment");
    assert_eq!(d["metadata"]["name"], "hello-hello-world");
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 1);
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 45);
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "hello-world:1.0.0");
    assert_eq!(c["imagePullPolicy"], "IfNotPresent");
    assert_eq!(
        c["lifecycle"]["preStop"]["exec"]["command"],
        serde_json::json!(["sleep", "10"])
    );
    assert_eq!(c["resources"]["requests"]["cpu"], "100m");
    assert_eq!(c["resources"]["requests"]["memory"], "128Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "250m");
    assert_eq!(c["resources"]["limits"]["memory"], "256Mi");
    let (live, ready) = (&c["livenessProbe"], &c["readinessProbe"]);
    assert_eq!(live["httpGet"]["path"], "/health/live");
    assert_eq!(
        (
            live["initialDelaySeconds"].as_u64(),
            live["periodSeconds"].as_u64(),
            live["failureThreshold"].as_u64()
        ),
        (Some(10), Some(10), Some(3))
    );
    assert_eq!(ready["httpGet"]["path"], "/health/ready");
    assert_eq!(
        (
            ready["initialDelaySeconds"].as_u64(),
            ready["periodSeconds"].as_u64(),
            ready["failureThreshold"].as_u64()
        ),
        (Some(5), Some(5), Some(3))
    );
    assert_eq!(
        c["envFrom"][0]["configMapRef"]["name"],
        "hello-hello-world-config"
    );
    let pod_name = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "POD_NAME")
        .unwrap();
    assert_eq!(
        pod_name["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            .as_str()
            .is_some_and(|s| s.len() == 64)
    );

    let svc = by_kind(&objects, "Service");
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["ports"][0]["port"], 80);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], "http");
    assert_eq!(svc["spec"]["ports"][0]["protocol"], "TCP");
    let ing = by_kind(&objects, "Ingress");
    assert_eq!(ing["spec"]["ingressClassName"], "nginx");
    assert_eq!(ing["spec"]["rules"][0]["host"], "hello.local");
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn environment_files_change_what_the_lesson_says() {
    let chart = chart_dir();
    let dev = rendered(&["-f", chart.join("values-dev.yaml").to_str().unwrap()]);
    assert_eq!(by_kind(&dev, "Deployment")["spec"]["replicas"], 1);
    assert_eq!(by_kind(&dev, "ConfigMap")["data"]["LOG_LEVEL"], "debug");
    assert_eq!(by_kind(&dev, "ConfigMap")["data"]["APP_ENV"], "development");
    let prod = rendered(&["-f", chart.join("values-prod.yaml").to_str().unwrap()]);
    assert_eq!(by_kind(&prod, "Deployment")["spec"]["replicas"], 3);
    assert_eq!(by_kind(&prod, "ConfigMap")["data"]["LOG_LEVEL"], "warning");
    let limits = &by_kind(&prod, "Deployment")["spec"]["template"]["spec"]["containers"][0]["resources"]
        ["limits"];
    assert_eq!(
        (limits["cpu"].as_str(), limits["memory"].as_str()),
        (Some("500m"), Some("512Mi"))
    );
    let no_ingress = rendered(&["--set", "ingress.enabled=false"]);
    assert!(no_ingress.iter().all(|o| o["kind"] != "Ingress"));
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn a_config_change_changes_the_pod_template() {
    let checksum = |extra: &[&str]| {
        by_kind(&rendered(extra), "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"].clone()
    };
    assert_eq!(checksum(&[]), checksum(&[]), "rendering is deterministic");
    assert_ne!(
        checksum(&[]),
        checksum(&["--set", "config.logLevel=debug"]),
        "the lesson 3-1 rollout relies on this"
    );
}

#[test]
#[ignore = "needs helm and the local cluster: ./dev.sh test"]
fn the_api_server_accepts_every_rendered_object() {
    let ns = "hk-chart-dryrun";
    let _ = Tools.kubectl(&[
        "delete",
        "namespace",
        ns,
        "--ignore-not-found",
        "--wait=false",
    ]);
    Tools.kubectl(&["create", "namespace", ns]).unwrap();
    for file in VALUE_FILES {
        let chart = chart_dir();
        let mut args = vec!["--set", "namespace=hk-chart-dryrun"];
        let path = chart.join(file);
        if !file.is_empty() {
            args.extend(["-f", path.to_str().unwrap()]);
        }
        let yaml = template(&args);
        let out = Tools.kubectl_stdin(
            &["apply", "--server-side", "--dry-run=server", "-f", "-"],
            &yaml,
        );
        assert!(out.is_ok(), "server-side dry run with {file:?}: {out:?}");
    }
    Tools
        .kubectl(&["delete", "namespace", ns, "--wait=false"])
        .unwrap();
}

/// Workshop mode with a code and a host token, as `helm template` flags.
const WORKSHOP: [&str; 6] = [
    "--set",
    "workshop.enabled=true",
    "--set",
    "workshop.code=c",
    "--set",
    "workshop.hostToken=t",
];

/// `helm template` of the portal's own chart (release `portal` in `portal-system`).
fn portal_template(extra: &[&str]) -> e2e::Result<String> {
    let chart = e2e::repo_root().join("deploy/portal");
    let mut args = vec![
        "template",
        "portal",
        chart.to_str().unwrap(),
        "-n",
        "portal-system",
    ];
    args.extend_from_slice(extra);
    Tools.helm(&args)
}

fn docs(yaml: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(yaml)
        .map(|doc| Value::deserialize(doc).expect("helm prints YAML"))
        .filter(Value::is_object)
        .collect()
}

/// Several portal pods only with PostgreSQL: SQLite is refused in Korean; with a
/// database URL the chart rolls pods one by one, keeps one through a drain, passes the
/// URL from a Secret, and lets the pods hold their Lease.
#[test]
#[ignore = "needs helm: ./dev.sh test"]
fn the_portal_chart_runs_several_replicas_only_on_postgres() {
    let workshop = WORKSHOP;
    let refused = portal_template(&[&workshop[..], &["--set", "replicaCount=2"]].concat())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("database.url"), "{refused}");
    let url = "database.url=postgres://portal:pw@db.example:5432/portal";
    let objects = docs(
        &portal_template(&[&workshop[..], &["--set", "replicaCount=3", "--set", url]].concat())
            .unwrap(),
    );
    let kind = |k: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == k)
            .unwrap_or_else(|| panic!("no {k}"))
    };
    let deployment = kind("Deployment");
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert_eq!(deployment["spec"]["strategy"]["type"], "RollingUpdate");
    let env = deployment["spec"]["template"]["spec"]["containers"][0]["env"].to_string();
    assert!(
        env.contains("PORTAL_DATABASE") && env.contains("portal-hello-k8s-portal-database"),
        "{env}"
    );
    assert!(
        !kind("ConfigMap")["data"]
            .to_string()
            .contains("PORTAL_DATABASE")
    );
    assert!(!env.contains("pw@"), "the URL is not in the pod spec");
    assert_eq!(kind("PodDisruptionBudget")["spec"]["minAvailable"], 1);
    let lease_role = objects
        .iter()
        .find(|o| o["kind"] == "Role" && o["rules"].to_string().contains("leases"))
        .expect("a Role for the Lease");
    assert!(
        lease_role["rules"]
            .to_string()
            .contains("hello-k8s-portal-singleton")
    );
    let single = docs(&portal_template(&workshop).unwrap());
    assert!(
        !single.iter().any(|o| o["kind"] == "PodDisruptionBudget"),
        "one pod: no PDB"
    );
}

/// The portal's own chart in workshop mode: impersonation only of the learner account,
/// and, where the cluster has admission policies, writes only to learner namespaces.
#[test]
#[ignore = "needs helm: ./dev.sh test"]
fn the_portal_chart_limits_its_own_powers_in_workshop_mode() {
    let render = |extra: &[&str]| {
        let mut args = WORKSHOP.to_vec();
        args.extend_from_slice(extra);
        portal_template(&args).unwrap()
    };
    let plain = docs(&render(&[]));
    let role = plain
        .iter()
        .find(|o| o["kind"] == "ClusterRole" && o["rules"].to_string().contains("impersonate"))
        .expect("the portal's ClusterRole");
    let impersonate = role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["verbs"].to_string().contains("impersonate"))
        .unwrap();
    assert_eq!(impersonate["resourceNames"], serde_json::json!(["learner"]));
    assert!(
        !plain
            .iter()
            .any(|o| o["kind"] == "ValidatingAdmissionPolicy"),
        "no policy on a cluster without the API (1.20)"
    );
    let with_policy = docs(&render(&[
        "--api-versions",
        "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
    ]));
    let policy = with_policy
        .iter()
        .find(|o| o["kind"] == "ValidatingAdmissionPolicy")
        .expect("a policy where the cluster has them");
    assert_eq!(
        policy["spec"]["matchConditions"][0]["expression"],
        "request.userInfo.username == \"system:serviceaccount:portal-system:portal-hello-k8s-portal\""
    );
    assert!(
        with_policy
            .iter()
            .any(|o| o["kind"] == "ValidatingAdmissionPolicyBinding"
                && o["spec"]["validationActions"] == serde_json::json!(["Deny"]))
    );
}
