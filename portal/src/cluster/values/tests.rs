use super::*;
use crate::cluster::testing::chart_dir;

fn defaults() -> Values {
    Values::load(&chart_dir(), &[]).unwrap()
}

fn tags() -> Vec<String> {
    vec!["1.0.0".into(), "2.0.0".into()]
}

#[test]
fn the_charts_values_file_is_read_as_is() {
    let v = defaults();
    assert_eq!(v.replica_count, 2);
    assert_eq!(
        (
            v.image.repository.as_str(),
            v.image.tag.as_str(),
            v.image.pull_policy.as_str()
        ),
        ("hello-world", "1.0.0", "IfNotPresent")
    );
    assert_eq!(v.namespace, "hello");
    assert_eq!(
        (
            v.service.type_.as_str(),
            v.service.port,
            v.service.target_port
        ),
        ("ClusterIP", 80, 8080)
    );
    assert!(v.ingress.enabled);
    assert_eq!(
        (v.ingress.class_name.as_str(), v.ingress.host.as_str()),
        ("nginx", "hello.local")
    );
    assert_eq!(v.resources.requests["cpu"], "100m");
    assert_eq!(v.resources.limits["memory"], "256Mi");
    assert_eq!(v.probes.liveness.path, "/health/live");
    assert_eq!(v.probes.readiness.initial_delay_seconds, 5);
    assert_eq!(v.graceful_shutdown.termination_grace_period_seconds, 45);
    assert_eq!(v.graceful_shutdown.pre_stop_sleep_seconds, 10);
    assert_eq!(
        (v.config.app_env.as_str(), v.config.log_level.as_str()),
        ("production", "info")
    );
    assert_eq!(v.app.version, "1.0.0");
}

#[test]
fn chart_meta_comes_from_chart_yaml() {
    let meta = ChartMeta::load(&chart_dir()).unwrap();
    assert_eq!(
        (meta.name.as_str(), meta.version.as_str()),
        ("hello-world", "0.1.0")
    );
    assert_eq!(meta.app_version.as_deref(), Some("1.0.0"));
}

#[test]
fn environment_files_merge_deeply_like_helm() {
    let dev = Values::load(&chart_dir(), &[chart_dir().join("values-dev.yaml")]).unwrap();
    assert_eq!(dev.replica_count, 1);
    assert_eq!(
        (dev.config.app_env.as_str(), dev.config.log_level.as_str()),
        ("development", "debug")
    );
    assert_eq!(dev.resources.limits["cpu"], "100m");
    // Untouched keys keep the chart's defaults.
    assert_eq!(dev.image, defaults().image);
    assert_eq!(dev.probes, defaults().probes);

    let prod = Values::load(&chart_dir(), &[chart_dir().join("values-prod.yaml")]).unwrap();
    assert_eq!(prod.replica_count, 3);
    assert_eq!(prod.config.log_level, "warning");
    assert_eq!(prod.resources.limits["memory"], "512Mi");
}

#[test]
fn later_layers_win_and_null_deletes() {
    let base = "replicaCount: 1\nresources:\n  requests: {cpu: 1m, memory: 1Mi}\n";
    let mut merged = parse_layer("a", base).unwrap();
    merge(
        &mut merged,
        parse_layer(
            "b",
            "replicaCount: 4\nresources:\n  requests:\n    cpu: null\n",
        )
        .unwrap(),
    );
    assert_eq!(
        merged,
        serde_json::json!({"replicaCount": 4, "resources": {"requests": {"memory": "1Mi"}}})
    );
    // A comment-only file changes nothing.
    merge(&mut merged, parse_layer("c", "# nothing\n").unwrap());
    assert_eq!(merged["replicaCount"], 4);
}

#[test]
fn unquoted_numbers_are_accepted_where_the_chart_prints_text() {
    let base = std::fs::read_to_string(chart_dir().join("values.yaml")).unwrap();
    let v = Values::from_yaml_layers(
        &base,
        &[(
            "x",
            "image:\n  tag: 2\napp:\n  version: 2.5\nresources:\n  limits:\n    cpu: 1\n",
        )],
    )
    .unwrap();
    assert_eq!(
        (
            v.image.tag.as_str(),
            v.app.version.as_str(),
            v.resources.limits["cpu"].as_str()
        ),
        ("2", "2.5", "1")
    );
}

#[test]
fn broken_files_give_korean_errors_not_panics() {
    let base = std::fs::read_to_string(chart_dir().join("values.yaml")).unwrap();
    let err = Values::from_yaml_layers(&base, &[("bad.yaml", "replicaCount: [1")]).unwrap_err();
    assert!(
        err.to_string()
            .contains("bad.yaml 의 YAML 을 해석할 수 없습니다"),
        "{err}"
    );
    let err = Values::from_yaml_layers(&base, &[("gone.yaml", "image: null")]).unwrap_err();
    assert!(
        err.to_string()
            .contains("values 가 차트가 기대하는 모양이 아닙니다"),
        "{err}"
    );
    assert!(err.to_string().contains("image"), "{err}");
    let err = Values::from_yaml_layers(&base, &[("list.yaml", "- 1")]).unwrap_err();
    assert!(err.to_string().contains("최상위는 맵"), "{err}");
    let err = Values::load(Path::new("/nonexistent"), &[]).unwrap_err();
    assert!(err.to_string().contains("파일을 읽을 수 없습니다"), "{err}");
}

#[test]
fn overrides_apply_within_bounds() {
    let o = Overrides {
        image_tag: Some("2.0.0".into()),
        replicas: Some(5),
        log_level: Some(LogLevel::Debug),
        app_env: Some("staging".into()),
        app_version: Some("2.0.0-rc.1".into()),
        pre_stop_seconds: Some(0),
        grace_seconds: Some(5),
    };
    let v = defaults().with_overrides(&o, &tags()).unwrap();
    assert_eq!((v.image.tag.as_str(), v.replica_count), ("2.0.0", 5));
    assert_eq!(
        (
            v.config.log_level.as_str(),
            v.config.app_env.as_str(),
            v.app.version.as_str()
        ),
        ("debug", "staging", "2.0.0-rc.1")
    );
    let g = &v.graceful_shutdown;
    assert_eq!(
        (g.pre_stop_sleep_seconds, g.termination_grace_period_seconds),
        (0, 5)
    );
    assert_eq!(
        defaults()
            .with_overrides(&Overrides::default(), &[])
            .unwrap(),
        defaults()
    );
}

#[test]
fn bad_overrides_are_refused_in_korean() {
    let refuse = |o: Overrides| {
        defaults()
            .with_overrides(&o, &tags())
            .unwrap_err()
            .to_string()
    };
    let msg = refuse(Overrides {
        image_tag: Some("3.0.0".into()),
        ..Default::default()
    });
    assert!(
        msg.contains("노드에 없는 이미지 태그입니다: '3.0.0' (쓸 수 있는 태그: 1.0.0, 2.0.0)"),
        "{msg}"
    );
    for replicas in [0, 6, 255] {
        let msg = refuse(Overrides {
            replicas: Some(replicas),
            ..Default::default()
        });
        assert!(
            msg.contains("replicaCount 값이 올바르지 않습니다: 1 에서 5 사이여야 합니다"),
            "{msg}"
        );
    }
    for (pre_stop, grace) in [(Some(-1), None), (Some(31), None), (None, Some(0))] {
        let msg = refuse(Overrides {
            pre_stop_seconds: pre_stop,
            grace_seconds: grace,
            ..Default::default()
        });
        assert!(msg.contains("gracefulShutdown."), "{msg}");
    }
    let msg = refuse(Overrides {
        app_env: Some("qa".into()),
        ..Default::default()
    });
    assert!(
        msg.contains("config.appEnv") && msg.contains("development, staging, production, local"),
        "{msg}"
    );
    for bad in ["", "-1", "1.0 beta", &"9".repeat(64)] {
        let msg = refuse(Overrides {
            app_version: Some(bad.into()),
            ..Default::default()
        });
        assert!(
            msg.starts_with("app.version 값이 올바르지 않습니다"),
            "{bad}: {msg}"
        );
    }
    let msg = defaults()
        .with_overrides(
            &Overrides {
                image_tag: Some("1.0.0".into()),
                ..Default::default()
            },
            &[],
        )
        .unwrap_err()
        .to_string();
    assert!(msg.contains("(쓸 수 있는 태그: 없음)"), "{msg}");
}

#[test]
fn log_levels_parse_from_form_text() {
    assert_eq!("warning".parse::<LogLevel>().unwrap(), LogLevel::Warning);
    assert_eq!(" error ".parse::<LogLevel>().unwrap(), LogLevel::Error);
    let msg = "trace".parse::<LogLevel>().unwrap_err().to_string();
    assert!(msg.contains("'trace' 은(는) 쓸 수 없습니다"), "{msg}");
    assert_eq!(
        LogLevel::ALL.map(LogLevel::as_str),
        ["debug", "info", "warning", "error"]
    );
}
