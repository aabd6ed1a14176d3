use super::*;
use libpod_spec::RestartPolicy;

#[test]
fn a_recreated_config_keeps_everything_but_id_time_and_image() {
    let old = ContainerConfig {
        id: "a".repeat(64),
        name: "web".into(),
        created: "2026-01-01T00:00:00Z".into(),
        rootfs: Some(RootfsSource::Image {
            id: "1".repeat(64),
            name: "quay.io/x/web:stable".into(),
        }),
        labels: [(
            "io.containers.autoupdate".to_string(),
            "registry".to_string(),
        )]
        .into(),
        restart_policy: RestartPolicy::Always,
        stop_timeout: 3,
        exit_command: vec!["/bin/podctl".into(), "cleanup".into(), "a".repeat(64)],
        ..ContainerConfig::default()
    };
    let new = recreated_config(&old, "2".repeat(64), None, "b".repeat(64));
    assert_eq!(new.id, "b".repeat(64));
    assert_ne!(new.created, old.created);
    assert_eq!(
        new.rootfs,
        Some(RootfsSource::Image {
            id: "2".repeat(64),
            name: "quay.io/x/web:stable".into(),
        })
    );
    // The exit command names the new ID; everything else is the old config's.
    assert_eq!(new.exit_command.last(), Some(&"b".repeat(64)));
    let same = |c: &ContainerConfig| {
        (
            c.name.clone(),
            c.labels.clone(),
            c.restart_policy,
            c.stop_timeout,
            c.mounts.clone(),
            c.spec.clone(),
        )
    };
    assert_eq!(same(&new), same(&old));
}

#[test]
fn an_exit_command_not_ending_with_the_id_is_kept() {
    let old = ContainerConfig {
        id: "a".repeat(64),
        exit_command: vec!["/bin/cleanup".into()],
        ..ContainerConfig::default()
    };
    let new = recreated_config(&old, "2".repeat(64), None, "b".repeat(64));
    assert_eq!(new.exit_command, ["/bin/cleanup"]);
}
