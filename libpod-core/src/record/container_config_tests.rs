//! Rows written by earlier versions load into the current shape, with the meaning those
//! versions gave them; a current row round-trips as it is.

use super::*;
use libpod_spec::parse::VolumeMount;

/// A `containers.config` column as e8ac681's podctl wrote it: `podctl create --name
/// legacy-web -l tier=web -l owner=ops -e GREETING=hi -u 0:0 -w /tmp --restart
/// on-failure:3 -v data:/data:ro -v /tmp:/srv -v /anon --tmpfs /scratch:size=1m
/// --stop-signal SIGINT --stop-timeout 7 -i -t --hostname legacyhost --network none busybox
/// sh -c 'sleep 1'`, read back with sqlite3.
const PODCTL_E8AC681: &str = include_str!("testdata/container_config_podctl_e8ac681.json");

fn legacy() -> ContainerConfig {
    serde_json::from_str(PODCTL_E8AC681).expect("the e8ac681 row decodes")
}

#[test]
fn a_row_of_e8ac681_loads_with_each_fact_in_its_one_home() {
    let config = legacy();
    // The engine's facts: typed, as that version read them.
    assert_eq!(config.name, "legacy-web");
    assert_eq!(
        config.restart_policy,
        RestartPolicy::OnFailure { max_retries: 3 }
    );
    assert_eq!(config.stop_signal, 2);
    assert_eq!(config.stop_timeout, 7);
    assert_eq!(config.log_driver, LogDriver::K8sFile);
    assert!(config.stdin);
    assert!(!config.auto_remove);
    assert_eq!(
        config.labels,
        BTreeMap::from([
            ("owner".to_string(), "ops".to_string()),
            ("tier".to_string(), "web".to_string())
        ])
    );
    assert!(matches!(
        &config.rootfs,
        Some(RootfsSource::Image { name, .. }) if name == "busybox"
    ));
    // ... and not in the spec input any more.
    assert_eq!(config.engine_fact_in_spec(), None);
    // The spec's own facts are untouched.
    let spec = &config.spec;
    assert_eq!(spec.command.as_deref().unwrap(), ["sh", "-c", "sleep 1"]);
    assert_eq!(spec.env["GREETING"], "hi");
    assert_eq!(spec.workdir.as_deref(), Some("/tmp"));
    assert_eq!(spec.user.user.as_deref(), Some("0:0"));
    assert_eq!(spec.uts.hostname.as_deref(), Some("legacyhost"));
    assert!(spec.tty);
    // The mount strings, parsed in the order the spec lists them.
    assert!(spec.volumes.is_empty() && spec.mounts.is_empty() && spec.tmpfs.is_empty());
    let destinations: Vec<String> = config
        .mounts
        .iter()
        .map(|m| match m {
            VolumeMount::Mount(m) => m.destination().display().to_string(),
            VolumeMount::Named { destination, .. } | VolumeMount::Anonymous { destination, .. } => {
                destination.clone()
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(destinations, ["/data", "/srv", "/anon", "/scratch"]);
    assert!(matches!(
        &config.mounts[0],
        VolumeMount::Named { name, options, .. } if name == "data" && options.contains(&"ro".to_string())
    ));
    assert!(
        matches!(&config.mounts[1], VolumeMount::Mount(m) if m.source().as_deref() == Some(std::path::Path::new("/tmp")))
    );
    assert!(matches!(&config.mounts[2], VolumeMount::Anonymous { .. }));
    assert_eq!(config.user_mounts().unwrap().len(), 4);
}

#[test]
fn an_upgraded_row_saves_and_loads_unchanged() {
    let config = legacy();
    let json = serde_json::to_string(&config).unwrap();
    let again: ContainerConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(again, config);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["spec"]["labels"], serde_json::json!({}));
    assert_eq!(value["spec"]["volumes"], serde_json::json!([]));
    assert_eq!(value["mounts"].as_array().unwrap().len(), 4);
}

#[test]
fn labels_only_in_the_spec_of_an_old_row_become_the_containers() {
    // e8ac681's parent set only `spec.labels` from a CreateConfig (inspect showed none).
    let mut row: serde_json::Value = serde_json::from_str(PODCTL_E8AC681).unwrap();
    row["labels"] = serde_json::json!({"tier": "typed"});
    let config: ContainerConfig = serde_json::from_value(row).unwrap();
    assert_eq!(config.labels["owner"], "ops");
    assert_eq!(config.labels["tier"], "typed", "the typed label wins");
}

#[test]
fn an_old_row_whose_bind_source_is_gone_loads_and_fails_at_its_mounts() {
    let gone = PODCTL_E8AC681.replace("/tmp:/srv", "/nonexistent-e8ac681-source:/srv");
    let config: ContainerConfig = serde_json::from_str(&gone).expect("the row still loads");
    assert_eq!(config.spec.volumes.len(), 3, "left to be parsed at init");
    assert!(config.mounts.is_empty());
    let err = config.user_mounts().unwrap_err();
    assert!(
        err.to_string().contains("volume")
            || format!("{:?}", err).contains("nonexistent-e8ac681-source"),
        "{err:?}"
    );
}

#[test]
fn log_drivers_parse_and_print_podmans_names() {
    for driver in LogDriver::ALL {
        assert_eq!(driver.to_string().parse::<LogDriver>().unwrap(), driver);
        // The record's serde name is the same.
        assert_eq!(
            serde_json::to_value(driver).unwrap(),
            serde_json::json!(driver.name())
        );
    }
    assert!(matches!(
        "json-file".parse::<LogDriver>(),
        Err(CoreError::InvalidOption {
            option: "log driver",
            ..
        })
    ));
}

#[test]
fn an_image_healthcheck_reads_with_podmans_defaults() {
    let value = serde_json::json!({
        "Test": ["CMD-SHELL", "curl -f http://localhost/"],
        "Interval": 5_000_000_000u64,
        "StartPeriod": 2_000_000_000u64,
        "Retries": 4
    });
    let check = HealthCheck::from_image_config(&value).unwrap();
    assert_eq!(check.test, ["CMD-SHELL", "curl -f http://localhost/"]);
    assert_eq!(check.interval_seconds, 5);
    // No timeout in the image: Podman's 30 s.
    assert_eq!(check.timeout_seconds, 30);
    assert_eq!(check.start_period_seconds, 2);
    assert_eq!(check.retries, 4);
    assert!(HealthCheck::from_image_config(&serde_json::json!({"Test": []})).is_none());
    assert!(HealthCheck::from_image_config(&serde_json::json!({})).is_none());
}

#[test]
fn a_healthcheck_test_becomes_its_command() {
    let with = |test: &[&str]| {
        let check = HealthCheck {
            test: test.iter().map(|s| s.to_string()).collect(),
            ..HealthCheck::default()
        };
        check.command()
    };
    assert_eq!(
        with(&["CMD", "/bin/check", "-v"]).unwrap(),
        ["/bin/check", "-v"]
    );
    assert_eq!(
        with(&["CMD-SHELL", "a", "b"]).unwrap(),
        ["/bin/sh", "-c", "a b"]
    );
    assert_eq!(with(&["/bin/check"]).unwrap(), ["/bin/check"]);
    assert!(with(&["NONE"]).is_none());
    assert!(with(&[]).is_none());
    assert!(with(&["CMD"]).is_none());
    assert!(with(&["CMD", ""]).is_none());
}
